"""The conversation view of the inbox: one row per thread, paged like the message list.

Each row shows the conversation's subject with its message count, who took part and when its
latest message came, and is bold while any of it is unread; it is painted by the same row
delegate as the message list through the same roles (:class:`desktop.gui.inbox.model.Role`), so
switching views keeps the list's look. As in Thunderbird's threaded view, a conversation expands
in place into its messages, oldest first: they are fetched on the worker pool the first time it
opens (Qt's ``fetchMore`` on the thread's row), and choosing one shows it in the reader.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QLocale, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QFont

from desktop.gui.inbox.model import DEFAULT_PAGE_SIZE, AnyIndex, Role, sender_name, short_date
from desktop.gui.session.records import InboxRow, ThreadKey, ThreadRow, describe
from desktop.gui.session.viewdata import InboxQuery
from desktop.gui.session.workers import Workers

ThreadFetcher = Callable[[InboxQuery, ThreadKey | None, int], Sequence[ThreadRow]]
MessagesFetcher = Callable[[int], Sequence[InboxRow]]
NO_INDEX = QModelIndex()


class ThreadModel(QAbstractItemModel):
    """Conversations at the top level; a message row's ``internalId`` is its thread's row + 1."""

    load_failed = Signal(str)
    page_loaded = Signal(int)
    messages_loaded = Signal(int)  # the row of the conversation whose messages arrived

    def __init__(
        self,
        fetch_page: ThreadFetcher,
        fetch_messages: MessagesFetcher,
        page_size: int = DEFAULT_PAGE_SIZE,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._fetch_page = fetch_page
        self._fetch_messages = fetch_messages
        self._page_size = page_size
        self._workers = Workers(self)
        self._rows: list[ThreadRow] = []
        self._messages: dict[int, list[InboxRow]] = {}  # by thread id, once fetched
        self._asked: set[int] = set()
        self._query = InboxQuery()
        self._generation = 0
        self._exhausted = False
        self._in_flight = False
        self._bold = QFont()
        self._bold.setBold(True)
        self._locale = QLocale()
        self._today = datetime.now(UTC).astimezone().date()

    def set_query(self, query: InboxQuery) -> None:
        self.beginResetModel()
        self._query = query
        self._generation += 1
        self._rows, self._messages, self._asked = [], {}, set()
        self._exhausted = self._in_flight = False
        self.endResetModel()
        self.fetchMore(NO_INDEX)

    def reload(self) -> None:
        self.set_query(self._query)

    def row_at(self, row: int) -> ThreadRow:
        return self._rows[row]

    def message_at(self, index: AnyIndex) -> InboxRow | None:
        """The message of a message row; None for a conversation's own row."""
        if not index.isValid() or index.internalId() == 0:
            return None
        thread = self._rows[index.internalId() - 1]
        return self._messages[thread.id][index.row()]

    # Qt model interface

    def index(self, row: int, column: int = 0, parent: AnyIndex = NO_INDEX) -> QModelIndex:
        if column != 0 or row < 0:
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, 0, 0) if row < len(self._rows) else QModelIndex()
        if parent.internalId() != 0:
            return QModelIndex()
        messages = self._messages.get(self._rows[parent.row()].id, [])
        return self.createIndex(row, 0, parent.row() + 1) if row < len(messages) else QModelIndex()

    def parent(self, child: AnyIndex = NO_INDEX) -> QModelIndex:  # type: ignore[override]
        if not child.isValid() or child.internalId() == 0:
            return QModelIndex()
        return self.createIndex(child.internalId() - 1, 0, 0)

    def columnCount(self, parent: AnyIndex = NO_INDEX) -> int:
        return 1

    def rowCount(self, parent: AnyIndex = NO_INDEX) -> int:
        if not parent.isValid():
            return len(self._rows)
        if parent.internalId() != 0 or self._rows[parent.row()].message_count < 2:
            return 0
        return len(self._messages.get(self._rows[parent.row()].id, []))

    def hasChildren(self, parent: AnyIndex = NO_INDEX) -> bool:
        if not parent.isValid():
            return bool(self._rows)
        return parent.internalId() == 0 and self._rows[parent.row()].message_count > 1

    def canFetchMore(self, parent: AnyIndex) -> bool:
        if not parent.isValid():
            return not self._exhausted
        return parent.internalId() == 0 and self._rows[parent.row()].id not in self._asked

    def fetchMore(self, parent: AnyIndex) -> None:
        if parent.isValid():
            if parent.internalId() == 0:
                self._fetch_thread(parent.row())
            return
        if self._exhausted or self._in_flight:
            return
        generation, fetch, query = self._generation, self._fetch_page, self._query
        after, size = (self._rows[-1].key if self._rows else None), self._page_size
        self._in_flight = True
        self._workers.submit(
            lambda: list(fetch(query, after, size)),
            lambda page: self._on_page(generation, page),
            lambda error: self._on_error(generation, error),
        )

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        message = self.message_at(index)
        if message is not None:
            return self._message_data(message, role)
        item = self._rows[index.row()]
        subject = item.subject or self.tr("(no subject)")
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{subject}  {self.counts(item)}" if item.message_count > 1 else subject
        if role == Role.SENDER:
            return self.participants(item)
        if role == Role.DATE:
            return short_date(item.latest_date, self._today, self._locale)
        if role == Role.UNREAD:
            return item.unread_count > 0
        if role == Qt.ItemDataRole.FontRole:
            return self._bold if item.unread_count else None
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            return self.describe(item)
        return None

    def _message_data(self, message: InboxRow, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return message.subject or self.tr("(no subject)")
        if role == Role.SENDER:
            return sender_name(message.sender)
        if role == Role.DATE:
            return short_date(message.date, self._today, self._locale)
        if role == Role.UNREAD:
            return not message.seen
        if role == Qt.ItemDataRole.FontRole:
            return None if message.seen else self._bold
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            state = self.tr("Read") if message.seen else self.tr("Unread")
            return self.tr("{state}. From {sender}. {subject}.").format(
                state=state, sender=message.sender, subject=message.subject
            )
        if role == Qt.ItemDataRole.UserRole:
            return message.id
        return None

    def counts(self, item: ThreadRow) -> str:
        """ "(3)", or "(2 of 3 unread)" while some of it is unread."""
        if item.unread_count:
            return self.tr("({unread} of {count} unread)").format(
                unread=item.unread_count, count=item.message_count
            )
        return f"({item.message_count})"

    def messages_of(self, row: int) -> list[InboxRow]:
        """A conversation's messages fetched so far (all of them once it was opened)."""
        return list(self._messages.get(self._rows[row].id, []))

    def only_message(self, row: int) -> InboxRow | None:
        """The message of a one-message conversation once fetched (it shows no child row)."""
        messages = self._messages.get(self._rows[row].id, [])
        return messages[0] if len(messages) == 1 else None

    def participants(self, item: ThreadRow) -> str:
        return ", ".join(item.participants)

    def describe(self, item: ThreadRow) -> str:
        """The row in words: what it shows, and the counts the screen shows as a number."""
        return self.tr(
            "Conversation: {subject}. {count} messages, {unread} unread. With {people}. "
            "Latest {date}."
        ).format(
            subject=item.subject or self.tr("(no subject)"),
            count=item.message_count,
            unread=item.unread_count,
            people=self.participants(item),
            date=short_date(item.latest_date, self._today, self._locale),
        )

    def _fetch_thread(self, row: int) -> None:
        thread_id, fetch, generation = self._rows[row].id, self._fetch_messages, self._generation
        if thread_id in self._asked:
            return
        self._asked.add(thread_id)
        self._workers.submit(
            lambda: list(fetch(thread_id)),
            lambda messages: self._on_messages(generation, row, thread_id, messages),
            lambda error: self._on_error(generation, error),
        )

    def _on_messages(
        self, generation: int, row: int, thread_id: int, messages: list[InboxRow]
    ) -> None:
        if generation != self._generation or not messages:
            return
        if self._rows[row].message_count < 2:
            self._messages[thread_id] = messages  # no child row: the reader shows it at once
        else:
            self.beginInsertRows(self.index(row, 0), 0, len(messages) - 1)
            self._messages[thread_id] = messages
            self.endInsertRows()
        self.messages_loaded.emit(row)

    def fetch_messages(self, row: int) -> None:
        """Fetches a conversation's messages (also of one without child rows)."""
        self._fetch_thread(row)

    def _on_page(self, generation: int, page: list[ThreadRow]) -> None:
        if generation != self._generation:
            return
        self._in_flight = False
        self._exhausted = len(page) < self._page_size
        if page:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(page) - 1)
            self._rows.extend(page)
            self.endInsertRows()
        self.page_loaded.emit(len(page))

    def _on_error(self, generation: int, error: Exception) -> None:
        if generation == self._generation:
            self._in_flight = False
            self._exhausted = True
            self.load_failed.emit(describe(error).summary)
