"""The main window: the frame every screen of the app lives in.

It shows the sign-in gate until a workspace (a signed-in session) is opened, then the working
area with its toolbar, menus and status bar. The active profile is the window's central fact:
it is in the title, in an always-visible badge, and decides which actions exist at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from PySide6.QtCore import QByteArray, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QMainWindow,
    QMenu,
    QStackedWidget,
    QToolBar,
    QWidget,
)

from desktop.core.roles import Action
from desktop.gui.icons import icon
from desktop.gui.mainwindow.badge import ActiveProfileBadge
from desktop.gui.mainwindow.settings import WindowSettings, open_settings
from desktop.gui.mainwindow.shortcuts import ShortcutsDialog
from desktop.gui.mainwindow.sync_status import SyncStatusArea, colour_dot
from desktop.gui.mainwindow.tray import Notifier
from desktop.gui.mainwindow.workspace_page import WorkspacePage
from desktop.gui.session.viewdata import ProfileCard
from desktop.gui.session.workers import Workers
from desktop.gui.session.workspace import Workspace
from desktop.services.failures import describe

APP_TITLE = "Switchboard"
STATUS_MESSAGE_MS = 8000
AUTO_LOCK_CHOICES = (0, 5, 15, 30, 60)


class MainWindow(QMainWindow):
    """Emits ``lock_requested`` and ``sign_out_requested``; the owner decides what follows."""

    active_profile_changed = Signal(object)
    lock_requested = Signal()
    sign_out_requested = Signal()
    sync_requested = Signal(int)
    auto_lock_changed = Signal(int)

    def __init__(self, parent: QWidget | None = None, settings: QSettings | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowTitle(APP_TITLE)
        self._qsettings = settings or open_settings()
        self._settings = WindowSettings(self._qsettings)
        self._workers = Workers(self)
        self._workspace: Workspace | None = None
        self._page: WorkspacePage | None = None
        self._profiles: list[ProfileCard] = []
        self._active: ProfileCard | None = None
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
        self.badge = ActiveProfileBadge()
        self.switcher = QComboBox()
        self.switcher.setAccessibleName(self.tr("Active profile"))
        self.switcher.setToolTip(self.tr("Choose the profile you act as (Ctrl+1…9)"))
        self.switcher.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.switcher.activated.connect(self._switcher_chosen)
        self.sync_status = SyncStatusArea()
        self.sync_status.retry_requested.connect(self.sync_requested)

        self._create_actions()
        self._create_toolbar_and_menus()
        self.statusBar().addPermanentWidget(self.sync_status)
        self._set_workspace_chrome(False)
        self.resize(1280, 800)
        geometry = self._settings.geometry("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)

    # Building

    def _action(
        self,
        text: str,
        icon_name: str | None,
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None,
        tip: str,
    ) -> QAction:
        action = QAction(icon(icon_name) if icon_name else QIcon(), text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            tip = f"{tip} ({action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})"
        action.setToolTip(tip)
        action.setStatusTip(tip)
        self.addAction(action)
        return action

    def _create_actions(self) -> None:
        self.find_action = self._action(
            self.tr("&Search"), "search", QKeySequence.StandardKey.Find, self.tr("Search all mail")
        )
        self.find_action.triggered.connect(self._focus_search)
        self.all_inboxes_action = self._action(
            self.tr("&All inboxes"), "inbox", "Ctrl+0", self.tr("List every profile's mail")
        )
        self.all_inboxes_action.triggered.connect(self._show_all)
        self.sync_action = self._action(
            self.tr("S&ync now"), "sync", "F5", self.tr("Fetch new mail for every profile")
        )
        self.sync_action.triggered.connect(self._sync_all)
        self.import_action = self._action(
            self.tr("&Import mail…"),
            "inbox",
            "Ctrl+Shift+I",
            self.tr("Import mbox or .eml files into the active profile"),
        )
        self.profiles_action = self._action(
            self.tr("&Profiles…"),
            "profiles",
            "Ctrl+Shift+P",
            self.tr("Add, edit or delete profiles"),
        )
        self.support_action = self._action(
            self.tr("Support &ID…"), "support", "Ctrl+I", self.tr("Show the support ID to read out")
        )
        self.lookup_action = self._action(
            self.tr("&Look up support ID…"),
            "admin",
            "Ctrl+Shift+L",
            self.tr("Admin: find the user and profile behind a support ID"),
        )
        self.audit_action = self._action(
            self.tr("&Audit log…"), "audit", "Ctrl+Shift+A", self.tr("Admin: what happened, when")
        )
        self.activity_action = self._action(
            self.tr("&My activity…"),
            "audit",
            None,
            self.tr("What you did, and the connections made for your profiles"),
        )
        self.mute_action = self._action(
            self.tr("&Mute notifications for this profile"),
            "bell-off",
            "Ctrl+M",
            self.tr("No desktop notifications for the active profile"),
        )
        self.mute_action.setIconText(self.tr("Mute"))
        self.mute_action.setCheckable(True)
        self.mute_action.toggled.connect(self._mute_toggled)
        self.lock_action = self._action(
            self.tr("&Lock"), "lock", "Ctrl+L", self.tr("Hide everything until you sign in again")
        )
        self.lock_action.triggered.connect(self.lock_requested)
        self.sign_out_action = self._action(
            self.tr("Sign &out"), "sign-out", None, self.tr("Sign out and forget 'remember me'")
        )
        self.sign_out_action.triggered.connect(self.sign_out_requested)
        self.next_pane_action = self._action(
            self.tr("Next &pane"), None, "F6", self.tr("Move between profiles, messages and reader")
        )
        self.next_pane_action.triggered.connect(self._next_pane)
        self.shortcuts_action = self._action(
            self.tr("&Keyboard shortcuts"), None, "F1", self.tr("Every key this window knows")
        )
        self.shortcuts_action.triggered.connect(self.show_shortcuts)
        self.quit_action = self._action(
            self.tr("&Quit"), None, QKeySequence.StandardKey.Quit, self.tr("Quit Switchboard")
        )
        self.quit_action.triggered.connect(self.close)
        self.admin_actions = {
            Action.LOOK_UP_ANY_SUPPORT_ID: self.lookup_action,
            Action.READ_AUDIT_LOG: self.audit_action,
        }
        self.switch_actions: list[QAction] = []
        for number in range(1, 10):
            switch = QAction(self)
            switch.setShortcut(QKeySequence(f"Ctrl+{number}"))
            # Switching must work from the support panel or audit view too, not only here.
            switch.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
            switch.triggered.connect(lambda _c=False, n=number: self.activate_nth_profile(n))
            self.addAction(switch)
            self.switch_actions.append(switch)

    def _create_toolbar_and_menus(self) -> None:
        toolbar = QToolBar(self.tr("Main"))
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.setFloatable(False)
        toolbar.toggleViewAction().setVisible(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.addWidget(self.switcher)
        toolbar.addSeparator()
        for action in (
            self.sync_action,
            self.find_action,
            self.profiles_action,
            self.support_action,
            self.lookup_action,
            self.audit_action,
            self.mute_action,
            self.lock_action,
        ):
            toolbar.addAction(action)
        self.addToolBar(toolbar)
        self.toolbar = toolbar

        menus = self.menuBar()
        # In the menu bar's corner the badge is never pushed out of sight by a narrow window,
        # as it would be at the end of the toolbar.
        menus.setCornerWidget(self.badge, Qt.Corner.TopRightCorner)
        file_menu = menus.addMenu(self.tr("&File"))
        file_menu.addActions([self.sync_action, self.import_action, self.lock_action])
        file_menu.addMenu(self._auto_lock_menu())
        file_menu.addAction(self.sign_out_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        view_menu = menus.addMenu(self.tr("&View"))
        view_menu.addActions([self.find_action, self.all_inboxes_action, self.next_pane_action])
        self.profile_menu = menus.addMenu(self.tr("&Profiles"))
        tools = menus.addMenu(self.tr("&Tools"))
        tools.addActions([self.support_action, self.lookup_action, self.audit_action])
        tools.addAction(self.activity_action)
        help_menu = menus.addMenu(self.tr("&Help"))
        help_menu.addAction(self.shortcuts_action)
        self._rebuild_profile_menu()

    def _auto_lock_menu(self) -> QMenu:
        menu = QMenu(self.tr("Lock &automatically"), self)
        menu.setToolTipsVisible(True)
        group = QActionGroup(menu)
        chosen = self._settings.auto_lock_minutes()
        for minutes in AUTO_LOCK_CHOICES:
            text = (
                self.tr("after {n} minutes idle").format(n=minutes) if minutes else self.tr("Never")
            )
            action = menu.addAction(text)
            action.setCheckable(True)
            action.setChecked(minutes == chosen)
            action.triggered.connect(lambda _c=False, m=minutes: self._set_auto_lock(m))
            group.addAction(action)
        self.auto_lock_actions = group.actions()
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
        self._set_workspace_chrome(False)

    @property
    def notice(self) -> str:
        return self._welcome.text() if self._stack.currentWidget() is self._welcome else ""

    def createPopupMenu(self) -> QMenu | None:
        """No context menu to hide the toolbar: the active-profile badge must stay visible."""
        return None

    # Workspace

    @property
    def workspace_page(self) -> WorkspacePage | None:
        return self._page

    @property
    def workspace(self) -> Workspace | None:
        return self._workspace

    @property
    def active_profile(self) -> ProfileCard | None:
        return self._active

    @property
    def profiles(self) -> list[ProfileCard]:
        return list(self._profiles)

    def open_workspace(self, workspace: Workspace) -> None:
        self.close_workspace()
        self._workspace = workspace
        page = WorkspacePage(workspace)
        page.failed.connect(self.show_error)
        page.unread_changed.connect(self._adjust_unread)
        # The sidebar already shows its choice; selecting again would undo a Ctrl+click.
        page.sidebar.profile_activated.connect(lambda pid: self.activate_profile(pid, select=False))
        page.sidebar.mute_requested.connect(self.set_muted)
        page.sidebar.sync_requested.connect(self.sync_requested)
        page.sidebar.profiles.set_muted(self._settings.muted(workspace.user_login))
        self.notifier.set_muted(self._settings.muted(workspace.user_login))
        self._page = page
        self._stack.addWidget(page)
        self._stack.setCurrentWidget(page)
        splitter = self._settings.geometry("splitter")
        if splitter is not None:
            page.splitter.restoreState(splitter)
        state = self._settings.geometry("state")
        if state is not None:
            self.restoreState(state)
        self._set_workspace_chrome(True)
        self.refresh_profiles()
        page.inbox_model.reload()

    def close_workspace(self) -> None:
        if self._page is not None:
            self._save_layout()
            self._stack.removeWidget(self._page)
            self._page.deleteLater()
        self._page = None
        self._workspace = None
        self._profiles = []
        self._active = None
        self.notifier.set_unread(0)
        self._set_workspace_chrome(False)
        self._apply_active(None)

    def show_gate(self, gate: QWidget) -> None:
        """Puts the sign-in (or lock) screen in front; the workspace stays loaded behind it."""
        if self._stack.indexOf(gate) < 0:
            self._stack.addWidget(gate)
        self._stack.setCurrentWidget(gate)
        self._set_workspace_chrome(False)

    def show_workspace(self) -> None:
        if self._page is not None:
            self._stack.setCurrentWidget(self._page)
            self._set_workspace_chrome(True)

    def refresh_profiles(self) -> None:
        workspace = self._workspace
        if workspace is None:
            return
        self._workers.submit(
            lambda: list(workspace.profiles()), self._apply_profiles, self._on_error
        )

    def _adjust_unread(self, profile_id: int, change: int) -> None:
        """One profile's count moves by what an open changed; nothing is counted again."""
        profiles = [
            replace(p, unread=max(0, p.unread + change)) if p.id == profile_id else p
            for p in self._profiles
        ]
        if self._page is not None and profiles != self._profiles:
            self._profiles = profiles
            self._page.set_profiles(profiles)
            self.notifier.set_unread(sum(p.unread for p in profiles))

    def _apply_profiles(self, profiles: Sequence[ProfileCard]) -> None:
        page, workspace = self._page, self._workspace
        if page is None or workspace is None:
            return
        first_time = not self._profiles
        if [p.id for p in profiles] != [p.id for p in self._profiles]:
            self.sync_status.set_profiles(profiles)
        self._profiles = list(profiles)
        page.set_profiles(self._profiles)
        self.notifier.set_unread(sum(p.unread for p in self._profiles))
        self._rebuild_switcher()
        self._rebuild_profile_menu()
        if first_time:
            remembered = self._settings.last_profile(workspace.user_login)
            known = {p.id for p in self._profiles}
            chosen = remembered if remembered in known else None
            if chosen is None and self._profiles:
                chosen = self._profiles[0].id
            page.sidebar.show_all()
            if chosen is not None:
                self.activate_profile(chosen, select=False)
        elif self._active is not None:
            still = next((p for p in self._profiles if p.id == self._active.id), None)
            if still is None and self._profiles:
                self.activate_profile(self._profiles[0].id, select=False)
            else:
                self._apply_active(still)

    # The active profile

    def activate_nth_profile(self, number: int) -> None:
        if 1 <= number <= len(self._profiles):
            self.activate_profile(self._profiles[number - 1].id)

    def activate_profile(self, profile_id: int, select: bool = True) -> None:
        profile = next((p for p in self._profiles if p.id == profile_id), None)
        workspace, page = self._workspace, self._page
        if profile is None or workspace is None or page is None:
            return
        if select:
            page.sidebar.select_profile(profile_id)
        if self._active is not None and self._active.id == profile_id:
            return
        workspace.use_profile(profile_id)
        self._apply_active(profile)
        self._settings.set_last_profile(workspace.user_login, profile_id)
        self._workers.submit(
            lambda: workspace.activate_profile(profile_id), lambda _none: None, self._on_error
        )

    def _apply_active(self, profile: ProfileCard | None) -> None:
        self._active = profile
        self.badge.set_profile(profile)
        user = self._workspace.user_name if self._workspace is not None else ""
        if profile is None:
            self.setWindowTitle(APP_TITLE)
        else:
            self.setWindowTitle(f"{profile.label} — {user} — {APP_TITLE}")
        for permission, action in self.admin_actions.items():
            allowed = (
                profile is not None
                and self._workspace is not None
                and self._workspace.allows(permission, profile)
            )
            action.setVisible(allowed)
            action.setEnabled(allowed)
        self.mute_action.blockSignals(True)
        self.mute_action.setChecked(profile is not None and self.notifier.is_muted(profile.id))
        self.mute_action.blockSignals(False)
        self.mute_action.setEnabled(profile is not None)
        index = self.switcher.findData(profile.id if profile else None)
        self.switcher.setCurrentIndex(index)
        self.active_profile_changed.emit(profile)

    def _rebuild_switcher(self) -> None:
        self.switcher.blockSignals(True)
        self.switcher.clear()
        for number, profile in enumerate(self._profiles, start=1):
            shortcut = f"  (Ctrl+{number})" if number <= 9 else ""
            self.switcher.addItem(colour_dot(profile.colour), profile.label + shortcut, profile.id)
        if self._active is not None:
            self.switcher.setCurrentIndex(self.switcher.findData(self._active.id))
        self.switcher.blockSignals(False)
        # The toolbar keeps the width it had when empty unless told that the hint changed.
        self.switcher.setMinimumWidth(self.switcher.sizeHint().width())

    def _rebuild_profile_menu(self) -> None:
        menu = self.profile_menu
        menu.clear()
        menu.addAction(self.all_inboxes_action)
        for number, profile in enumerate(self._profiles[:9], start=1):
            action = self.switch_actions[number - 1]
            action.setText(f"&{number} {profile.label}")
            action.setIcon(colour_dot(profile.colour))
            menu.addAction(action)
        menu.addSeparator()
        menu.addActions([self.profiles_action, self.mute_action])

    def _switcher_chosen(self, index: int) -> None:
        profile_id = self.switcher.itemData(index)
        if isinstance(profile_id, int):
            self.activate_profile(profile_id)

    # Other actions

    def _focus_search(self) -> None:
        if self._page is not None:
            self._page.inbox.focus_search()

    def show_shortcuts(self) -> None:
        dialog = ShortcutsDialog(self.actions(), self)
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

    def _sync_all(self) -> None:
        for profile in self._profiles:
            self.sync_requested.emit(profile.id)

    def _mute_toggled(self, muted: bool) -> None:
        if self._active is not None:
            self.set_muted(self._active.id, muted)

    def set_muted(self, profile_id: int, muted: bool) -> None:
        """Per profile, remembered per user: the most requested multi-account mail setting."""
        workspace = self._workspace
        if workspace is None:
            return
        current = self._settings.muted(workspace.user_login)
        current = current | {profile_id} if muted else current - {profile_id}
        self._settings.set_muted(workspace.user_login, current)
        self.notifier.set_muted(current)
        if self._page is not None:
            self._page.sidebar.profiles.set_muted(current)
        if self._active is not None and self._active.id == profile_id:
            self.mute_action.blockSignals(True)
            self.mute_action.setChecked(muted)
            self.mute_action.blockSignals(False)

    def show_error(self, message: str) -> None:
        self.statusBar().showMessage(message, STATUS_MESSAGE_MS)

    def _on_error(self, error: Exception) -> None:
        self.show_error(describe(error).summary)

    def _set_workspace_chrome(self, visible: bool) -> None:
        self.toolbar.setVisible(visible)
        self.menuBar().setVisible(visible)
        self.sync_status.setVisible(visible)
        for action in self.actions():
            action.setEnabled(visible)
        if visible:
            self._apply_active(self._active)
        self.quit_action.setEnabled(True)

    def _raise(self) -> None:
        self.showNormal()
        self.raise_()
        self.activateWindow()

    def _save_layout(self) -> None:
        self._settings.set_geometry("geometry", self.saveGeometry())
        self._settings.set_geometry("state", self.saveState())
        if self._page is not None:
            self._settings.set_geometry("splitter", QByteArray(self._page.splitter.saveState()))
        self._settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self._save_layout()
        self.notifier.hide()
        super().closeEvent(event)
