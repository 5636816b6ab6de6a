"""The sidebar's outbox button: out of sight while everything has left, red when a message needs
the person (refused, or maybe sent), so a message that did not go is never silently forgotten."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QToolButton, QWidget

from desktop.gui.icons import icon
from desktop.gui.outbox.wording import button_text
from desktop.gui.session.outbox import SessionOutbox


class OutboxButton(QToolButton):
    def __init__(self, outbox: SessionOutbox, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._outbox = outbox
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.setAutoRaise(True)
        self.setIcon(icon("outbox"))
        self.setToolTip(self.tr("Messages that have not left yet"))
        outbox.changed.connect(self._show_state)
        self._show_state()

    def _show_state(self) -> None:
        outbox = self._outbox
        attention = outbox.needing_attention
        self.setText(button_text(outbox.waiting, attention))
        self.setAccessibleName(self.text())
        self.setStyleSheet("QToolButton { color: #dc2626; font-weight: 600; }" if attention else "")
        self.setVisible(outbox.waiting > 0)
