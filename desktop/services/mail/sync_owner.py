"""One owner of each profile's IMAP connection: an ordered queue per profile, on its own thread.

Everything a profile asks of its server (a sync, the flags of an opened message, a connection
test; sending later) is a step in that profile's queue, run one at a time on the profile's own
thread over one connection kept open between steps (closed after ``keep_alive`` idle seconds,
or reopened when the profile's server settings changed). So a flag push queued behind a sync
runs after it, on the same connection, and no step ever waits in a thread pool the window uses.

* Transient failures (refused or dropped connections, timeouts, BYE) are retried with
  exponential back-off up to a cap. The wait is a timer entry in the profile's queue, not a
  sleeping thread: other steps of the profile run meanwhile, and cancelling removes the entry.
* Permanent failures (wrong password, rejected certificate, missing settings) stop the profile
  and are reported once: a periodic sync (``periodic=True``) leaves a stopped profile alone until
  the user asks again, so a wrong password does not lock the account by repeated logins.
* Cancelling cuts the connection (:class:`~desktop.services.mail.connection.Hangup`), so a
  connect, TLS handshake or read blocked on a silent server ends within a moment, not at the
  socket timeout.
* ``push_flags`` sends seen/flagged changes made in the app to the server at once; if that fails
  the changes stay marked and the next sync sends them.

No Qt here: listeners are plain callables, called on the profile's thread; the window's adapter
(``desktop/gui/mainwindow/sync_scheduler.py``) turns them into queued signals and drives the
periodic schedule (:mod:`desktop.services.mail.sync_schedule`) with a timer.
"""

from __future__ import annotations

import enum
import heapq
import imaplib
import itertools
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

from desktop.core.roles import Action
from desktop.services.authorization import Authorizer, SignedInUser, gated, without_actor
from desktop.services.mail.connection import (
    DEFAULT_TIMEOUT,
    AuditedClient,
    Hangup,
    ServerSettings,
    open_connection,
)
from desktop.services.mail.imap_sync import (
    NotConfiguredError,
    PasswordSource,
    SyncCancelledError,
    SyncError,
    SyncProgress,
    SyncResult,
    as_sync_error,
    dirty_folders,
    push_dirty_flags,
    server_settings,
    sync_folders,
)
from desktop.store.session import SessionFactory

log = logging.getLogger(__name__)

KEEP_ALIVE = 120.0
"""Idle seconds before a profile's connection is logged out (servers drop idle ones at 30 min)."""


class SyncState(enum.StrEnum):
    RUNNING = "running"
    RETRYING = "retrying"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class StateChanged:
    profile_id: int
    state: SyncState


@dataclass(frozen=True)
class Progressed:
    profile_id: int
    done: int
    total: int


@dataclass(frozen=True)
class Finished:
    profile_id: int
    result: SyncResult


@dataclass(frozen=True)
class Failed:
    profile_id: int
    reason: str
    permanent: bool


@dataclass(frozen=True)
class FlagsPushed:
    profile_id: int
    count: int


SyncEvent = StateChanged | Progressed | Finished | Failed | FlagsPushed
Listener = Callable[[SyncEvent], None]


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


NO_RETRY = RetryPolicy(attempts=1)


@dataclass(eq=False)
class _Step:
    """One piece of server work of a profile; ``outcome`` is set for callers that wait."""

    kind: str  # "sync" | "flags" | "check"
    delays: Iterator[float] = field(default_factory=lambda: iter(()))
    progress: Callable[[SyncProgress], None] | None = None
    password: str | None = None
    cancel: threading.Event = field(default_factory=threading.Event)
    outcome: Future[Any] = field(default_factory=Future)


@dataclass
class _Held:
    stack: ExitStack
    client: AuditedClient
    settings: ServerSettings
    hangup: Hangup


_CLOSE_IDLE = _Step("close")


