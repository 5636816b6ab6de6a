"""The window's commands: every action with its keys and tip, the toolbar and the menus.

Kept apart from what the actions do (:mod:`desktop.gui.mainwindow.window`), so the list of what
a person can do, and where they find it, reads in one place and feeds the F1 shortcut list.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QIcon, QKeySequence, QResizeEvent
from PySide6.QtWidgets import QComboBox, QMainWindow, QMenu, QToolBar, QToolButton, QWidget

from desktop.core.roles import Action
from desktop.gui.icons import icon
from desktop.gui.mainwindow.badge import ActiveProfileBadge

AUTO_LOCK_CHOICES = (0, 5, 15, 30, 60)
PROFILE_SHORTCUTS = 9

T = TypeVar("T")
Keys = QKeySequence | QKeySequence.StandardKey | str


def command_action(
    owner: QWidget, text: str, icon_name: str | None, shortcut: Keys | None, tip: str
) -> QAction:
    """An action of the window, its keys named in its tip, so F1 and the tooltips agree."""
    action = QAction(icon(icon_name) if icon_name else QIcon(), text, owner)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
        tip = f"{tip} ({action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})"
    action.setToolTip(tip)
    action.setStatusTip(tip)
    owner.addAction(action)
    return action


def choice_menu(
    title: str,
    choices: Sequence[tuple[T, str]],
    chosen: T,
    on_chosen: Callable[[T], None],
    parent: QWidget,
) -> tuple[QMenu, list[QAction]]:
    """A submenu of exclusive, checkable settings (auto-lock, mark-read delay)."""
    menu = QMenu(title, parent)
    menu.setToolTipsVisible(True)
    group = QActionGroup(menu)
    for value, text in choices:
        action = menu.addAction(text)
        action.setCheckable(True)
        action.setChecked(value == chosen)
        action.triggered.connect(lambda _c=False, v=value: on_chosen(v))
        group.addAction(action)
    return menu, group.actions()


class CommandWindow(QMainWindow):
    """Builds the actions disabled and unconnected; the subclass gives them their behaviour."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.badge = ActiveProfileBadge()
        self.switcher = QComboBox()
        self.switcher.setAccessibleName(self.tr("Active profile"))
        self.switcher.setToolTip(self.tr("Choose the profile you act as (Ctrl+1…9)"))
        # How short the name may get when the window is narrow (see ``fit_toolbar``).
        self.switcher.setMinimumContentsLength(24)
        # Buttons that show their icon alone (Delete, Archive, Move, Flag): the signs every mail
        # program uses, so that the profile's whole name keeps its room; the tip names them.
        self.icon_only_actions: list[QAction] = []
        self._create_actions()

    def _action(self, text: str, icon_name: str | None, shortcut: Keys | None, tip: str) -> QAction:
        return command_action(self, text, icon_name, shortcut, tip)

    def _create_actions(self) -> None:
        tr = self.tr
        self.find_action = self._action(
            tr("&Search"), "search", QKeySequence.StandardKey.Find, tr("Search all mail")
        )
        self.all_inboxes_action = self._action(
            tr("&All inboxes"), "inbox", "Ctrl+0", tr("List every profile's mail")
        )
        self.sync_action = self._action(
            tr("S&ync now"), "sync", "F5", tr("Fetch new mail for every profile")
        )
        self.sync_action.setIconText(tr("Sync"))  # the toolbar's room goes to the profile's name
        self.import_action = self._action(
            tr("&Import mail…"),
            "inbox",
            "Ctrl+Shift+I",
            tr("Import mbox or .eml files, or a Maildir folder, into one of your profiles"),
        )
        self.profiles_action = self._action(
            tr("&Profiles…"), "profiles", "Ctrl+Shift+P", tr("Add, edit or delete profiles")
        )
        self.support_action = self._action(
            tr("Support &ID…"), "support", "Ctrl+I", tr("Show the support ID to read out")
        )
        self.lookup_action = self._action(
            tr("&Look up support ID…"),
            "admin",
            "Ctrl+Shift+L",
            tr("Admin: find the user and profile behind a support ID"),
        )
        self.audit_action = self._action(
            tr("&Audit log…"), "audit", "Ctrl+Shift+A", tr("Admin: what happened, when")
        )
        self.activity_action = self._action(
            tr("&My activity…"),
            "audit",
            None,
            tr("What you did, and the connections made for your profiles"),
        )
        self.mute_action = self._action(
            tr("&Mute notifications for this profile"),
            "bell-off",
            "Ctrl+M",
            tr("No desktop notifications for the active profile"),
        )
        self.mute_action.setIconText(tr("Mute"))
        self.mute_action.setCheckable(True)
        self.lock_action = self._action(
            tr("&Lock"), "lock", "Ctrl+Alt+L", tr("Hide everything until you sign in again")
        )
        self.compose_action = self._action(
            tr("&New message"), "compose", "Ctrl+N", tr("Write a message from the active profile")
        )
        self.compose_action.setIconText(tr("New"))
        self.reply_action = self._action(
            tr("&Reply"), "reply", "Ctrl+R", tr("Answer the sender, from the profile it came to")
        )
        self.reply_all_action = self._action(
            tr("Reply &all"),
            "reply-all",
            "Ctrl+Shift+R",
            tr("Answer everyone it went to, except your own addresses"),
        )
        self.forward_action = self._action(
            tr("&Forward"), "forward", "Ctrl+L", tr("Send the message on to someone else")
        )
        self.forward_attached_action = self._action(
            tr("Forward as a&ttachment"),
            None,
            None,
            tr("Send the whole message on, attached as it was received"),
        )
        self.outbox_action = self._action(
            tr("&Outbox…"), "outbox", None, tr("Messages that have not left yet")
        )
        self.sign_out_action = self._action(
            tr("Sign &out"), "sign-out", None, tr("Sign out and forget 'remember me'")
        )
        self.next_pane_action = self._action(
            tr("Next &pane"), None, "F6", tr("Move between profiles, messages and reader")
        )
        self.shortcuts_action = self._action(
            tr("&Keyboard shortcuts"), None, "F1", tr("Every key this window knows")
        )
        self.quit_action = self._action(
            tr("&Quit"), None, QKeySequence.StandardKey.Quit, tr("Quit Switchboard")
        )
        self.admin_actions = {
            Action.LOOK_UP_ANY_SUPPORT_ID: self.lookup_action,
            Action.READ_AUDIT_LOG: self.audit_action,
        }
        self.switch_actions: list[QAction] = []
        for number in range(1, PROFILE_SHORTCUTS + 1):
            switch = QAction(self)
            switch.setShortcut(QKeySequence(f"Ctrl+{number}"))
            # Switching must work from the support panel or audit view too, not only here.
            switch.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
            self.addAction(switch)
            self.switch_actions.append(switch)

    def _create_toolbar_and_menus(self, auto_lock: QMenu) -> None:
        toolbar = QToolBar(self.tr("Main"))
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.setFloatable(False)
        toolbar.toggleViewAction().setVisible(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.addWidget(self.switcher)
        toolbar.addSeparator()
        for action in (
            self.compose_action,
            self.reply_action,
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
        file_menu.addMenu(auto_lock)
        file_menu.addAction(self.sign_out_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        self.edit_menu = menus.addMenu(self.tr("&Edit"))
        self.view_menu = menus.addMenu(self.tr("&View"))
        self.view_menu.addActions(
            [self.find_action, self.all_inboxes_action, self.next_pane_action]
        )
        self.message_menu = menus.addMenu(self.tr("&Message"))
        self.message_menu.addActions(
            [
                self.compose_action,
                self.reply_action,
                self.reply_all_action,
                self.forward_action,
                self.forward_attached_action,
            ]
        )
        self.drafts_menu = self.message_menu.addMenu(self.tr("&Drafts"))
        self.message_menu.addAction(self.outbox_action)
        self.message_menu.addSeparator()
        self.profile_menu = menus.addMenu(self.tr("&Profiles"))
        self.tools_menu = menus.addMenu(self.tr("&Tools"))
        self.tools_menu.addActions(
            [self.support_action, self.lookup_action, self.audit_action, self.activity_action]
        )
        help_menu = menus.addMenu(self.tr("&Help"))
        help_menu.addAction(self.shortcuts_action)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit_toolbar()

    def fit_toolbar(self) -> None:
        """The whole profile name and words beside the icons while they fit; then a shortened
        name (whole in the list); then icons alone: no command goes out of sight.

        The words come back as tooltips and accessible names, which the actions keep either way.
        """
        toolbar, switcher = self.toolbar, self.switcher
        self._set_button_style(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for policy in (
            QComboBox.SizeAdjustPolicy.AdjustToContents,
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon,
        ):
            switcher.setSizeAdjustPolicy(policy)
            if toolbar.sizeHint().width() <= self.width():
                return
        self._set_button_style(Qt.ToolButtonStyle.ToolButtonIconOnly)

    def _set_button_style(self, style: Qt.ToolButtonStyle) -> None:
        self.toolbar.setToolButtonStyle(style)
        for action in self.icon_only_actions:
            button = self.toolbar.widgetForAction(action)
            if isinstance(button, QToolButton):
                button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)

    def createPopupMenu(self) -> QMenu | None:
        """No context menu to hide the toolbar: the active-profile badge must stay visible."""
        return None
