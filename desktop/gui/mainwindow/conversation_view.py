"""View > Conversations (Ctrl+T): the message list shows conversations instead of messages.

Kept apart from the window, which only builds it and hands it each new working area. The
conversation list takes the message list's place in the same pane, for the same profiles (it
follows the sidebar's choice); a conversation expands into its messages, and choosing one of
them shows it in the reader, as choosing a message in the plain list does. Searching lists
messages, so the plain list comes back while a search is typed.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QObject
from PySide6.QtWidgets import QAbstractItemView, QBoxLayout, QMenu, QTreeView, QWidget

from desktop.gui.inbox.row_delegate import RowDelegate
from desktop.gui.inbox.thread_model import ThreadModel
from desktop.gui.mainwindow.commands import command_action
from desktop.gui.mainwindow.workspace_page import WorkspacePage
from desktop.gui.session.records import InboxRow
from desktop.gui.session.session import Session
from desktop.gui.session.viewdata import InboxQuery


class ConversationList(QTreeView):
    def __init__(self, model: ThreadModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModel(model)
        self.setHeaderHidden(True)
        self.setUniformRowHeights(True)
        self.setAlternatingRowColors(True)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setItemDelegate(RowDelegate(self))
        self.setAccessibleName(self.tr("Conversations"))
        self.setAccessibleDescription(
            self.tr("Conversations of the listed profiles; a conversation opens into its messages")
        )

    def selected_messages(self) -> list[InboxRow]:
        """The chosen messages: a conversation's row stands for all its messages shown."""
        model = self.model()
        assert isinstance(model, ThreadModel)
        chosen: dict[int, InboxRow] = {}
        indexes = self.selectionModel().selectedRows() or [self.currentIndex()]
        for index in indexes:
            message = model.message_at(index)
            found = [message] if message is not None else []
            if message is None and index.isValid():
                found = model.messages_of(index.row())
            chosen.update((row.id, row) for row in found)
        return list(chosen.values())


class ConversationView(QObject):
    def __init__(self, window: QWidget, view_menu: QMenu) -> None:
        super().__init__(window)
        self.action = command_action(
            window,
            self.tr("&Conversations"),
            None,
            "Ctrl+T",
            self.tr("Group the list into conversations, each with its messages"),
        )
        self.action.setCheckable(True)
        self.action.toggled.connect(self._show)
        view_menu.addSeparator()
        view_menu.addAction(self.action)
        self._page: WorkspacePage | None = None
        self.model: ThreadModel | None = None
        self.list: ConversationList | None = None
        self._single: int | None = None

    def attach(self, page: WorkspacePage, session: Session) -> None:
        """A new working area: its conversation list, shown if the view is on."""
        workspace = session.workspace
        model = ThreadModel(workspace.thread_page, workspace.thread_messages, parent=page)
        listing = ConversationList(model, page.inbox)
        layout = page.inbox.layout()
        assert isinstance(layout, QBoxLayout)  # the list pane is a column
        layout.insertWidget(layout.indexOf(page.inbox.table) + 1, listing, 1)
        listing.selectionModel().selectionChanged.connect(self._chosen)
        page.inbox.model.modelReset.connect(self._follow_scope)
        session.mail_changed.connect(self._mail_changed)
        actions = session.mail_actions
        actions.moved.connect(self._mail_changed)
        actions.deleted.connect(self._mail_changed)
        actions.flags_changed.connect(self._mail_changed)
        model.load_failed.connect(session.report)
        model.messages_loaded.connect(self._messages_loaded)
        self._page, self.model, self.list = page, model, listing
        self._show(self.action.isChecked())

    def _mail_changed(self, *_what: object) -> None:
        if self.model is not None and self.action.isChecked():
            self.model.reload()

    def _show(self, on: bool) -> None:
        page, listing = self._page, self.list
        if page is None or listing is None:
            return
        searching = bool(page.inbox.model.query.search)
        listing.setVisible(on and not searching)
        page.inbox.table.setVisible(not on or searching)
        if on and not searching:
            self._follow_scope()

    def _follow_scope(self) -> None:
        page, model = self._page, self.model
        if page is None or model is None or not self.action.isChecked():
            return
        query = page.inbox.model.query
        if query.search:
            self._show(True)
            return
        self._show_list()
        model.set_query(InboxQuery(query.profile_ids))

    def _show_list(self) -> None:
        if self.list is not None and self._page is not None:
            self.list.setVisible(True)
            self._page.inbox.table.setVisible(False)

    def _chosen(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        model, listing, page = self.model, self.list, self._page
        indexes = selected.indexes()
        if model is None or listing is None or page is None or not indexes:
            return
        index = indexes[0]
        message = model.message_at(index)
        if message is not None:
            page.show_message(message.id)
        elif model.row_at(index.row()).message_count > 1:
            listing.expand(index)
        else:
            self._single = index.row()
            only = model.only_message(index.row())
            if only is None:
                model.fetch_messages(index.row())
            else:
                page.show_message(only.id)

    def _messages_loaded(self, row: int) -> None:
        """A one-message conversation chosen before its message was known: show it now."""
        model, page = self.model, self._page
        if model is None or page is None or row != self._single:
            return
        only = model.only_message(row)
        if only is not None:
            page.show_message(only.id)
