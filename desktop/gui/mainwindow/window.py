"""The main window: the frame every screen of the app lives in.

It shows the sign-in gate until a session (a signed-in user) is opened, then the working area
with its toolbar, menus and status bar. The active profile is the window's central fact: it is in
the title, in an always-visible badge, and decides which actions exist at all. The window holds no
copy of the profiles: it shows what the session signals.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QLabel, QMenu, QStackedWidget, QWidget

from desktop.gui.mainwindow.chrome import APP_TITLE, ProfileChrome, SessionBinding
from desktop.gui.mainwindow.commands import AUTO_LOCK_CHOICES, CommandWindow, choice_menu
from desktop.gui.mainwindow.conversation_view import ConversationView
from desktop.gui.mainwindow.mail_menu import MailMenu
from desktop.gui.mainwindow.page_layout import place_reader, restore_panes, save_panes
from desktop.gui.mainwindow.reading_menu import ReadingMenu
from desktop.gui.mainwindow.settings import WindowSettings, open_settings
from desktop.gui.mainwindow.shortcuts import ShortcutsDialog
from desktop.gui.mainwindow.sync_status import SyncStatusArea
from desktop.gui.mainwindow.tray import Notifier
from desktop.gui.mainwindow.view_menu import ContrastMenu
from desktop.gui.mainwindow.workspace_page import WorkspacePage
from desktop.gui.session.session import Session
from desktop.gui.session.viewdata import ProfileCard


class MainWindow(CommandWindow):
    """Emits ``lock_requested`` and ``sign_out_requested``; the owner decides what follows."""

    lock_requested = Signal()
    edit_profile_requested = Signal(int)
    sign_out_requested = Signal()
    auto_lock_changed = Signal(int)

    def __init__(self, parent: QWidget | None = None, settings: QSettings | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowTitle(APP_TITLE)
        self._qsettings = settings or open_settings()
        self._settings = WindowSettings(self._qsettings)
        self._session: Session | None = None
        self._binding: SessionBinding | None = None
        self._page: WorkspacePage | None = None
        self.shortcuts_dialog: ShortcutsDialog | None = None

        self._stack = QStackedWidget()
        self.setCentralWidget(self._stack)
        self._welcome = QLabel(APP_TITLE)
        self._welcome.setTextFormat(Qt.TextFormat.PlainText)
        self._welcome.setWordWrap(True)
        self._welcome.setMargin(48)
        self._welcome.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._welcome.setAccessibleName(self.tr("Welcome"))
        self._stack.addWidget(self._welcome)

        self.notifier = Notifier(self)
        self.notifier.activated.connect(self._raise)
        self.notifier.profile_requested.connect(self.activate_profile)
        self.sync_status = SyncStatusArea()
        self.sync_status.retry_requested.connect(self._sync)
        self.sync_status.setup_requested.connect(self.edit_profile_requested)
        self.sync_status.sign_in_requested.connect(self._sign_in_again)
        self._connect_commands()
        self._create_toolbar_and_menus(self._auto_lock_menu())
        self.reading = ReadingMenu(
            self,
            self._settings,
            self.message_menu,
            self.view_menu,
            page=lambda: self._page,
            place_reader=self.place_reader,
        )
        self.conversations = ConversationView(self, self.view_menu)
        self.contrast = ContrastMenu(self, self._settings, self.view_menu)
        self.mail = MailMenu(self, self.reading)
        self._chrome = ProfileChrome(self, self.notifier)
        self._chrome.show_profiles((), None)
        self.statusBar().addPermanentWidget(self.sync_status)
        self._set_workspace_chrome(False)
        self.resize(1280, 800)
        geometry = self._settings.geometry("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)

    def _connect_commands(self) -> None:
        self.switcher.activated.connect(self._switcher_chosen)
        self.find_action.triggered.connect(self._focus_search)
        self.all_inboxes_action.triggered.connect(self._show_all)
        self.sync_action.triggered.connect(self._sync_all)
        self.mute_action.toggled.connect(self._mute_toggled)
        self.lock_action.triggered.connect(self.lock_requested)
        self.sign_out_action.triggered.connect(self.sign_out_requested)
        self.next_pane_action.triggered.connect(self._next_pane)
        self.shortcuts_action.triggered.connect(self.show_shortcuts)
        self.quit_action.triggered.connect(self.close)
        for number, switch in enumerate(self.switch_actions, start=1):
            switch.triggered.connect(lambda _c=False, n=number: self.activate_nth_profile(n))

    def _auto_lock_menu(self) -> QMenu:
        choices = [
            (m, self.tr("after {n} minutes idle").format(n=m) if m else self.tr("Never"))
            for m in AUTO_LOCK_CHOICES
        ]
        menu, self.auto_lock_actions = choice_menu(
            self.tr("Lock &automatically"),
            choices,
            self._settings.auto_lock_minutes(),
            self._set_auto_lock,
            self,
        )
        return menu

    def _set_auto_lock(self, minutes: int) -> None:
        self._settings.set_auto_lock_minutes(minutes)
        self.auto_lock_changed.emit(minutes)

    @property
    def settings(self) -> QSettings:
        return self._qsettings

    @property
    def auto_lock_minutes(self) -> int:
        return self._settings.auto_lock_minutes()

    def show_notice(self, text: str, error: bool = False) -> None:
        """A full-window message: while starting, signing out, or when the store is unusable."""
        self._welcome.setText(text)
        self._welcome.setStyleSheet("color: #dc2626; font-weight: 600;" if error else "")
        self._stack.setCurrentWidget(self._welcome)
        self._chrome.set_private(True)
        self._set_workspace_chrome(False)

    @property
    def notice(self) -> str:
        return self._welcome.text() if self._stack.currentWidget() is self._welcome else ""

    # The session

    @property
    def session(self) -> Session | None:
        return self._session

    @property
    def workspace_page(self) -> WorkspacePage | None:
        return self._page

    @property
    def active_profile(self) -> ProfileCard | None:
        return self._session.active if self._session is not None else None

    @property
    def profiles(self) -> list[ProfileCard]:
        return list(self._session.profiles) if self._session is not None else []

    def open_session(self, session: Session) -> None:
        self.close_session()
        self._session = session
        login = session.user_login
        muted = self._settings.muted(login)
        page = WorkspacePage(session, muted)
        page.sidebar.mute_requested.connect(self.set_muted)
        page.sidebar.edit_requested.connect(self.edit_profile_requested)
        self.notifier.set_muted(muted)
        self._page = page
        self.reading.attach(page)
        self.conversations.attach(page, session)
        self.mail.attach(page, session, self.conversations)
        self._stack.addWidget(page)
        self._stack.setCurrentWidget(page)
        self._chrome.set_private(False)
        restore_panes(self._settings, page)
        state = self._settings.geometry("state")
        if state is not None:
            self.restoreState(state)
        self._binding = SessionBinding(
            session,
            self,
            chrome=self._chrome,
            status=self.sync_status,
            notifier=self.notifier,
            settings=self._settings,
        )
        self._set_workspace_chrome(True)
        session.prefer(self._settings.last_profile(login))
        session.refresh_profiles()

    def close_session(self) -> None:
        if self._session is not None:
            self._save_layout()
        if self._binding is not None:
            self._binding.deleteLater()
        self._binding = None
        if self._page is not None:
            self._page.reader.attachments.discard_opened()
            self._stack.removeWidget(self._page)
            self._page.deleteLater()
        self._page = None
        self._session = None
        self.notifier.set_unread(0)
        self._set_workspace_chrome(False)
        self._chrome.show_active(None, None)

    def show_gate(self, gate: QWidget) -> None:
        """Puts the sign-in (or lock) screen in front; the workspace stays loaded behind it, but
        the attachments opened from it are deleted, as nothing readable may outlast a lock."""
        if self._stack.indexOf(gate) < 0:
            self._stack.addWidget(gate)
        self._stack.setCurrentWidget(gate)
        self._chrome.set_private(True)
        self._set_workspace_chrome(False)
        if self._page is not None:
            self._page.read_timer.pause()
            self._page.reader.attachments.discard_opened()

    def show_workspace(self) -> None:
        if self._page is not None:
            self._stack.setCurrentWidget(self._page)
            self._chrome.set_private(False)
            self._set_workspace_chrome(True)
            self._page.read_timer.resume()

    # The active profile

    def activate_nth_profile(self, number: int) -> None:
        profiles = self.profiles
        if 1 <= number <= len(profiles):
            self.activate_profile(profiles[number - 1].id)

    def activate_profile(self, profile_id: int) -> None:
        """From a key, the switcher or a notification: the sidebar lists that profile alone."""
        if self._session is None or self._page is None:
            return
        self._page.sidebar.select_profile(profile_id)
        self._session.activate(profile_id)

    def _switcher_chosen(self, index: int) -> None:
        profile_id = self.switcher.itemData(index)
        if isinstance(profile_id, int):
            self.activate_profile(profile_id)

    # Other actions

    def _focus_search(self) -> None:
        if self._page is not None:
            self._page.inbox.focus_search()

    def show_shortcuts(self) -> None:
        dialog = ShortcutsDialog([*self.actions(), *self.mail.actions], self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.shortcuts_dialog = dialog
        dialog.show()

    def _next_pane(self) -> None:
        page = self._page
        if page is None:
            return
        panes = [page.sidebar, page.inbox.table, page.reader.browser]
        focused = self.focusWidget()
        current = next((i for i, pane in enumerate(panes) if pane is focused), -1)
        panes[(current + 1) % len(panes)].setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _show_all(self) -> None:
        if self._page is not None:
            self._page.sidebar.show_all()

    def _sync(self, profile_id: int) -> None:
        if self._session is not None:
            self._session.sync(profile_id)

    def _sign_in_again(self, profile_id: int) -> None:
        if self._session is not None:
            self._session.sign_in_again(profile_id)

    def _sync_all(self) -> None:
        if self._session is not None:
            self._session.sync_all()

    def _mute_toggled(self, muted: bool) -> None:
        profile = self.active_profile
        if profile is not None:
            self.set_muted(profile.id, muted)

    def set_muted(self, profile_id: int, muted: bool) -> None:
        """Per profile, remembered per user: the most requested multi-account mail setting."""
        session = self._session
        if session is None:
            return
        current = self._settings.muted(session.user_login)
        current = current | {profile_id} if muted else current - {profile_id}
        self._settings.set_muted(session.user_login, current)
        self.notifier.set_muted(current)
        if self._page is not None:
            self._page.sidebar.profiles.set_muted(current)
        active = self.active_profile
        if active is not None and active.id == profile_id:
            self._chrome.show_muted(muted)

    def show_error(self, message: str) -> None:
        self.statusBar().showMessage(message, SessionBinding.STATUS_MESSAGE_MS)

    def _set_workspace_chrome(self, visible: bool) -> None:
        self.toolbar.setVisible(visible)
        self.menuBar().setVisible(visible)
        self.sync_status.setVisible(visible)
        for action in self.actions():
            action.setEnabled(visible)
        if visible:
            self._chrome.show_active(self.active_profile, self._session)
        self.quit_action.setEnabled(True)

    def _raise(self) -> None:
        self.showNormal()
        self.raise_()
        self.activateWindow()

    def place_reader(self, below: bool) -> None:
        if self._page is not None:
            place_reader(self._settings, self._page, below)

    def _save_layout(self) -> None:
        self._settings.set_geometry("geometry", self.saveGeometry())
        self._settings.set_geometry("state", self.saveState())
        if self._page is not None:
            save_panes(self._settings, self._page)
        self._settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self._save_layout()
        self.notifier.hide()
        super().closeEvent(event)
