"""The audit view for admin profiles: sign-ins, profile switches, look-ups, sync connections.

Read through the audit service, which checks the active profile's role (and records a denial);
the events never hold message content or secrets, so the table shows them as they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QDateTime,
    QLocale,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.gui.services_workspace import ServicesWorkspace
from desktop.gui.workers import Workers
from desktop.services.audit import AuditEntry

AUDIT_LIMIT = 5000
COLUMNS = ("When", "User", "Profile", "Action", "Target", "Outcome")
AnyIndex = QModelIndex | QPersistentModelIndex


class AuditModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._events: list[AuditEntry] = []
        self._profiles: dict[int, str] = {}

    def set_events(self, events: Sequence[AuditEntry], profiles: dict[int, str]) -> None:
        self.beginResetModel()
        self._events = list(events)
        self._profiles = profiles
        self.endResetModel()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._events)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.tr(COLUMNS[section])
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        event = self._events[index.row()]
        column = index.column()
        if column == 0:
            when = QDateTime.fromSecsSinceEpoch(int(event.at.timestamp()))
            return QLocale().toString(when, "yyyy-MM-dd HH:mm:ss")
        if column == 1:
            return event.login or ""
        if column == 2:
            if event.profile_id is None:
                return ""
            return self._profiles.get(event.profile_id, f"#{event.profile_id}")
        return (event.action, event.target, event.outcome)[column - 3]


class AuditDialog(QDialog):
    def __init__(
        self,
        workspace: ServicesWorkspace,
        profile_names: dict[int, str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Audit log"))
        self.setObjectName("auditDialog")
        self._workspace = workspace
        self._names = profile_names
        self._workers = Workers(self)
        self.model = AuditModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterKeyColumn(-1)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.filter = QLineEdit()
        self.filter.setAccessibleName(self.tr("Filter events"))
        self.filter.setPlaceholderText(self.tr("Filter: user, action, target, outcome…"))
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setAccessibleName(self.tr("Audit events"))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        rows = self.table.verticalHeader()
        rows.hide()
        rows.setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.status = QLabel(self.tr("Loading…"))
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.filter)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        layout.addWidget(close)
        self.resize(900, 560)
        self.reload()

    def reload(self) -> None:
        workspace = self._workspace
        self._workers.submit(
            lambda: workspace.services.audit.list_events(
                workspace.actor, everyone=True, limit=AUDIT_LIMIT
            ),
            self._loaded,
            self._failed,
        )

    def _loaded(self, events: list[AuditEntry]) -> None:
        self.model.set_events(events, self._names)
        self.status.setText(self.tr("{n} event(s), newest first").format(n=len(events)))

    def _failed(self, error: Exception) -> None:
        self.status.setText(self.tr("Could not read the audit log: {e}").format(e=error))
