"""The row of filters above the audit: a search, the type of event (one list per tab), a period.

Every part is sent to the audit service, which filters and counts in the store: the numbers on
screen are of every matching row, not of the rows that happen to be loaded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QWidget

SEARCH_DELAY_MS = 250
PERIODS: tuple[tuple[str, timedelta | None], ...] = (
    ("Any time", None),
    ("Last 24 hours", timedelta(days=1)),
    ("Last 7 days", timedelta(days=7)),
    ("Last 30 days", timedelta(days=30)),
)

Choices = Sequence[tuple[str, str]]
"""The event types as (key, label): the audit service's, handed over by the dialog."""


@dataclass(frozen=True)
class Chosen:
    text: str
    event_kind: str
    connection_kind: str
    since: datetime | None


def _buddy(text: str, field: QWidget) -> QLabel:
    label = QLabel(text)
    label.setBuddy(field)
    return label


class AuditFilters(QWidget):
    """``changed`` fires at once for a choice, and a moment after the last key of a search, so
    that the store is not asked once per letter."""

    changed = Signal()

    def __init__(
        self, event_kinds: Choices, connection_kinds: Choices, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.search = QLineEdit()
        self.search.setAccessibleName(self.tr("Search the log"))
        self.search.setPlaceholderText(self.tr("Search names, actions, servers and results…"))
        self.search.setClearButtonEnabled(True)
        self.event_kind = self._kinds(self.tr("All events"), event_kinds, self.tr("Event type"))
        self.connection_kind = self._kinds(
            self.tr("All connections"), connection_kinds, self.tr("Connection type")
        )
        self.connection_kind.hide()
        self.period = QComboBox()
        self.period.setAccessibleName(self.tr("Time period"))
        self.period.setAccessibleDescription(self.tr("List only what happened in this period"))
        for label, span in PERIODS:
            self.period.addItem(self.tr(label), span)
        self.kind_label = _buddy(self.tr("&Type:"), self.event_kind)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(_buddy(self.tr("&Search:"), self.search))
        row.addWidget(self.search, 1)
        row.addWidget(self.kind_label)
        row.addWidget(self.event_kind)
        row.addWidget(self.connection_kind)
        row.addWidget(_buddy(self.tr("&When:"), self.period))
        row.addWidget(self.period)
        self.typing = QTimer(self)
        self.typing.setSingleShot(True)
        self.typing.setInterval(SEARCH_DELAY_MS)
        self.typing.timeout.connect(self.changed)
        self.search.textChanged.connect(self.typing.start)
        for combo in (self.event_kind, self.connection_kind, self.period):
            combo.currentIndexChanged.connect(self.changed)

    def _kinds(self, everything: str, kinds: Choices, name: str) -> QComboBox:
        combo = QComboBox()
        combo.setAccessibleName(name)
        combo.setAccessibleDescription(self.tr("List only entries of this type"))
        combo.addItem(everything, "")
        for key, label in kinds:
            combo.addItem(self.tr(label), key)
        return combo

    def show_kinds_of(self, tab: int) -> None:
        """Tab 0 lists events, tab 1 connections: each has its own types."""
        kinds = (self.event_kind, self.connection_kind)
        for index, combo in enumerate(kinds):
            combo.setVisible(index == tab)
        self.kind_label.setBuddy(kinds[tab])

    def chosen(self) -> Chosen:
        """What is chosen now (a search still being typed included)."""
        self.typing.stop()
        span = self.period.currentData()
        return Chosen(
            self.search.text().strip(),
            str(self.event_kind.currentData() or ""),
            str(self.connection_kind.currentData() or ""),
            datetime.now(UTC) - span if isinstance(span, timedelta) else None,
        )
