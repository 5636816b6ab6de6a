"""Delete, archive, move, flag and mark: from the Message menu, the toolbar, the list's context
menu, the keys of Thunderbird and drag and drop, on one message or many.

Keys: Delete (to the Trash; in the Trash, for good after asking), Shift+Delete (for good, after
asking), A (archive), Ctrl+Shift+V (move to a folder, the picker; Outlook's key for "Move to
Folder", since Ctrl+M already mutes), S (flag or unflag), M (read or unread), Ctrl+Z (undo the last
move, archive or delete). The single letters and Delete act only while the list or the reader has
the focus, so typing in the search field or in the folder pane never moves mail.

Nothing here changes a list: the session runs each action and its signals move the rows, as
they do for any other change of mail. Kept apart from the window, which only builds it and hands
it each new working area.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QIcon, QKeySequence
from PySide6.QtWidgets import QMessageBox

from desktop.core.folders import FolderRole
from desktop.core.mail_views import MailView
from desktop.gui.icons import icon
from desktop.gui.mainwindow.commands import CommandWindow
from desktop.gui.mainwindow.conversation_view import ConversationView
from desktop.gui.mainwindow.copy_flow import CopyFlow, is_copy
from desktop.gui.mainwindow.delete_question import ask_delete_for_good
from desktop.gui.mainwindow.move_picker import MovePicker, Target, folder_choices
from desktop.gui.mainwindow.reading_menu import ReadingMenu
from desktop.gui.mainwindow.workspace_page import WorkspacePage
from desktop.gui.session.mail_actions import BY_ROLE, Destination, Undoable
from desktop.gui.session.records import InboxRow
from desktop.gui.session.session import Session

UNDO_TEXTS = {
    Undoable.NOTHING: "&Undo",
    Undoable.MOVE: "&Undo Move",
    Undoable.ARCHIVE: "&Undo Archive",
    Undoable.DELETE: "&Undo Delete",
}


class MailMenu(QObject):
    def __init__(self, window: CommandWindow, reading: ReadingMenu) -> None:
        super().__init__(window)
        self._window = window
        self._reading = reading
        self._page: WorkspacePage | None = None
        self._session: Session | None = None
        self._conversations: ConversationView | None = None
        self.picker: MovePicker | None = None
        self.confirmation: QMessageBox | None = None
        self.copying = CopyFlow(window)
        tr = self.tr
        self.delete_action = self._action(
            tr("De&lete"),
            "delete",
            "Del",
            tr("Move the chosen messages to the Trash; in the Trash, delete them for good"),
        )
        self.delete_forever_action = self._action(
            tr("Delete &permanently…"),
            None,
            "Shift+Del",
            tr("Delete the chosen messages for good, after asking"),
        )
        self.archive_action = self._action(
            tr("Ar&chive"), "archive", "A", tr("Move the chosen messages to their Archive folder")
        )
        self.move_action = self._action(
            tr("&Move to…"),
            "move",
            "Ctrl+Shift+V",
            tr("Move the chosen messages to another folder of their profile"),
        )
        self.flag_action = self._action(
            tr("Fla&g"), "flag", "S", tr("Flag the chosen messages, or take their flag away")
        )
        self.toggle_read_action = self._action(
            tr("Mar&k read or unread"),
            None,
            "M",
            tr("Mark the chosen messages read, or unread when all of them are read"),
        )
        self.undo_action = self._action(
            tr("&Undo"),
            None,
            QKeySequence.StandardKey.Undo,
            tr("Take back the last move, archive or delete"),
        )
        # Ctrl+Z is no letter: it may act wherever the window has the focus (the search field
        # keeps its own undo, as every text field does).
        self.undo_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.message_actions = [
            self.delete_action,
            self.delete_forever_action,
            self.archive_action,
            self.move_action,
            self.flag_action,
            self.toggle_read_action,
        ]
        self.actions = [*self.message_actions, self.undo_action]
        self._connect()
        self._place()
        self._show_undo(Undoable.NOTHING)
        self._refresh()

    def _action(
        self,
        text: str,
        icon_name: str | None,
        keys: str | QKeySequence.StandardKey,
        tip: str,
    ) -> QAction:
        """Not the window's own action: its keys belong to the list and the reader only."""
        action = QAction(icon(icon_name) if icon_name else QIcon(), text, self._window)
        action.setShortcut(QKeySequence(keys))
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shown = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        action.setToolTip(f"{tip} ({shown})")
        action.setStatusTip(action.toolTip())
        return action

    def _connect(self) -> None:
        self.delete_action.triggered.connect(lambda _c=False: self.delete())
        self.delete_forever_action.triggered.connect(lambda _c=False: self.delete_for_good())
        self.archive_action.triggered.connect(lambda _c=False: self.archive())
        self.move_action.triggered.connect(lambda _c=False: self.open_picker())
        self.flag_action.triggered.connect(lambda _c=False: self.toggle_flag())
        self.toggle_read_action.triggered.connect(lambda _c=False: self.toggle_read())
        self.undo_action.triggered.connect(lambda _c=False: self._undo())
        self._reading.mark_many = self.mark

    def _place(self) -> None:
        window = self._window
        buttons = [self.delete_action, self.archive_action, self.move_action, self.flag_action]
        window.toolbar.insertActions(window.sync_action, buttons)
        window.icon_only_actions.extend(buttons)
        window.fit_toolbar()
        window.message_menu.insertActions(
            self._reading.mark_read_action, [*self.message_actions, self._separator()]
        )
        window.edit_menu.addAction(self.undo_action)

    def _separator(self) -> QAction:
        separator = QAction(self)
        separator.setSeparator(True)
        return separator

    def attach(
        self, page: WorkspacePage, session: Session, conversations: ConversationView
    ) -> None:
        """A new working area: its list and reader take the keys, the list the context menu."""
        self._page, self._session, self._conversations = page, session, conversations
        self.copying.attach(session)
        page.destroyed.connect(self._detach)
        for widget in (page.inbox, page.reader):
            widget.addActions(self.actions)
        window = self._window
        menu = [
            window.reply_action,
            window.reply_all_action,
            window.forward_action,
            self._separator(),
            self.delete_action,
            self.archive_action,
            self.move_action,
            self._separator(),
        ]
        table = page.inbox.table
        table.insertActions(self._reading.mark_read_action, menu)
        table.addAction(self.flag_action)
        listing = conversations.list
        if listing is not None:
            listing.addActions([*menu[4:], self._reading.mark_read_action])
            listing.addActions([self._reading.mark_unread_action, self.flag_action])
            listing.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
            listing.selectionModel().selectionChanged.connect(self._refresh)
        if conversations.model is not None:  # a conversation's messages arrive after its choice
            conversations.model.messages_loaded.connect(self._refresh)
            conversations.model.modelReset.connect(self._refresh)
        conversations.action.toggled.connect(self._refresh)
        actions = session.mail_actions
        actions.moved.connect(self._moved)
        actions.deleted.connect(self._deleted)
        actions.flags_changed.connect(page.inbox.follow_flags)
        actions.flags_changed.connect(self._refresh)
        actions.undo_changed.connect(self._show_undo)
        actions.confirm_needed.connect(self._confirm_trash)
        page.inbox.emptied.connect(self._clear_reader)
        page.folder_pane.messages_dropped.connect(self.dropped)
        table.selectionModel().selectionChanged.connect(self._refresh)
        page.inbox_model.modelReset.connect(self._refresh)
        page.inbox_model.rowsRemoved.connect(self._refresh)
        self._show_undo(actions.undoable)
        self._refresh()

    def _detach(self) -> None:
        """Signed out: no working area, so nothing is chosen and nothing can be acted on."""
        self._page = self._session = self._conversations = None
        self.copying.detach()
        for action in self.message_actions:
            action.setEnabled(False)
        self._show_undo(Undoable.NOTHING)

    # What is chosen

    def selected(self) -> list[InboxRow]:
        page, conversations = self._page, self._conversations
        if page is None:
            return []
        listing = conversations.list if conversations is not None else None
        if listing is not None and listing.isVisible():
            return listing.selected_messages()
        return page.inbox.selected_rows()

    def _refresh(self, *_changed: object) -> None:
        rows = self.selected()
        for action in self.message_actions:
            action.setEnabled(bool(rows))
        flagged = bool(rows) and all(row.flagged for row in rows)
        self.flag_action.setText(self.tr("Unfla&g") if flagged else self.tr("Fla&g"))

    # The actions

    def archive(self) -> None:
        rows, session = self.selected(), self._session
        if rows and session is not None:
            session.mail_actions.archive(rows)

    def delete(self) -> None:
        rows, session = self.selected(), self._session
        if rows and session is not None:
            session.mail_actions.delete(rows)

    def delete_for_good(self) -> None:
        rows = self.selected()
        if rows:
            self._ask(rows, len(rows), every_one=True)

    def toggle_flag(self) -> None:
        rows, session = self.selected(), self._session
        if rows and session is not None:
            session.mail_actions.set_flagged(rows, not all(row.flagged for row in rows))

    def toggle_read(self) -> None:
        rows = self.selected()
        if rows:
            self.mark(not all(row.seen for row in rows), rows)

    def mark(self, seen: bool, rows: Sequence[InboxRow] | None = None) -> bool:
        """Read or unread; the open message alone goes through the reader's timer, which also
        stops a pending mark. False when nothing is chosen (the reader's message is then)."""
        page, session = self._page, self._session
        chosen = list(rows) if rows is not None else self.selected()
        if page is None or session is None or not chosen:
            return False
        shown = page.reader.message
        if len(chosen) == 1 and shown is not None and chosen[0].id == shown.id:
            page.read_timer.mark_by_hand(seen)
            return True
        if shown is not None and any(row.id == shown.id for row in chosen):
            page.read_timer.choose(shown.id)  # no pending mark undoes this one
        session.mail_actions.set_seen(chosen, seen)
        return True

    def open_picker(self) -> None:
        rows, session, page = self.selected(), self._session, self._page
        if not rows or session is None or page is None:
            return
        profiles = sorted({row.profile_id for row in rows})
        view = page.inbox_model.query.view
        others = {p.id: (p.organization, p.email) for p in session.profiles}
        choices = folder_choices(session.folders.tree, profiles, view, others)
        if not choices:
            session.report(
                self.tr(
                    "This profile has no other folder to move to yet. Sync it to fetch its folders."
                )
            )
            return
        picker = MovePicker(choices, len(profiles), self._window)
        picker.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        picker.chosen.connect(lambda target: self._move(rows, target))
        self.picker = picker
        picker.open()

    def _move(self, rows: Sequence[InboxRow], target: Target) -> None:
        session = self._session
        if session is None:
            return
        if is_copy(rows, target):  # another profile's folder: a copy, asked first
            assert isinstance(target, MailView)
            self.copying.offer(rows, target)
        elif isinstance(target, FolderRole):
            session.mail_actions.move_to_role(rows, target)
        else:
            session.mail_actions.move(rows, target)

    def dropped(self, message_ids: Sequence[int], view: MailView) -> None:
        """Messages dropped on a folder of the pane: moved within their profile, copied (after
        asking) to another's; the session checks whose folder it is."""
        page = self._page
        if page is None:
            return
        model = page.inbox_model
        places = (model.row_of(message_id) for message_id in message_ids)
        rows = [model.row_at(place) for place in places if place is not None]
        if view.role in BY_ROLE and not is_copy(rows, view):
            assert view.role is not None
            self._move(rows, view.role)
        else:
            self._move(rows, view)

    def _undo(self) -> None:
        if self._session is not None:
            self._session.mail_actions.undo()

    # Asking first

    def _confirm_trash(self, rows: Sequence[InboxRow], doomed: int) -> None:
        self._ask(list(rows), doomed, every_one=False)

    def _ask(self, rows: list[InboxRow], doomed: int, *, every_one: bool) -> None:
        """``every_one``: Shift+Delete destroys them all; else only those in the Trash go."""
        session = self._session

        def answered(yes: bool) -> None:
            self.confirmation = None
            if yes and session is not None:
                if every_one:
                    session.mail_actions.delete_for_good(rows)
                else:
                    session.mail_actions.delete_confirmed(rows)

        self.confirmation = ask_delete_for_good(self._window, len(rows), doomed, answered)

    # Following the session

    def _moved(self, message_ids: frozenset[int], where: Destination) -> None:
        if self._page is not None:
            self._page.inbox.follow_move(message_ids, where)
            self._leave_reader(message_ids)

    def _deleted(self, message_ids: frozenset[int]) -> None:
        if self._page is not None:
            self._page.inbox.take_out(message_ids)
            self._leave_reader(message_ids)

    def _leave_reader(self, message_ids: frozenset[int]) -> None:
        """The conversation list has no next row to take over: the reader empties instead."""
        page = self._page
        shown = page.reader.message if page is not None else None
        in_list = page is not None and page.inbox.table.isVisible()
        if shown is not None and shown.id in message_ids and not in_list:
            self._clear_reader()

    def _clear_reader(self) -> None:
        if self._page is not None:
            self._page.reader.clear()
            self._page.read_timer.clear()

    def _show_undo(self, kind: str) -> None:
        undoable = Undoable(kind)
        self.undo_action.setText(self.tr(UNDO_TEXTS[undoable]))
        self.undo_action.setEnabled(undoable is not Undoable.NOTHING)
