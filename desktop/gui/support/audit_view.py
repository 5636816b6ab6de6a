"""The audit view for admin profiles: sign-ins, profile switches, look-ups, and every connection
made to a mail server (the egress audit).

Read through the audit service, which checks the active profile's role (and records a denial)
before anything is listed; neither log holds message content or secrets, so the tables show
them as they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
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
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.gui.session.records import AuditLogs
from desktop.gui.session.session import Session
from desktop.gui.session.workers import Workers

AUDIT_LIMIT = 5000
ACTIVITY_COLUMNS = ("When", "User", "Profile", "Action", "Target", "Outcome")
CONNECTION_COLUMNS = ("When", "Profile", "Server", "TLS", "In", "Out", "Commands", "Outcome")
AnyIndex = QModelIndex | QPersistentModelIndex


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
        if index.isValid() and role == Qt.ItemDataRole.DisplayRole:
            return self._rows[index.row()][index.column()]
        return None


class AuditDialog(QDialog):
    def __init__(
        self,
        session: Session,
        profile_names: dict[int, str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Audit log"))
        self.setObjectName("auditDialog")
        self._session = session
        self._names = profile_names
        self._workers = Workers(self)
        self.model = TextTableModel(ACTIVITY_COLUMNS, self)
        self.connections = TextTableModel(CONNECTION_COLUMNS, self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.connections_proxy = QSortFilterProxyModel(self)
        self.connections_proxy.setSourceModel(self.connections)
        for proxy in (self.proxy, self.connections_proxy):
            proxy.setFilterKeyColumn(-1)
            proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.filter = QLineEdit()
        self.filter.setAccessibleName(self.tr("Filter events"))
        self.filter.setPlaceholderText(self.tr("Filter: user, action, target, server, outcome…"))
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        self.filter.textChanged.connect(self.connections_proxy.setFilterFixedString)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._table(self.proxy, self.tr("Activity")), self.tr("&Activity"))
        self.tabs.addTab(
            self._table(self.connections_proxy, self.tr("Mail server connections")),
            self.tr("Mail server &connections"),
        )
        self.status = QLabel(self.tr("Loading…"))
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.filter)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.status)
        layout.addWidget(close)
        self.resize(960, 560)
        self.reload()

    def _table(self, model: QSortFilterProxyModel, name: str) -> QTableView:
        table = QTableView()
        table.setModel(model)
        table.setAccessibleName(name)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        rows = table.verticalHeader()
        rows.hide()
        rows.setDefaultSectionSize(table.fontMetrics().height() + 8)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        table.horizontalHeader().setStretchLastSection(True)
        return table

    def reload(self) -> None:
        workspace = self._session.workspace
        self._workers.submit(lambda: workspace.audit_logs(AUDIT_LIMIT), self._loaded, self._failed)

    def _profile(self, profile_id: int | None) -> str:
        if profile_id is None:
            return ""
        return self._names.get(profile_id, f"#{profile_id}")

    def _loaded(self, logs: AuditLogs) -> None:
        self.model.set_rows(
            [
                (
                    _when(e.at),
                    e.login or "",
                    self._profile(e.profile_id),
                    e.action,
                    e.target,
                    e.outcome,
                )
                for e in logs.activity
            ]
        )
        self.connections.set_rows(
            [
                (
                    _when(c.at),
                    c.profile_email or "",
                    f"{c.host}:{c.port}",
                    c.tls_version or self.tr("none"),
                    str(c.bytes_in),
                    str(c.bytes_out),
                    " ".join(c.commands),
                    c.outcome,
                )
                for c in logs.connections
            ]
        )
        self.status.setText(
            self.tr("{n} event(s) and {c} connection(s), newest first").format(
                n=len(logs.activity), c=len(logs.connections)
            )
        )

    def _failed(self, error: Exception) -> None:
        self.status.setText(self.tr("Could not read the audit log: {e}").format(e=error))
