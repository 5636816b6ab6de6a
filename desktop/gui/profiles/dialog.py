"""The profiles dialog: add, edit and delete one's profiles, and test a mail server connection.

Every store, keyring and network call runs on a worker. Delete first counts what would go and
says so in the confirmation, because a profile takes its local mail and its saved password with
it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.core.profile_colours import next_colour
from desktop.gui.forms import close_buttons
from desktop.gui.icons import icon
from desktop.gui.mainwindow.sync_status import colour_dot
from desktop.gui.profiles.discovery_panel import DiscoveryPanel
from desktop.gui.profiles.discovery_result import ChosenSetup, fill_forms
from desktop.gui.profiles.form import ProfileForm
from desktop.gui.profiles.oauth_panel import OAuthPanel
from desktop.gui.profiles.sending_form import SendingForm
from desktop.gui.session.profile_editor import ProfileEditor
from desktop.gui.session.records import AccountError, ProfileInfo, SyncError
from desktop.gui.session.viewdata import SendingSetup
from desktop.gui.session.workers import Workers

CONNECTED = "Connected and signed in."


class ProfilesDialog(QDialog):
    profiles_changed = Signal()

    def __init__(self, editor: ProfileEditor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Profiles"))
        self.setObjectName("profilesDialog")
        self._editor = editor
        self._workers = Workers(self)
        self._profiles: list[ProfileInfo] = []
        self._editing: int | None = None
        self._discovered_provider = ""
        self._wanted: int | None = None

        self.list = QListWidget()
        self.list.setAccessibleName(self.tr("Your profiles"))
        self.list.setAccessibleDescription(self.tr("Choose a profile to see and edit it"))
        self.list.setMinimumWidth(220)
        self.list.currentRowChanged.connect(self._row_changed)
        self.add_button = QPushButton(icon("add"), self.tr("&Add"))
        self.add_button.setToolTip(self.tr("Start a new profile"))
        self.add_button.clicked.connect(self.start_with_address)
        self.delete_button = QPushButton(icon("delete"), self.tr("&Delete…"))
        self.delete_button.setToolTip(self.tr("Delete the selected profile from this computer"))
        self.delete_button.clicked.connect(self.ask_delete)
        self.form = ProfileForm(keeps_passwords=editor.keeps_passwords)
        self.form.changed.connect(self._update_buttons)
        self.sending = SendingForm()
        self.sign_in = OAuthPanel(editor.oauth)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.form, self.tr("A&ccount"))
        self.tabs.addTab(self.sending, self.tr("Se&nding"))
        self.tabs.addTab(self.sign_in, self.tr("Sign-&in"))
        self.tabs.setTabToolTip(0, self.tr("Who this profile is and where it reads mail"))
        self.tabs.setTabToolTip(1, self.tr("How this profile sends mail, and its signature"))
        self.tabs.setTabToolTip(2, self.tr("A password, or Microsoft 365, Google or a provider"))
        self.status = QLabel()
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        self.test_button = QPushButton(self.tr("Test co&nnection"))
        self.test_button.setToolTip(self.tr("Sign in to the saved mail server without syncing"))
        self.test_button.clicked.connect(self.test)
        self.save_button = QPushButton(self.tr("&Save"))
        self.save_button.setDefault(True)
        self.save_button.setToolTip(self.tr("Keep the changes to this profile"))
        self.save_button.clicked.connect(self.save)
        self.discovery = DiscoveryPanel(editor.server_finder())
        self.discovery.chosen.connect(self._use_discovered)
        self.discovery.by_hand.connect(self._set_up_by_hand)
        self.pages = QStackedWidget()
        self._lay_out()
        self.resize(760, 520)
        self.reload()

    def _lay_out(self) -> None:
        close = close_buttons(self)
        left = QVBoxLayout()
        left.addWidget(self.list, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.delete_button)
        left.addLayout(buttons)
        right = QVBoxLayout()
        right.addWidget(self.tabs)
        right.addWidget(self.status)
        actions = QHBoxLayout()
        actions.addWidget(self.test_button)
        actions.addStretch(1)
        actions.addWidget(self.save_button)
        right.addLayout(actions)
        right.addStretch(1)
        form_page = QWidget()
        form_page.setLayout(right)
        self.pages.addWidget(form_page)
        self.pages.addWidget(self.discovery)
        body = QHBoxLayout()
        body.addLayout(left)
        body.addWidget(self.pages, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(body)
        layout.addWidget(close)

    @property
    def profiles(self) -> list[ProfileInfo]:
        return list(self._profiles)

    def reload(self, select: int | None = None, note: str = "") -> None:
        self._workers.submit(
            self._editor.profiles,
            lambda profiles: self._show(profiles, select, note),
            self._failed,
        )

    def select_profile(self, profile_id: int) -> None:
        """Shows that profile's form (once the list has loaded); one without a mail server opens
        with the focus on the server field, since setting it up is why the user came."""
        ids = [p.id for p in self._profiles]
        if profile_id not in ids:
            self._wanted = profile_id
            return
        self._wanted = None
        self.list.setCurrentRow(ids.index(profile_id))
        if not self._profiles[ids.index(profile_id)].imap_host:
            self.form.imap_host.setFocus(Qt.FocusReason.OtherFocusReason)

    def _show(self, profiles: list[ProfileInfo], select: int | None, note: str) -> None:
        self._profiles = profiles
        self.list.blockSignals(True)
        self.list.clear()
        for profile in profiles:
            item = QListWidgetItem(colour_dot(profile.colour), f"{profile.organization}")
            item.setToolTip(f"{profile.email} — {profile.role}")
            self.list.addItem(item)
        self.list.blockSignals(False)
        ids = [p.id for p in profiles]
        wanted = self._wanted if select is None else None
        if wanted is not None and wanted in ids:
            self.select_profile(wanted)
        elif select in ids:
            self.list.setCurrentRow(ids.index(select))
        elif profiles:
            self.list.setCurrentRow(0)
        else:
            self.start_with_address()
        if note:
            self.status.setText(note)
        self.profiles_changed.emit()

    def _row_changed(self, row: int) -> None:
        if 0 <= row < len(self._profiles):
            self.pages.setCurrentIndex(0)
            self._editing = self._profiles[row].id
            self.form.load(self._profiles[row])
            self._load_sending(self._editing)
            self.sign_in.load(self._editing)
            self.status.clear()
        self._update_buttons()

    def start_with_address(self) -> None:
        """A new profile begins with its address, from which the servers are looked up."""
        self.start_new()
        self.pages.setCurrentWidget(self.discovery)
        self.discovery.reset()
        self.status.clear()

    def _use_discovered(self, setup: ChosenSetup) -> None:
        self.pages.setCurrentIndex(0)
        fill_forms(setup, self.form, self.sending)
        note = self.tr("Filled in from {source}. Name the organization, check the rest, and save.")
        if setup.wants_oauth2:
            note += " " + self.tr(
                "This account signs in with its provider rather than a password: after saving, "
                "the Sign-in tab offers it."
            )
            self._discovered_provider = setup.provider
        self.status.setText(note.format(source=setup.source))
        self.form.organization.setFocus()

    def _set_up_by_hand(self, email: str) -> None:
        self.start_new()
        self.form.email.setText(email)

    def start_new(self) -> None:
        """A new profile's form, empty (the by-hand set-up)."""
        self.pages.setCurrentIndex(0)
        self.list.clearSelection()
        self.list.setCurrentRow(-1)
        self._editing = None
        self._discovered_provider = ""
        self.form.load(None, next_colour(p.colour for p in self._profiles))
        self.sending.load(SendingSetup())
        self.sign_in.load(None)
        self.status.setText(self.tr("New profile: fill in the fields and save."))
        self.form.organization.setFocus()
        self._update_buttons()

    def save(self) -> None:
        try:
            draft = self.form.draft()
            sending = self.sending.setup()
        except AccountError as error:
            self.form.show_problem(str(error))
            return
        editor, editing = self._editor, self._editing
        password = self.form.password.text()
        provider = self._discovered_provider if editing is None else ""
        self._busy(self.tr("Saving…"))
        self._workers.submit(
            lambda: editor.save(editing, draft, password, sending),
            lambda profile: self._saved(profile, provider),
            self._save_failed,
        )

    def _load_sending(self, profile_id: int) -> None:
        """The Sending tab fills in when its settings arrive; a late answer for another
        profile is dropped."""
        editor = self._editor
        self._workers.submit(
            lambda: editor.sending(profile_id),
            lambda setup: self.sending.load(setup) if self._editing == profile_id else None,
            self._failed,
        )

    def _saved(self, profile: ProfileInfo, provider: str = "") -> None:
        """``provider``: the sign-in discovery found for a new profile, offered on its tab."""
        if provider:
            self.sign_in.suggest(provider)
        self._editing = profile.id
        note = self.tr("Saved {org}.").format(org=profile.organization)
        self.reload(select=profile.id, note=note)

    def _save_failed(self, error: Exception) -> None:
        self.status.clear()
        self._update_buttons()
        self.form.show_problem(str(error))

    def ask_delete(self) -> None:
        profile = next((p for p in self._profiles if p.id == self._editing), None)
        if profile is None:
            return
        editor = self._editor
        self._busy(self.tr("Counting what would be removed…"))
        self._workers.submit(
            lambda: editor.message_count(profile.id),
            lambda count: self._confirm_delete(profile, count),
            self._failed,
        )

    def _confirm_delete(self, profile: ProfileInfo, messages: int) -> None:
        self._update_buttons()
        self.status.clear()
        answer = QMessageBox.warning(
            self,
            self.tr("Delete profile"),
            self.tr(
                "Delete the profile {org} ({email})?\n\n"
                "This removes from this computer: the profile, its {n} message(s) and their "
                "attachments, its sync state, and its mail server password in the keyring. "
                "Mail on the server is not touched. This cannot be undone."
            ).format(org=profile.organization, email=profile.email, n=messages),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        editor = self._editor
        self._busy(self.tr("Deleting…"))
        self._workers.submit(
            lambda: editor.delete(profile.id),
            lambda said: self._deleted(profile, said),
            self._failed,
        )

    def _deleted(self, profile: ProfileInfo, grant: str | None) -> None:
        """``grant``: what became of an OAuth2 profile's permission at its provider."""
        self._editing = None
        note = self.tr("Deleted {org}.").format(org=profile.organization)
        self.reload(note=f"{note} {grant}" if grant else note)

    def test(self) -> None:
        if self._editing is None:
            return
        editor, profile_id = self._editor, self._editing
        password = self.form.password.text()
        self._busy(self.tr("Connecting…"))
        self._workers.submit(
            lambda: editor.check_connection(profile_id, password),
            lambda _none: self._tested(self.tr(CONNECTED)),
            self._failed,
        )

    def _tested(self, message: str) -> None:
        self._update_buttons()
        self.status.setText(message)

    def _failed(self, error: Exception) -> None:
        self._update_buttons()
        reason = str(error) or type(error).__name__
        if isinstance(error, SyncError):
            reason = self.tr("Connection failed: {reason}").format(reason=reason)
        self.status.setText(reason[:1].upper() + reason[1:])

    def _busy(self, text: str) -> None:
        self.status.setText(text)
        for button in (self.save_button, self.test_button, self.delete_button, self.add_button):
            button.setEnabled(False)

    def _update_buttons(self) -> None:
        editing = self._editing is not None
        self.save_button.setEnabled(self.form.valid)
        self.delete_button.setEnabled(editing)
        self.add_button.setEnabled(True)
        self.test_button.setEnabled(editing and bool(self.form.imap_host.text().strip()))
        self.test_button.setToolTip(
            self.tr("Sign in to the saved mail server without syncing")
            if editing
            else self.tr("Save the profile first, then test its connection")
        )
