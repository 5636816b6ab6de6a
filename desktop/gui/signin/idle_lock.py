"""Locking the window after a chosen idle time, for shared workstations with patient data.

Watches the application's keyboard and mouse input; any input restarts the countdown.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

INPUT_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
    }
)
MINUTE_MS = 60_000


class IdleLock(QObject):
    idle = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.idle)
        self._interval_ms = 0
        self._watching = False

    @property
    def interval_ms(self) -> int:
        return self._interval_ms

    def set_minutes(self, minutes: int) -> None:
        self.set_interval_ms(minutes * MINUTE_MS)

    def set_interval_ms(self, interval_ms: int) -> None:
        """Zero turns auto-lock off, and with it the watching of every input event."""
        self._interval_ms = max(0, interval_ms)
        self._watch(bool(self._interval_ms))
        self.restart()

    def _watch(self, watching: bool) -> None:
        app = QApplication.instance()
        if app is None or watching == self._watching:
            return
        if watching:
            app.installEventFilter(self)
        else:
            app.removeEventFilter(self)
        self._watching = watching

    def restart(self) -> None:
        if self._interval_ms:
            self._timer.start(self._interval_ms)
        else:
            self._timer.stop()

    def pause(self) -> None:
        self._timer.stop()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in INPUT_EVENTS and self._timer.isActive():
            self._timer.start(self._interval_ms)
        return False
