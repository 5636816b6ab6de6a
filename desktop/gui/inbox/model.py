"""The unified inbox as a Qt table model that only ever holds the pages someone looked at.

Rows come from a page-fetching callable that continues after a keyset position (date, id), so the
cost of opening or scrolling does not grow with the size of the mailbox: a million messages open
as fast as a hundred, and jumping to the end loads one more page, never everything. Pages are
fetched on the worker pool; a page that arrives for an older query (the user typed on, or changed
the filter) is dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.utils import parseaddr
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QDateTime,
    QLocale,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont

from desktop.gui.session.records import InboxRow, describe
from desktop.gui.session.viewdata import ProfileCard
from desktop.gui.session.workers import Workers

PageKey = tuple[datetime, int]
DEFAULT_PAGE_SIZE = 200

AnyIndex = QModelIndex | QPersistentModelIndex


def sender_name(sender: str) -> str:
    """The name a person recognises ("Zoë Müller"), or the bare address when there is none.

    The full ``Name <address>`` stays in the row's tooltip; in a narrow column the address would
    only push the name out of sight.
    """
    name, address = parseaddr(sender)
    return name or address or sender


@dataclass(frozen=True, slots=True)
class InboxQuery:
    """Which mail to list: ``profile_ids`` None means every profile."""

    profile_ids: frozenset[int] | None = None
    search: str = ""


PageFetcher = Callable[[InboxQuery, PageKey | None, int], Sequence[InboxRow]]


class Column(IntEnum):
    PROFILE = 0
    SENDER = 1
    SUBJECT = 2
    DATE = 3


HEADERS = {
    Column.PROFILE: "Profile",
    Column.SENDER: "From",
    Column.SUBJECT: "Subject",
    Column.DATE: "Date",
}


class InboxModel(QAbstractTableModel):
    loading_changed = Signal(bool)
    page_loaded = Signal(int)
    load_failed = Signal(str)

    def __init__(
        self,
        fetch_page: PageFetcher,
        page_size: int = DEFAULT_PAGE_SIZE,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._fetch_page = fetch_page
        self._page_size = page_size
        self._workers = Workers(self)
        self._rows: list[InboxRow] = []
        self._profiles: dict[int, ProfileCard] = {}
        self._query = InboxQuery()
        self._generation = 0
        self._exhausted = False
        self._in_flight: int | None = None
        self._bold = QFont()
        self._bold.setBold(True)
        self._locale = QLocale()
        self._today = datetime.now(UTC).astimezone().date()

    @property
    def query(self) -> InboxQuery:
        return self._query

    @property
    def loading(self) -> bool:
        return self._in_flight is not None

    @property
    def exhausted(self) -> bool:
        return self._exhausted

    def set_profiles(self, profiles: Mapping[int, ProfileCard]) -> None:
        self._profiles = dict(profiles)
        if self._rows:
            self.dataChanged.emit(
                self.index(0, Column.PROFILE), self.index(len(self._rows) - 1, Column.PROFILE)
            )

    def set_query(self, query: InboxQuery) -> None:
        """Starts over with ``query``: the rows go and the first page is requested."""
        self._query = query
        self.reload()

    def reload(self) -> None:
        self.beginResetModel()
        self._generation += 1
        self._rows = []
        self._exhausted = False
        self._cancel_in_flight()
        self.endResetModel()
        self.fetchMore(QModelIndex())

    def row_at(self, row: int) -> InboxRow:
        return self._rows[row]

    def row_of(self, message_id: int) -> int | None:
        for row, item in enumerate(self._rows):
            if item.id == message_id:
                return row
        return None

    def set_seen(self, message_id: int, seen: bool = True) -> None:
        row = self.row_of(message_id)
        if row is None or self._rows[row].seen == seen:
            return
        self._rows[row] = replace(self._rows[row], seen=seen)
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(Column) - 1))

    # Qt model interface

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def canFetchMore(self, parent: AnyIndex) -> bool:
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: AnyIndex) -> None:
        if parent.isValid() or self._exhausted or self._in_flight is not None:
            return
        generation = self._generation
        after = self._rows[-1].key if self._rows else None
        fetch, query, size = self._fetch_page, self._query, self._page_size
        self._in_flight = self._workers.submit(
            lambda: list(fetch(query, after, size)),
            lambda page: self._on_page(generation, page),
            lambda error: self._on_error(generation, error),
        )
        self.loading_changed.emit(True)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.tr(HEADERS[Column(section)])
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        item = self._rows[index.row()]
        column = Column(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(item, column)
        if role == Qt.ItemDataRole.FontRole:
            return None if item.seen else self._bold
        if role == Qt.ItemDataRole.DecorationRole and column == Column.PROFILE:
            profile = self._profiles.get(item.profile_id)
            return QColor(profile.colour) if profile else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._describe(item)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return self._describe(item)
        if role == Qt.ItemDataRole.UserRole:
            return item.id
        return None

    def _display(self, item: InboxRow, column: Column) -> str:
        if column == Column.PROFILE:
            profile = self._profiles.get(item.profile_id)
            return profile.organization if profile else ""
        if column == Column.SENDER:
            return sender_name(item.sender)
        if column == Column.SUBJECT:
            return item.subject or self.tr("(no subject)")
        when = QDateTime.fromSecsSinceEpoch(int(item.date.timestamp()))
        if item.date.astimezone().date() == self._today:
            return self._locale.toString(when.time(), QLocale.FormatType.ShortFormat)
        return self._locale.toString(when.date(), "d MMM yyyy")

    def _describe(self, item: InboxRow) -> str:
        profile = self._profiles.get(item.profile_id)
        state = self.tr("Read") if item.seen else self.tr("Unread")
        owner = profile.label if profile else ""
        return f"{state}: {item.subject} — {item.sender} — {owner}"

    def _on_page(self, generation: int, page: list[InboxRow]) -> None:
        if generation != self._generation:
            return
        self._in_flight = None
        if len(page) < self._page_size:
            self._exhausted = True
        if page:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(page) - 1)
            self._rows.extend(page)
            self.endInsertRows()
        self.loading_changed.emit(False)
        self.page_loaded.emit(len(page))

    def _on_error(self, generation: int, error: Exception) -> None:
        if generation != self._generation:
            return
        self._in_flight = None
        self._exhausted = True
        self.loading_changed.emit(False)
        self.load_failed.emit(describe(error).summary)

    def _cancel_in_flight(self) -> None:
        if self._in_flight is not None:
            self._workers.forget(self._in_flight)
            self._in_flight = None
            self.loading_changed.emit(False)
