"""Sync in the background: one job per profile on a thread pool, with retries, reported by signals.

:class:`SyncScheduler` lives on the GUI thread; each :class:`SyncJob` runs
:func:`~desktop.services.mail.imap_sync.sync_profile` on a pool thread. The sync opens and closes
its own sessions for every step, so a job that dies leaves no session behind.

* Transient failures (refused or dropped connections, timeouts, BYE) are retried with exponential
  back-off up to a cap; the wait is cut short by cancellation.
* Permanent failures (wrong password, rejected certificate, missing settings) stop the profile and
  are reported once: periodic sync leaves a stopped profile alone until the user asks again
  (``sync(profile_id)``), so a wrong password does not lock the account by repeated logins.
* ``check_schedule()`` runs on a timer: profiles due by ``interval`` are synced, and a wall clock
  that jumped ahead of the monotonic clock (the machine slept) syncs every profile at once.

``push_flags(profile_id)`` sends seen/flagged changes made in the app (opening a message) to the
server at once, on the pool; if that fails the changes stay marked and the next sync sends them.

Signals are emitted from pool threads and delivered queued to receivers living on the GUI thread;
connect them to slots of QObjects (PySide6 runs a bare function in the emitting thread).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal, Slot

from desktop.services.mail.imap_sync import (
    PasswordSource,
    SyncCancelledError,
    SyncError,
    SyncProgress,
    SyncResult,
    push_flags_now,
    sync_profile,
)
from desktop.store.session import SessionFactory

log = logging.getLogger(__name__)

IDLE, RUNNING, RETRYING, DONE, FAILED, CANCELLED = (
    "idle",
    "running",
    "retrying",
    "done",
    "failed",
    "cancelled",
)
DEFAULT_INTERVAL = 300.0
TICK_MS = 30_000
WAKE_SLACK = 60.0


@dataclass(frozen=True)
class RetryPolicy:
    """Waits between attempts: ``first``, then times ``factor`` each time, never above ``cap``."""

    first: float = 5.0
    factor: float = 2.0
    cap: float = 300.0
    attempts: int = 6

    def delays(self) -> Iterator[float]:
        delay = self.first
        for _ in range(self.attempts - 1):
            yield min(delay, self.cap)
            delay *= self.factor


class _Relay(QObject):
    progress = Signal(int, int, int)
    state_changed = Signal(int, str)
    finished = Signal(int, object)
    failed = Signal(int, str, bool)
    ended = Signal(int)
    flags_pushed = Signal(int, int)


class SyncJob(QRunnable):
    def __init__(
        self,
        sync: Callable[[threading.Event, Callable[[SyncProgress], None]], SyncResult],
        profile_id: int,
        retry: RetryPolicy,
        relay: _Relay,
    ) -> None:
        super().__init__()
        self.cancel_event = threading.Event()
        self._sync = sync
        self._profile_id = profile_id
        self._retry = retry
        self._relay = relay

    def run(self) -> None:
        pid = self._profile_id
        delays = self._retry.delays()
        try:
            while True:
                self._relay.state_changed.emit(pid, RUNNING)
                try:
                    result = self._sync(self.cancel_event, self._progress)
                except SyncCancelledError:
                    self._relay.state_changed.emit(pid, CANCELLED)
                    return
                except SyncError as error:
                    delay = None if error.permanent else next(delays, None)
                    if delay is None:
                        log.warning("sync of profile %s failed: %s", pid, error)
                        self._relay.state_changed.emit(pid, FAILED)
                        self._relay.failed.emit(pid, str(error), error.permanent)
                        return
                    log.info("sync of profile %s failed, retrying in %.0f s", pid, delay)
                    self._relay.state_changed.emit(pid, RETRYING)
                    if self.cancel_event.wait(delay):
                        self._relay.state_changed.emit(pid, CANCELLED)
                        return
                    continue
                except Exception as error:  # a bug must end the job visibly, not kill the pool
                    log.exception("sync of profile %s crashed", pid)
                    self._relay.state_changed.emit(pid, FAILED)
                    self._relay.failed.emit(pid, f"internal error: {type(error).__name__}", True)
                    return
                self._relay.state_changed.emit(pid, DONE)
                self._relay.finished.emit(pid, result)
                return
        finally:
            self._relay.ended.emit(pid)

    def _progress(self, progress: SyncProgress) -> None:
        self._relay.progress.emit(self._profile_id, progress.done, progress.total)


class _FlagPush(QRunnable):
    def __init__(self, push: Callable[[], int], profile_id: int, relay: _Relay) -> None:
        super().__init__()
        self._push = push
        self._profile_id = profile_id
        self._relay = relay

    def run(self) -> None:
        try:
            pushed = self._push()
        except (SyncError, OSError) as error:
            log.info("flags of profile %s wait for the next sync: %s", self._profile_id, error)
            pushed = 0
        except Exception:  # a bug must not kill the pool; the flags stay marked for the sync
            log.exception("pushing the flags of profile %s crashed", self._profile_id)
            pushed = 0
        self._relay.flags_pushed.emit(self._profile_id, pushed)


class SyncScheduler(QObject):
    """Starts, retries, cancels and periodically repeats the sync of each profile."""

    progress = Signal(int, int, int)  # profile id, done, total (of the current phase)
    state_changed = Signal(int, str)  # profile id, one of idle/running/retrying/done/...
    finished = Signal(int, object)  # profile id, SyncResult
    failed = Signal(int, str, bool)  # profile id, reason for the user, permanent
    flags_pushed = Signal(int, int)  # profile id, messages whose flags reached the server

    def __init__(
        self,
        session_factory: SessionFactory,
        passwords: PasswordSource,
        *,
        profiles: Callable[[], Sequence[int]] = tuple,
        interval: float = DEFAULT_INTERVAL,
        retry: RetryPolicy | None = None,
        pool: QThreadPool | None = None,
        wall_clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._session_factory = session_factory
        self._passwords = passwords
        self._profiles = profiles
        self._interval = interval
        self._retry = retry or RetryPolicy()
        self._pool = pool or QThreadPool.globalInstance()
        self._wall_clock = wall_clock
        self._monotonic = monotonic
        self._jobs: dict[int, SyncJob] = {}
        self._relays: dict[int, _Relay] = {}
        self._stopped: dict[int, str] = {}
        self._last_sync: dict[int, float] = {}
        self._last_tick = (wall_clock(), monotonic())
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.check_schedule)

    def start_periodic(self, tick_ms: int = TICK_MS) -> None:
        self._last_tick = (self._wall_clock(), self._monotonic())
        self._timer.start(tick_ms)

    def stop_periodic(self) -> None:
        self._timer.stop()

    def sync(self, profile_id: int) -> bool:
        """Sync now (a user's request also lifts a permanent stop); False if already running."""
        self._stopped.pop(profile_id, None)
        return self._start(profile_id)

    def sync_all(self, profile_ids: Iterable[int] | None = None) -> None:
        for profile_id in self._profiles() if profile_ids is None else profile_ids:
            self.sync(profile_id)

    def push_flags(self, profile_id: int) -> None:
        """Send flag changes made here (a message opened) to the server now, off this thread."""
        relay = _Relay(self)
        relay.flags_pushed.connect(self.flags_pushed)
        relay.flags_pushed.connect(self._forget_push)
        push = partial(push_flags_now, self._session_factory, profile_id, self._passwords)
        self._pool.start(_FlagPush(push, profile_id, relay))

    @Slot(int, int)
    def _forget_push(self, _profile_id: int, _pushed: int) -> None:
        sender = self.sender()
        if isinstance(sender, _Relay):
            sender.deleteLater()

    def cancel(self, profile_id: int) -> None:
        job = self._jobs.get(profile_id)
        if job is not None:
            job.cancel_event.set()

    def cancel_all(self) -> None:
        for profile_id in list(self._jobs):
            self.cancel(profile_id)

    def is_running(self, profile_id: int) -> bool:
        return profile_id in self._jobs

    def stopped_reason(self, profile_id: int) -> str | None:
        return self._stopped.get(profile_id)

    def wait(self, timeout_ms: int = 30_000) -> bool:
        return bool(self._pool.waitForDone(timeout_ms))

    @Slot()
    def check_schedule(self) -> None:
        """Sync the profiles that are due, or all of them when the machine has just woken up."""
        wall, mono = self._wall_clock(), self._monotonic()
        last_wall, last_mono = self._last_tick
        self._last_tick = (wall, mono)
        woke = (wall - last_wall) - (mono - last_mono) > WAKE_SLACK
        if woke:
            log.info("the clock jumped %.0f s: the machine slept; syncing now", wall - last_wall)
        for profile_id in self._profiles():
            if profile_id in self._stopped or profile_id in self._jobs:
                continue
            due = mono - self._last_sync.get(profile_id, float("-inf")) >= self._interval
            if woke or due:
                self._start(profile_id)

    def _start(self, profile_id: int) -> bool:
        if profile_id in self._jobs:
            return False
        # Owned by the scheduler (a Qt parent), and deleted later: a relay freed while Qt still
        # delivers its queued signals corrupts memory.
        relay = _Relay(self)
        relay.progress.connect(self.progress)
        relay.state_changed.connect(self.state_changed)
        relay.finished.connect(self.finished)
        relay.failed.connect(self._on_failed)
        relay.ended.connect(self._on_ended)

        def run(cancel: threading.Event, report: Callable[[SyncProgress], None]) -> SyncResult:
            return sync_profile(
                self._session_factory,
                profile_id,
                self._passwords,
                progress=report,
                cancel=cancel,
            )

        job = SyncJob(run, profile_id, self._retry, relay)
        self._jobs[profile_id] = job
        self._relays[profile_id] = relay
        self._last_sync[profile_id] = self._monotonic()
        self._pool.start(job)
        return True

    @Slot(int, str, bool)
    def _on_failed(self, profile_id: int, reason: str, permanent: bool) -> None:
        if permanent:
            if self._stopped.get(profile_id) == reason:
                return
            self._stopped[profile_id] = reason
        self.failed.emit(profile_id, reason, permanent)

    @Slot(int)
    def _on_ended(self, profile_id: int) -> None:
        self._jobs.pop(profile_id, None)
        relay = self._relays.pop(profile_id, None)
        if relay is not None:
            relay.deleteLater()