class _ProfileQueue:
    """The steps of one profile, run in order on one thread that holds the connection."""

    def __init__(
        self, owner: MailSync, profile_id: int, run: Callable[[_ProfileQueue, _Step], None]
    ) -> None:
        self.owner = owner
        self.profile_id = profile_id
        self._run = run
        self.settings: ServerSettings | None = None
        self._cond = threading.Condition()
        self._ready: deque[_Step] = deque()
        self._later: list[tuple[float, int, _Step]] = []
        self._order = itertools.count()
        self._current: _Step | None = None
        self._hangup: Hangup | None = None
        self._held: _Held | None = None
        self._idle_until = 0.0
        self._thread: threading.Thread | None = None
        self._closing = False

    def put(self, step: _Step, delay: float = 0.0) -> bool:
        with self._cond:
            if self._closing:
                return False
            if delay > 0:
                due = time.monotonic() + delay
                heapq.heappush(self._later, (due, next(self._order), step))
            else:
                self._ready.append(step)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._loop, name=f"mail-profile-{self.profile_id}", daemon=True
                )
                self._thread.start()
            self._cond.notify()
            return True

    def has(self, kind: str) -> bool:
        with self._cond:
            return any(step.kind == kind and not step.outcome.done() for step in self._steps())

    def waiting_retry(self, kind: str) -> _Step | None:
        """Take a step of ``kind`` out of its back-off wait, if one is waiting."""
        with self._cond:
            for entry in self._later:
                if entry[2].kind == kind:
                    self._later.remove(entry)
                    heapq.heapify(self._later)
                    return entry[2]
            return None

    def cancel(self) -> list[_Step]:
        """Drop every step waiting, cut the running one; the dropped steps are returned."""
        with self._cond:
            dropped = [*self._ready, *(entry[2] for entry in self._later)]
            self._ready.clear()
            self._later.clear()
            if self._current is not None:
                self._current.cancel.set()
            hangup = self._hangup if self._current is not None else None
            self._cond.notify()
        if hangup is not None:
            hangup.cut()
        return dropped

    def close(self) -> list[_Step]:
        with self._cond:
            self._closing = True
        return self.cancel()

    def join(self, timeout: float) -> bool:
        with self._cond:
            thread = self._thread
        if thread is not None:
            thread.join(timeout)
            return not thread.is_alive()
        return True

    def client(self, step: _Step) -> AuditedClient:
        """The profile's connection, opened (or reopened) for this step; profile thread only."""
        owner = self.owner
        self.settings = settings = server_settings(owner.session_factory, self.profile_id)
        held = self._held
        if held is not None and (held.settings != settings or not _answers(held.client)):
            self.drop_connection(None)
        if self._held is not None:
            return self._held.client
        password = owner.passwords.get_password(self.profile_id)
        if password is None:
            raise NotConfiguredError("no password stored for this profile's mail server")
        hangup = self._watch(Hangup(), step)
        stack = ExitStack()
        client = stack.enter_context(
            open_connection(
                owner.session_factory,
                self.profile_id,
                settings,
                password,
                timeout=owner.timeout,
                hangup=hangup,
            )
        )
        self._held = _Held(stack, client, settings, hangup)
        return client

    def sign_in_once(self, step: _Step) -> None:
        """A connection test with a password typed but perhaps not saved: its own connection."""
        self.drop_connection(None)
        self.settings = settings = server_settings(self.owner.session_factory, self.profile_id)
        hangup = self._watch(Hangup(), step)
        with open_connection(
            self.owner.session_factory,
            self.profile_id,
            settings,
            step.password or "",
            timeout=self.owner.timeout,
            hangup=hangup,
        ):
            pass

    def drop_connection(self, error: BaseException | None) -> None:
        """Log out (recording the egress); a failed step's error marks the egress as failed."""
        held, self._held = self._held, None
        if held is None:
            return
        try:
            if error is None:
                held.stack.close()
            else:
                held.stack.__exit__(type(error), error, error.__traceback__)
        except Exception:  # the connection was already broken; the egress is recorded anyway
            log.debug("closing the connection of profile %s failed", self.profile_id)

    def _watch(self, hangup: Hangup, step: _Step) -> Hangup:
        with self._cond:
            self._hangup = hangup
        if step.cancel.is_set():
            hangup.cut()
        return hangup

    def _steps(self) -> Iterator[_Step]:
        yield from self._ready
        yield from (entry[2] for entry in self._later)
        if self._current is not None:
            yield self._current

    def _loop(self) -> None:
        while True:
            with self._cond:
                step = self._take()
                if step is None:
                    self._thread = None
                    return
                self._current = None if step is _CLOSE_IDLE else step
                if self._held is not None:
                    self._hangup = self._held.hangup
            try:
                if step is _CLOSE_IDLE:
                    self.drop_connection(None)
                else:
                    self._run(self, step)
            except Exception:  # a bug must end the step visibly, never the profile's thread
                log.exception("a step of profile %s crashed", self.profile_id)
                self.drop_connection(None)
            finally:
                with self._cond:
                    self._current = None
                    self._idle_until = time.monotonic() + self.owner.keep_alive

    def _take(self) -> _Step | None:
        """The next step, or closing the idle connection, or None when done (lock held)."""
        while True:
            now = time.monotonic()
            while self._later and self._later[0][0] <= now:
                self._ready.append(heapq.heappop(self._later)[2])
            if self._ready:
                return self._ready.popleft()
            if self._held is not None and (self._closing or now >= self._idle_until):
                return _CLOSE_IDLE
            if self._held is None and (self._closing or not self._later):
                return None
            waits = [self._later[0][0] - now] if self._later else []
            if self._held is not None:
                waits.append(self._idle_until - now)
            self._cond.wait(min(waits))


