"""Python's cycle collector, run on the GUI thread only.

Left automatic, the collector runs on whichever thread happens to allocate past its threshold:
a pool worker, an IDLE watch, a test's HTTP server. A widget caught in a reference cycle (a
slot lambda that holds its own widget is enough) is then destroyed on that thread, which Qt
forbids: its timers are stopped from the wrong thread ("QBasicTimer::stop: Failed") and the
process crashes now and then. qutebrowser met the same crash and does the same: automatic
collection off, and a timer on the GUI thread that collects each generation once it is due.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 1000


class GuiThreadCollector(QObject):
    """Owns the cycle collector while it lives (a child of the application)."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        gc.disable()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.collect_due)
        self._timer.start(interval_ms)

    def collect_due(self) -> int:
        """Collect the oldest generation that is past its threshold; how many objects went."""
        counts, thresholds = gc.get_count(), gc.get_threshold()
        due = [g for g in range(3) if counts[g] > thresholds[g]]
        return gc.collect(due[-1]) if due else 0

    def stop(self) -> None:
        """Hand collection back to Python (the application is going)."""
        self._timer.stop()
        gc.enable()
