"""Help > Keyboard shortcuts: the shortcuts of the window that the active profile can use.

Built from the live actions, so the list cannot drift from what the keys really do: an action
hidden or disabled for the active profile's role (the admin tools for a member profile) is left
out, and the list follows a profile switch made while it is open. The keys that belong to the
widgets themselves (arrows, Enter, Space in the message list) are added by hand.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.gui.forms import close_buttons

WIDGET_KEYS = (
    ("Up / Down", "Previous / next message"),
    ("Space", "Page down in the message list"),
    ("Enter", "Open the message (move to the reader)"),
    ("Ctrl+click", "List several profiles at once in the sidebar"),
    ("Menu key", "Profile menu in the sidebar: mute, sync now"),
)


def shortcut_rows(actions: Iterable[QAction]) -> list[tuple[str, str]]:
    """The keys and what they do, for the actions that can be used now."""
    rows = []
    for action in actions:
        if not (action.isVisible() and action.isEnabled()):
            continue
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        does = action.text().replace("&", "") or action.toolTip()
        if keys and does:
            rows.append((keys, does))
    return rows


class ShortcutsDialog(QDialog):
    def __init__(self, actions: Iterable[QAction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Keyboard shortcuts"))
        self._actions = list(actions)
        self.table = QTableWidget(0, 2)
        self.table.setAccessibleName(self.tr("Keyboard shortcuts"))
        self.table.setAccessibleDescription(self.tr("Each action you may take, with its keys"))
        self.table.setHorizontalHeaderLabels([self.tr("Keys"), self.tr("Does")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.ResizeToContents
        )
        self.table.horizontalHeader().setStretchLastSection(True)
        close = close_buttons(self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(close)
        self.resize(520, 560)
        # A switch changes several actions at once: one refill once they all have changed.
        self._refill = QTimer(self)
        self._refill.setSingleShot(True)
        self._refill.setInterval(0)
        self._refill.timeout.connect(self._fill)
        for action in self._actions:
            action.changed.connect(self._refill.start)
        self._fill()

    def _fill(self) -> None:
        rows = shortcut_rows(self._actions) + [(k, self.tr(text)) for k, text in WIDGET_KEYS]
        self.table.setRowCount(len(rows))
        for row, (keys, text) in enumerate(rows):
            self.table.setItem(row, 0, QTableWidgetItem(keys))
            self.table.setItem(row, 1, QTableWidgetItem(text))

    def rows(self) -> list[tuple[str, str]]:
        return [(self._text(r, 0), self._text(r, 1)) for r in range(self.table.rowCount())]

    def _text(self, row: int, column: int) -> str:
        item = self.table.item(row, column)
        return item.text() if item is not None else ""
