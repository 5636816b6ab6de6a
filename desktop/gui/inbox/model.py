"""The unified inbox as a Qt model that only ever holds the pages someone looked at.

Rows come from a page-fetching callable that continues after a keyset position (the last row's
key in the chosen order), so the cost of opening or scrolling does not grow with the size of the
mailbox: a million messages open as fast as a hundred, and jumping to the end loads one more
page, never everything. Pages and match counts are fetched on the worker pool; a page or count
that arrives for an older query (the user typed on, or changed the filter or the order) is
dropped.

One column: a row is painted by :class:`desktop.gui.inbox.row_delegate.RowDelegate` from the
roles below, so that the subject gets the width instead of sharing it with four columns.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from email.utils import parseaddr
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QDateTime,
    QLocale,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont

from desktop.core.profile_marks import profile_marks
from desktop.gui.inbox.drag import MESSAGE_IDS, message_data
from desktop.gui.session.records import InboxRow, PageKey, describe
from desktop.gui.session.viewdata import InboxQuery, ProfileCard
from desktop.gui.session.workers import Workers

DEFAULT_PAGE_SIZE = 200

AnyIndex = QModelIndex | QPersistentModelIndex


class Role(IntEnum):
    """What the row delegate paints besides the subject (``DisplayRole``)."""

    SENDER = Qt.ItemDataRole.UserRole + 1
    DATE = Qt.ItemDataRole.UserRole + 2
    UNREAD = Qt.ItemDataRole.UserRole + 3
    # The profile's letters in its chip (``core.profile_marks``), beside its colour.
    MARK = Qt.ItemDataRole.UserRole + 4
    FLAGGED = Qt.ItemDataRole.UserRole + 5


def sender_name(sender: str) -> str:
    """The name a person recognises ("Zoë Müller"), or the bare address when there is none.

    The full ``Name <address>`` stays in the row's tooltip; in a narrow list the address would
    only push the name out of sight.
    """
    name, address = parseaddr(sender)
    return name or address or sender


def short_date(when: datetime, today: date, locale: QLocale) -> str:
    """Today's mail by its time, this year's by day and month, older mail with the year.

    Always short enough to be shown whole: the sender is elided, never the date.
    """
    local = QDateTime.fromSecsSinceEpoch(int(when.timestamp()))
    day = when.astimezone().date()
    if day == today:
        return locale.toString(local.time(), QLocale.FormatType.ShortFormat)
    if day.year == today.year:
        return locale.toString(local.date(), "d MMM")
    return locale.toString(local.date(), "d MMM yyyy")


PageFetcher = Callable[[InboxQuery, PageKey | None, int], Sequence[InboxRow]]
MatchCounter = Callable[[InboxQuery], int]


class InboxModel(QAbstractListModel):
    """``match_count`` follows each search: the number of messages it matched, from the service."""

    loading_changed = Signal(bool)
    page_loaded = Signal(int)
    load_failed = Signal(str)
    match_count_changed = Signal()

    def __init__(
        self,
        fetch_page: PageFetcher,
        page_size: int = DEFAULT_PAGE_SIZE,
        parent: QObject | None = None,
        count_matches: MatchCounter | None = None,
    ) -> None:
        super().__init__(parent)
        self._fetch_page = fetch_page
        self._count_matches = count_matches
        self._page_size = page_size
        self._workers = Workers(self)
        self._rows: list[InboxRow] = []
        self._profiles: dict[int, ProfileCard] = {}
        self._marks: dict[int, str] = {}
        self._query = InboxQuery()
        self._generation = 0
        self._exhausted = False
        self._in_flight: int | None = None
        self._match_count: int | None = None
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

    @property
    def match_count(self) -> int | None:
        """How many messages the search matched; None when not searching or not known yet."""
        if self._match_count is None and self._query.search and self._exhausted:
            return len(self._rows)  # every match is loaded: the count is exact
        return self._match_count

    @property
    def shows_profiles(self) -> bool:
        """Whether rows carry their profile's chip: not when the list shows one profile only."""
        ids = self._query.profile_ids
        return (len(ids) if ids is not None else len(self._profiles)) > 1

    def set_profiles(self, profiles: Mapping[int, ProfileCard]) -> None:
        self._profiles = dict(profiles)
        ordered = sorted(self._profiles)
        marks = profile_marks([self._profiles[key].organization for key in ordered])
        self._marks = dict(zip(ordered, marks, strict=True))
        self._changed_all()

    def set_query(self, query: InboxQuery) -> None:
        """Starts over with ``query``: the rows go and the first page is requested.

        The same query again keeps the rows: the sidebar repeats "All inboxes" when the first
        profile list arrives, and starting over then would move the list from under the cursor.
        """
        if query == self._query and self._generation:
            return
        self._query = query
        self.reload()

    def reload(self) -> None:
        self.beginResetModel()
        self._generation += 1
        self._rows = []
        self._exhausted = False
        self._match_count = None
        self._cancel_in_flight()
        self.endResetModel()
        self.fetchMore(QModelIndex())
        self._count()

    def row_at(self, row: int) -> InboxRow:
        return self._rows[row]

    def row_of(self, message_id: int) -> int | None:
        for row, item in enumerate(self._rows):
            if item.id == message_id:
                return row
        return None

    def set_seen(self, message_id: int, seen: bool = True) -> None:
        self.set_flags({message_id}, seen=seen)

    def set_flags(
        self, message_ids: Collection[int], *, seen: bool | None = None, flagged: bool | None = None
    ) -> None:
        """The rows of ``message_ids`` show what an action changed; the others stay."""
        for row, item in enumerate(self._rows):
            if item.id not in message_ids:
                continue
            changed = replace(
                item,
                seen=item.seen if seen is None else seen,
                flagged=item.flagged if flagged is None else flagged,
            )
            if changed != item:
                self._rows[row] = changed
                self.dataChanged.emit(self.index(row, 0), self.index(row, 0))

    def remove(self, message_ids: Collection[int]) -> None:
        """The rows leave the list in place (moved or deleted): the rest keep their pages.

        Runs of neighbouring rows go in one removal each, from the bottom, so a selection of a
        thousand costs as many signals as it has gaps.
        """
        doomed = [row for row, item in enumerate(self._rows) if item.id in message_ids]
        while doomed:
            last = doomed.pop()
            first = last
            while doomed and doomed[-1] == first - 1:
                first = doomed.pop()
            self.beginRemoveRows(QModelIndex(), first, last)
            del self._rows[first : last + 1]
            self.endRemoveRows()

    # Qt model interface

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        base = super().flags(index)
        return base | Qt.ItemFlag.ItemIsDragEnabled if index.isValid() else base

    def mimeTypes(self) -> list[str]:
        return [MESSAGE_IDS]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        rows = sorted({index.row() for index in indexes if index.isValid()})
        return message_data(self._rows[row].id for row in rows)

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def canFetchMore(self, parent: AnyIndex) -> bool:
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: AnyIndex) -> None:
        if parent.isValid() or self._exhausted or self._in_flight is not None:
            return
        generation = self._generation
        fetch, query, size = self._fetch_page, self._query, self._page_size
        after = self._rows[-1].key_for(query.sort) if self._rows else None
        self._in_flight = self._workers.submit(
            lambda: list(fetch(query, after, size)),
            lambda page: self._on_page(generation, page),
            lambda error: self._on_error(generation, error),
        )
        self.loading_changed.emit(True)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        item = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return item.subject or self.tr("(no subject)")
        if role == Role.SENDER:
            return sender_name(item.sender)
        if role == Role.DATE:
            return short_date(item.date, self._today, self._locale)
        if role == Role.UNREAD:
            return not item.seen
        if role == Role.FLAGGED:
            return item.flagged
        if role == Role.MARK:
            return self._marks.get(item.profile_id, "")
        if role == Qt.ItemDataRole.FontRole:
            return None if item.seen else self._bold
        if role == Qt.ItemDataRole.DecorationRole:
            profile = self._profiles.get(item.profile_id)
            return QColor(profile.colour) if profile and self.shows_profiles else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(item)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return self._describe(item)
        if role == Qt.ItemDataRole.UserRole:
            return item.id
        return None

    def _profile_name(self, item: InboxRow) -> str:
        profile = self._profiles.get(item.profile_id)
        if profile is None:
            return item.profile_email
        return f"{profile.organization} ({profile.email})"

    def _tooltip(self, item: InboxRow) -> str:
        subject = item.subject or self.tr("(no subject)")
        return "\n".join((item.sender, subject, self._profile_name(item)))

    def _describe(self, item: InboxRow) -> str:
        """Everything the row shows, in words: the profile is named, not only coloured."""
        state = self.tr("Read") if item.seen else self.tr("Unread")
        if item.flagged:
            state = self.tr("{state}, flagged").format(state=state)
        return self.tr("{state}. From {sender}. {subject}. {date}. Profile: {profile}.").format(
            state=state,
            sender=sender_name(item.sender),
            subject=item.subject or self.tr("(no subject)"),
            date=short_date(item.date, self._today, self._locale),
            profile=self._profile_name(item),
        )

    def _changed_all(self) -> None:
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, 0))

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
        if self._exhausted and self._query.search:
            self.match_count_changed.emit()

    def _count(self) -> None:
        """Counts the search's matches beside the first page (a count may take longer)."""
        counter, query, generation = self._count_matches, self._query, self._generation
        if counter is None or not query.search:
            self.match_count_changed.emit()
            return
        self._workers.submit(
            lambda: counter(query),
            lambda count: self._on_count(generation, count),
            lambda _error: None,  # the list itself says when the store cannot be read
        )

    def _on_count(self, generation: int, count: int) -> None:
        if generation == self._generation:
            self._match_count = count
            self.match_count_changed.emit()

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
