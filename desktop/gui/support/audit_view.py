"""The audit log (admin profiles: every user) and "My activity" (everyone: their own), one dialog.

What happened and every connection made to a server, named and said in plain words by the audit
service, which also filters and counts: the counts on screen are of every row that matches,
not of the newest rows shown. Reading everyone's log is checked (and a refusal recorded) by the
service against the active profile's role; the window closes this view when a member profile
becomes active.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QDateTime,
    QLocale,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHeaderView,
    QLabel,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.gui.forms import close_buttons
from desktop.gui.session.records import (
    CONNECTION_KINDS,
    EVENT_KINDS,
    AuditEntry,
    AuditQuery,
    ConnectionEntry,
    Page,
)
from desktop.gui.session.workers import Workers
from desktop.gui.session.workspace import Workspace
from desktop.gui.support.audit_filters import AuditFilters

log = logging.getLogger(__name__)

ACTIVITY_COLUMNS = ("When", "User", "Profile", "What happened", "About", "Result")
CONNECTION_COLUMNS = ("When", "User", "Profile", "What happened", "Security", "Received", "Sent")
USER_COLUMN = 1
WORDS_COLUMNS = ((3, 4), (3,))
"""The columns of sentences ("What happened", "About"), which take the room that is left."""
AnyIndex = QModelIndex | QPersistentModelIndex
SIZES = QLocale.DataSizeFormat.DataSizeTraditionalFormat
"""47.1 KB rather than 47.08 KiB: how most people write sizes."""


def _when(at: datetime) -> str:
    return QLocale().toString(
        QDateTime.fromSecsSinceEpoch(int(at.timestamp())), "yyyy-MM-dd HH:mm:ss"
    )


class TextTableModel(QAbstractTableModel):
    """Rows of ready-made text: logs are shown, never edited."""

    def __init__(self, headers: Sequence[str], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._headers = tuple(headers)
        self._rows: list[tuple[str, ...]] = []

    def set_rows(self, rows: Sequence[tuple[str, ...]]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.tr(self._headers[section])
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if index.isValid() and role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._rows[index.row()][index.column()]
        return None


def activity_row(entry: AuditEntry) -> tuple[str, ...]:
    return (
        _when(entry.at),
        entry.user_name,
        entry.profile_name,
        entry.what,
        entry.about,
        entry.result,
    )


def connection_row(entry: ConnectionEntry) -> tuple[str, ...]:
    locale = QLocale()
    return (
        _when(entry.at),
        entry.user_name,
        entry.profile_name,
        entry.summary,
        entry.security,
        locale.formattedDataSize(entry.bytes_in, 1, SIZES),
        locale.formattedDataSize(entry.bytes_out, 1, SIZES),
    )


class AuditDialog(QDialog):
    """``everyone``: the audit log of every user (admins); otherwise the user's own activity."""

    def __init__(
        self, workspace: Workspace, *, everyone: bool, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.everyone = everyone
        self.setObjectName("auditDialog" if everyone else "activityDialog")
        self.setWindowTitle(self.tr("Audit log") if everyone else self.tr("My activity"))
        self._workspace = workspace
        self._workers = Workers(self)
        self._generation = 0
        self._pages: dict[int, Page[Any] | None] = {0: None, 1: None}
        self._unfiltered = {0: True, 1: True}

        self.heading = QLabel(
            self.tr("What every user did in Switchboard, and every connection to a server.")
            if everyone
            else self.tr(
                "What you did in Switchboard, with any of your profiles, and the connections "
                "made for your profiles. Nobody else's activity is shown here."
            )
        )
        self.heading.setWordWrap(True)
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        self.filters = AuditFilters(
            [(k.key, k.label) for k in EVENT_KINDS], [(k.key, k.label) for k in CONNECTION_KINDS]
        )
        self.model = TextTableModel(ACTIVITY_COLUMNS, self)
        self.connections = TextTableModel(CONNECTION_COLUMNS, self)
        self.activity_table = self._table(self.model, self.tr("Activity"), WORDS_COLUMNS[0])
        self.connections_table = self._table(
            self.connections, self.tr("Connections to servers"), WORDS_COLUMNS[1]
        )
        self.tabs = QTabWidget()
        self.tabs.addTab(self.activity_table, "")
        self.tabs.addTab(self.connections_table, "")
        self.tabs.setTabToolTip(0, self.tr("What was done in Switchboard, newest first"))
        self.tabs.setTabToolTip(1, self.tr("Each connection Switchboard made to a server"))
        self.status = QLabel(self.tr("Loading…"))
        self.status.setAccessibleName(self.tr("How many match"))
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        close = close_buttons(self)

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.filters)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.status)
        layout.addWidget(close)
        if not everyone:  # every row is the user's own: a column of their name says nothing
            self.activity_table.hideColumn(USER_COLUMN)
            self.connections_table.hideColumn(USER_COLUMN)
        self.filters.changed.connect(self.reload)
        self.tabs.currentChanged.connect(self._tab_changed)
        self._show_counts()
        self.resize(1040, 600)
        self.reload()

    def _table(self, model: TextTableModel, name: str, words: Sequence[int]) -> QTableView:
        """Names and times as wide as they are; the sentences share what is left, cut short
        with "…" (the whole in a tooltip) rather than pushed out of sight in a narrow window."""
        table = QTableView()
        table.setModel(model)
        table.setAccessibleName(name)
        table.setAccessibleDescription(self.tr("Newest first; each row is one entry of the log"))
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setWordWrap(False)
        rows = table.verticalHeader()
        rows.hide()
        rows.setDefaultSectionSize(table.fontMetrics().height() + 8)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        for column in words:
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        return table

    def reload(self) -> None:
        """Asks for both tabs again; answers to an older filter are dropped when they arrive."""
        self._generation += 1
        generation, workspace, everyone = self._generation, self._workspace, self.everyone
        chosen = self.filters.chosen()
        events = AuditQuery(chosen.text, chosen.event_kind, chosen.since)
        connections = AuditQuery(chosen.text, chosen.connection_kind, chosen.since)
        self._unfiltered = {0: events == AuditQuery(), 1: connections == AuditQuery()}
        self._pages = {0: None, 1: None}
        self._show_counts()  # no count of the filter before: it would be taken for this one's
        self.status.setText(self.tr("Loading…"))
        self._workers.submit(
            lambda: workspace.audit_events(events, everyone=everyone),
            self._answer(generation, 0, self.model, activity_row),
            lambda error: self._failed(generation, error),
        )
        self._workers.submit(
            lambda: workspace.audit_connections(connections, everyone=everyone),
            self._answer(generation, 1, self.connections, connection_row),
            lambda error: self._failed(generation, error),
        )

    def _answer(
        self,
        generation: int,
        tab: int,
        model: TextTableModel,
        row: Callable[[Any], tuple[str, ...]],
    ) -> Callable[[Page[Any]], None]:
        def show(page: Page[Any]) -> None:
            if generation != self._generation:
                return
            model.set_rows([row(entry) for entry in page.entries])
            self._pages[tab] = page
            self._show_counts()

        return show

    def _tab_changed(self, tab: int) -> None:
        self.filters.show_kinds_of(tab)
        self._show_counts()

    def _show_counts(self) -> None:
        """The tabs say how many rows match; the line below, what the open tab shows of them."""
        titles = (self.tr("&Activity"), self.tr("&Connections to servers"))
        for tab, title in enumerate(titles):
            page = self._pages[tab]
            counted = f" ({QLocale().toString(page.matching)})" if page is not None else ""
            self.tabs.setTabText(tab, title + counted)
        current = self.tabs.currentIndex()
        page = self._pages[current]
        if page is not None:
            noun = ("event", "events") if current == 0 else ("connection", "connections")
            self.status.setText(self._count_sentence(page, self._unfiltered[current], *noun))

    def _count_sentence(self, page: Page[Any], unfiltered: bool, one: str, many: str) -> str:
        locale = QLocale()
        n, shown = locale.toString(page.matching), locale.toString(len(page.entries))
        noun = one if page.matching == 1 else many
        if page.matching == 0:
            if unfiltered:
                return self.tr("There are no {many} yet.").format(many=many)
            return self.tr("No {many} match the filter.").format(many=many)
        if len(page.entries) < page.matching:
            matching = "" if unfiltered else self.tr("matching ")
            return self.tr("The newest {shown} of {n} {matching}{many} are shown.").format(
                shown=shown, n=n, matching=matching, many=many
            )
        if unfiltered:
            there = self.tr("There is") if page.matching == 1 else self.tr("There are")
            return self.tr("{there} {n} {noun}, newest first.").format(there=there, n=n, noun=noun)
        return self.tr("The filter matches {n} {noun}, newest first.").format(n=n, noun=noun)

    def _failed(self, generation: int, error: Exception) -> None:
        if generation != self._generation:
            return
        log.error("the audit could not be read", exc_info=error)
        self.status.setText(
            self.tr("The log could not be read. Close this window and open it again to retry.")
        )
