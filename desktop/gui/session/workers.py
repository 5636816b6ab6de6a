"""Running blocking calls (database, keyring, network) off the GUI thread.

A widget owns a :class:`Workers` (its Qt child). Results and errors come back as queued signals
to that object, which lives on the GUI thread, so callbacks always run on the GUI thread; when the
widget is destroyed its ``Workers`` goes with it and Qt drops results still in flight, so no
callback ever touches a deleted widget. Each task carries its own relay so that a task finishing
after its owner died still has a live object to emit from.

The relay lives on the GUI thread and must die there: Qt forbids deleting an object from
another thread, and a relay freed on the pool thread (its Python wrapper was the last owner)
tore down its connections while the GUI thread was delivering, which crashed the process now
and then. So the application is its parent (C++ owns it, the wrapper can't free it) and the
task, once it has emitted, asks for it to be deleted later, which runs on the GUI thread.

Callbacks are delivered through a slot of a QObject on purpose: PySide6 runs a signal connected
to a bare Python function in the emitting thread, which would put widget code on a worker thread.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from PySide6.QtCore import (
    QCoreApplication,
    QObject,
    QRunnable,
    QThreadPool,
    Signal,
    SignalInstance,
    Slot,
)

log = logging.getLogger(__name__)

T = TypeVar("T")

ErrorCallback = Callable[[Exception], None]


class _Relay(QObject):
    """Emits from the pool thread; a child of the application, freed on the GUI thread."""

    succeeded = Signal(int, object)
    failed = Signal(int, object)


class _Task(QRunnable):
    def __init__(self, task_id: int, call: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self._task_id = task_id
        self._call = call
        self._relay = relay

    def run(self) -> None:
        try:
            result = self._call()
        except Exception as error:
            self._emit(self._relay.failed, error)
        else:
            self._emit(self._relay.succeeded, result)

    def _emit(self, signal: SignalInstance, outcome: object) -> None:
        try:
            signal.emit(self._task_id, outcome)
            self._relay.deleteLater()  # posted after the outcome: delivered first, then freed
        except RuntimeError:
            log.debug("task %s finished after the application shut down", self._task_id)


@dataclass(slots=True)
class _Pending:
    on_done: Callable[[Any], None]
    on_error: ErrorCallback | None


class Workers(QObject):
    """Submits calls to a thread pool and hands their outcome back on the GUI thread."""

    idle = Signal()

    def __init__(self, parent: QObject | None = None, pool: QThreadPool | None = None) -> None:
        super().__init__(parent)
        self._pool = pool or QThreadPool.globalInstance()
        self._pending: dict[int, _Pending] = {}
        self._ids = itertools.count(1)

    @property
    def busy(self) -> bool:
        return bool(self._pending)

    def submit(
        self,
        call: Callable[[], T],
        on_done: Callable[[T], None],
        on_error: ErrorCallback | None = None,
    ) -> int:
        """Runs ``call`` on the pool; returns a task id that :meth:`forget` can use."""
        task_id = next(self._ids)
        self._pending[task_id] = _Pending(on_done, on_error)
        relay = _Relay(QCoreApplication.instance())
        relay.succeeded.connect(self._deliver_result)
        relay.failed.connect(self._deliver_error)
        self._pool.start(_Task(task_id, call, relay))
        return task_id

    def forget(self, task_id: int) -> None:
        """The caller no longer wants this outcome (say, the user opened another message)."""
        self._pending.pop(task_id, None)
        self._maybe_idle()

    def wait(self, msecs: int = 5000) -> bool:
        """Blocks until the pool is empty; for shutdown only, never from a user action."""
        return self._pool.waitForDone(msecs)

    @Slot(int, object)
    def _deliver_result(self, task_id: int, result: object) -> None:
        pending = self._pending.pop(task_id, None)
        if pending is not None:
            pending.on_done(result)
        self._maybe_idle()

    @Slot(int, object)
    def _deliver_error(self, task_id: int, error: Exception) -> None:
        pending = self._pending.pop(task_id, None)
        if pending is not None:
            if pending.on_error is not None:
                pending.on_error(error)
            else:
                log.error("background task failed: %s", type(error).__name__)
        self._maybe_idle()

    def _maybe_idle(self) -> None:
        if not self._pending:
            self.idle.emit()
