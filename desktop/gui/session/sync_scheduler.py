"""The window's side of background mail work: the owner's reports as Qt signals, and a timer.

:class:`~desktop.services.mail.sync_owner.MailSync` runs each profile's server work on that
profile's own thread and reports to plain listeners on that thread. This adapter relays the reports
through a queued signal, so its signals fire on the GUI thread, and ticks the periodic schedule
with a QTimer. It also starts and stops the IMAP IDLE watch of each profile's INBOX, through which
new mail arrives within seconds instead of at the next tick. Requests pass the gate, which reads
the store, so they are made on a worker, never on the GUI thread; cancelling reaches no data and
is immediate.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from desktop.gui.session.workers import Workers
from desktop.services.authorization import SignedInUser
from desktop.services.mail.sync_owner import (
    ActionsApplied,
    Delivered,
    Failed,
    Finished,
    FlagsPushed,
    MailSync,
    Progressed,
    StateChanged,
    SyncEvent,
    Watching,
)
from desktop.services.mail.sync_schedule import SyncSchedule

log = logging.getLogger(__name__)

TICK_MS = 30_000


class _Relay(QObject):
    """Emitted from profile threads; the connection to the scheduler's slot is queued."""

    report = Signal(object)

    def tell(self, event: SyncEvent) -> None:
        """Relay one report; a profile thread may still finish a step after the window is gone.

        ``close`` stops the listening, but a step already past the owner's copy of its listeners
        reports once more; with the relay deleted there is nobody left to tell.
        """
        try:
            self.report.emit(event)
        except RuntimeError:  # "Signal source has been deleted"
            return


class SyncScheduler(QObject):
    progress = Signal(int, int, int)  # profile id, done, total (of the current phase)
    state_changed = Signal(int, str)  # profile id, a SyncState
    finished = Signal(int, object)  # profile id, SyncResult
    failed = Signal(int, str, bool)  # profile id, reason for the user, permanent
    sign_in_needed = Signal(int, str)  # profile id, why the person must sign it in again
    flags_pushed = Signal(int, int)  # profile id, messages whose flags reached the server
    refused = Signal(int, str)  # profile id, why the gate refused the request
    delivered = Signal(int, object)  # profile id, DeliveryReport
    watching = Signal(int, bool)  # profile id, whether its INBOX is in IDLE now
    actions_applied = Signal(int, object)  # profile id, ActionsApplied

    def __init__(
        self,
        owner: MailSync,
        actor: Callable[[], SignedInUser],
        *,
        profiles: Callable[[], Sequence[int]] = tuple,
        schedule: SyncSchedule | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._owner = owner
        self._actor = actor
        self._profiles = profiles
        self._schedule = schedule or SyncSchedule()
        self._workers = Workers(self)
        self._relay = _Relay(self)
        self._relay.report.connect(self._deliver)
        self._listener = self._relay.tell
        owner.add_listener(self._listener)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.check_schedule)

    def start_periodic(self, tick_ms: int = TICK_MS) -> None:
        self._schedule.restart()
        self._timer.start(tick_ms)

    def stop_periodic(self) -> None:
        self._timer.stop()

    def close(self) -> None:
        """Stop the timer and the work, and hear no more reports (the user signed out)."""
        self._timer.stop()
        self._owner.remove_listener(self._listener)
        self._owner.cancel_all()

    def sync(self, profile_id: int) -> None:
        """Sync now (a user's request also lifts a permanent stop)."""
        self._schedule.started(profile_id)
        self._request(profile_id, periodic=False)

    def sync_all(self, profile_ids: Iterable[int] | None = None) -> None:
        for profile_id in self._profiles() if profile_ids is None else profile_ids:
            self.sync(profile_id)

    def push_flags(self, profile_id: int) -> None:
        actor, owner = self._actor(), self._owner
        self._workers.submit(
            lambda: owner.push_flags(actor, profile_id),
            lambda _none: None,
            lambda error: self.refused.emit(profile_id, str(error)),
        )

    def deliver(self, profile_id: int) -> None:
        """Send the profile's outbox after its queued work, retrying while offline."""
        actor, owner = self._actor(), self._owner
        self._workers.submit(
            lambda: owner.deliver(actor, profile_id),
            lambda _queued: None,
            lambda error: self.refused.emit(profile_id, str(error)),
        )

    def watch(self, profile_ids: Iterable[int]) -> None:
        """Hold each profile's INBOX in IDLE (a profile watched already is left as it is)."""
        for profile_id in profile_ids:
            self._watch(profile_id)

    def stop_watching(self) -> None:
        """Every IDLE connection is cut now (the window was locked)."""
        self._owner.stop_watching()

    def is_watching(self, profile_id: int) -> bool:
        return self._owner.is_watching(profile_id)

    def cancel(self, profile_id: int) -> None:
        self._owner.cancel(profile_id)

    def cancel_all(self) -> None:
        self._owner.cancel_all()

    def is_running(self, profile_id: int) -> bool:
        return self._owner.is_syncing(profile_id)

    def stopped_reason(self, profile_id: int) -> str | None:
        return self._owner.stopped_reason(profile_id)

    @Slot()
    def check_schedule(self) -> None:
        """Sync the profiles that are due, or all of them when the machine has just woken up."""
        idle = [
            profile_id
            for profile_id in self._profiles()
            if self._owner.stopped_reason(profile_id) is None
            and not self._owner.is_syncing(profile_id)
        ]
        for profile_id in self._schedule.due(idle):
            self._request(profile_id, periodic=True)

    def _request(self, profile_id: int, *, periodic: bool) -> None:
        actor, owner = self._actor(), self._owner
        self._workers.submit(
            lambda: owner.sync(actor, profile_id, periodic=periodic),
            lambda _queued: None,
            lambda error: self.refused.emit(profile_id, str(error)),
        )

    def _watch(self, profile_id: int) -> None:
        actor, owner = self._actor(), self._owner
        self._workers.submit(
            lambda: owner.watch_inbox(actor, profile_id),
            lambda _started: None,
            lambda error: self.refused.emit(profile_id, str(error)),
        )

    @Slot(object)
    def _deliver(self, event: SyncEvent) -> None:
        match event:
            case StateChanged(profile_id, state):
                self.state_changed.emit(profile_id, str(state))
            case Progressed(profile_id, done, total):
                self.progress.emit(profile_id, done, total)
            case Finished(profile_id, result):
                self.finished.emit(profile_id, result)
            case Failed(profile_id, reason, _permanent, sign_in=True):
                self.sign_in_needed.emit(profile_id, reason)
            case Failed(profile_id, reason, permanent):
                self.failed.emit(profile_id, reason, permanent)
            case FlagsPushed(profile_id, count):
                self.flags_pushed.emit(profile_id, count)
            case Delivered(profile_id, report):
                self.delivered.emit(profile_id, report)
            case Watching(profile_id, watching):
                self.watching.emit(profile_id, watching)
            case ActionsApplied(profile_id):
                self.actions_applied.emit(profile_id, event)