def _answers(client: AuditedClient) -> bool:
    """Whether a kept connection still works (servers drop idle ones)."""
    try:
        client.noop()
    except (OSError, EOFError, imaplib.IMAP4.error):
        return False
    return True


class MailSync:
    """The app's owner of every profile's server work; built once with the services."""

    def __init__(
        self,
        session_factory: SessionFactory,
        passwords: PasswordSource,
        authorizer: Authorizer,
        *,
        retry: RetryPolicy | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        keep_alive: float = KEEP_ALIVE,
    ) -> None:
        self.session_factory = session_factory
        self.passwords = passwords
        self._authorizer = authorizer
        self.retry = retry or RetryPolicy()
        self.timeout = timeout
        self.keep_alive = keep_alive
        self._lock = threading.Lock()
        self._queues: dict[int, _ProfileQueue] = {}
        self._stopped: dict[int, str] = {}
        self._listeners: list[Listener] = []
        self._closed = False

    @without_actor("registers a callback for progress reports; reaches no data")
    def add_listener(self, listener: Listener) -> None:
        with self._lock:
            self._listeners.append(listener)

    @without_actor("unregisters a callback for progress reports; reaches no data")
    def remove_listener(self, listener: Listener) -> None:
        with self._lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    @gated(Action.READ_OWN_MAIL, profile="profile_id")
    def sync(self, actor: SignedInUser, profile_id: int, *, periodic: bool = False) -> bool:
        """Queue a sync; False if one is already queued or running (or, periodic, stopped).

        A user's request lifts a permanent stop, and runs a sync waiting to retry at once.
        """
        with self._lock:
            if periodic and profile_id in self._stopped:
                return False
            if not periodic:
                self._stopped.pop(profile_id, None)
        queue = self._queue(profile_id)
        if queue is None:
            return False
        waiting = None if periodic else queue.waiting_retry("sync")
        if waiting is None and queue.has("sync"):
            return False
        return queue.put(_Step("sync", self.retry.delays()))

    @gated(Action.READ_OWN_MAIL, profile="profile_id")
    def sync_now(
        self,
        actor: SignedInUser,
        profile_id: int,
        progress: Callable[[SyncProgress], None] | None = None,
    ) -> SyncResult:
        """Sync in the profile's queue and wait for it, without retrying (the command line)."""
        result: SyncResult = self._wait(profile_id, _Step("sync", progress=progress))
        return result

    @gated(Action.READ_OWN_MAIL, profile="profile_id")
    def push_flags(self, actor: SignedInUser, profile_id: int) -> None:
        """Send flag changes made here (a message opened) to the server, after queued work."""
        queue = self._queue(profile_id)
        if queue is not None:
            queue.put(_Step("flags"))

    @gated(Action.READ_OWN_MAIL, profile="profile_id")
    def check_connection(self, actor: SignedInUser, profile_id: int, password: str) -> None:
        """Sign in to the profile's server with ``password`` and sync nothing; waits for it."""
        self._wait(profile_id, _Step("check", password=password))

    @without_actor("stops work the gate already allowed; reaches no data")
    def cancel(self, profile_id: int) -> None:
        queue = self._queues.get(profile_id)
        if queue is not None:
            self._dropped(profile_id, queue.cancel())

    @without_actor("stops work the gate already allowed; reaches no data")
    def cancel_all(self) -> None:
        for profile_id in list(self._queues):
            self.cancel(profile_id)

    @without_actor("reads this object's own state; reaches no data")
    def is_syncing(self, profile_id: int) -> bool:
        """A sync is queued, running, or waiting to retry."""
        queue = self._queues.get(profile_id)
        return queue is not None and queue.has("sync")

    @without_actor("reads this object's own state; reaches no data")
    def stopped_reason(self, profile_id: int) -> str | None:
        with self._lock:
            return self._stopped.get(profile_id)

    @without_actor("stops every profile's work and waits for the threads; reaches no data")
    def close(self, timeout: float = 5.0) -> bool:
        """Cancel everything and wait (at most ``timeout`` s) for the profile threads to end."""
        with self._lock:
            self._closed = True
            queues = list(self._queues.items())
        for profile_id, queue in queues:
            self._dropped(profile_id, queue.close())
        deadline = time.monotonic() + timeout
        return all(queue.join(max(0.0, deadline - time.monotonic())) for _, queue in queues)

    def _run_step(self, queue: _ProfileQueue, step: _Step) -> None:
        """On the profile's thread: one step, reported, its failure sorted and handled."""
        if step.kind == "flags":
            self._push(queue, step)
            return
        pid = queue.profile_id
        if step.kind == "sync":
            self._emit(StateChanged(pid, SyncState.RUNNING))
        try:
            if step.kind == "check":
                queue.sign_in_once(step)
                step.outcome.set_result(None)
                return
            client = queue.client(step)
            result = sync_folders(
                self.session_factory,
                pid,
                client,
                progress=lambda progress: self._progressed(step, progress),
                cancel=step.cancel,
            )
        except Exception as error:
            queue.drop_connection(error)
            self._failed(queue, step, error)
            return
        step.outcome.set_result(result)  # first: a sync asked for after this report is a new one
        self._emit(StateChanged(pid, SyncState.DONE))
        self._emit(Finished(pid, result))

    def _push(self, queue: _ProfileQueue, step: _Step) -> None:
        pid = queue.profile_id
        pushed = 0
        try:
            if dirty_folders(self.session_factory, pid):
                pushed = push_dirty_flags(self.session_factory, pid, queue.client(step))
        except Exception as error:
            queue.drop_connection(error)
            if queue.settings is None or as_sync_error(error, queue.settings) is None:
                log.exception("pushing the flags of profile %s crashed", pid)
            else:
                log.info("flags of profile %s wait for the next sync: %s", pid, error)
        self._emit(FlagsPushed(pid, pushed))
        step.outcome.set_result(pushed)

    def _failed(self, queue: _ProfileQueue, step: _Step, error: Exception) -> None:
        pid = queue.profile_id
        reported = step.kind == "sync"
        if step.cancel.is_set():
            step.outcome.set_exception(SyncCancelledError("sync cancelled"))
            if reported:
                self._emit(StateChanged(pid, SyncState.CANCELLED))
            return
        problem = _sorted(error, queue.settings)
        if problem is None:
            log.exception("a %s of profile %s crashed", step.kind, pid, exc_info=error)
            problem = SyncError(f"internal error: {type(error).__name__}")
            problem.permanent = True
        delay = None if problem.permanent else next(step.delays, None)
        if delay is not None and queue.put(step, delay):
            log.info("sync of profile %s failed, retrying in %.0f s: %s", pid, delay, problem)
            self._emit(StateChanged(pid, SyncState.RETRYING))
            return
        step.outcome.set_exception(problem)
        if reported:
            log.warning("sync of profile %s failed: %s", pid, problem)
            if problem.permanent:
                with self._lock:
                    self._stopped[pid] = str(problem)
            self._emit(StateChanged(pid, SyncState.FAILED))
            self._emit(Failed(pid, str(problem), problem.permanent))

    def _progressed(self, step: _Step, progress: SyncProgress) -> None:
        if step.progress is not None:
            step.progress(progress)
        self._emit(Progressed(progress.profile_id, progress.done, progress.total))

    def _dropped(self, profile_id: int, steps: list[_Step]) -> None:
        for step in steps:
            if not step.outcome.done():
                step.outcome.set_exception(SyncCancelledError("cancelled"))
            if step.kind == "sync":
                self._emit(StateChanged(profile_id, SyncState.CANCELLED))

    def _wait(self, profile_id: int, step: _Step) -> Any:
        queue = self._queue(profile_id)
        if queue is None or not queue.put(step):
            raise SyncCancelledError("the app is closing")
        try:
            return step.outcome.result()
        except KeyboardInterrupt:
            self.cancel(profile_id)
            raise

    def _queue(self, profile_id: int) -> _ProfileQueue | None:
        with self._lock:
            if self._closed:
                return None
            queue = self._queues.get(profile_id)
            if queue is None:
                queue = self._queues[profile_id] = _ProfileQueue(self, profile_id, self._run_step)
            return queue

    def _emit(self, event: SyncEvent) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(event)
            except Exception:  # a listener's bug must not end the profile's work
                log.exception("a sync listener failed on %s", type(event).__name__)


def _sorted(error: Exception, settings: ServerSettings | None) -> SyncError | None:
    if isinstance(error, SyncError):
        return error
    return as_sync_error(error, settings) if settings is not None else None
