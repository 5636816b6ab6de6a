"""One profile's ordered queue of server work, on its own thread, holding its IMAP connection.

Steps run one at a time in order; a retry waits as a timer entry in the queue (not a sleeping
thread), so other steps run meanwhile and cancelling removes it. The connection is kept open
between steps and closed after the owner's ``keep_alive`` idle seconds, or reopened when the
profile's server settings changed. What a step does is the owner's business
(:mod:`desktop.services.mail.sync_owner`); this module only orders and connects.
"""

from __future__ import annotations

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
from typing import Any, Protocol

from desktop.services.mail.connection import AuditedClient, Hangup, ServerSettings, open_connection
from desktop.services.mail.imap_sync import (
    NotConfiguredError,
    PasswordSource,
    SyncProgress,
    server_settings,
)
from desktop.services.oauth_sasl import Bearer
from desktop.store.session import SessionFactory

log = logging.getLogger(__name__)


class QueueOwner(Protocol):
    """What a queue reads from the object that owns every profile's queue."""

    session_factory: SessionFactory
    passwords: PasswordSource
    timeout: float
    keep_alive: float


@dataclass(eq=False)
class Step:
    """One piece of server work of a profile; ``outcome`` is set for callers that wait."""

    kind: str  # "sync" | "inbox" | "sent" | "flags" | "check" | "send"
    delays: Iterator[float] = field(default_factory=lambda: iter(()))
    progress: Callable[[SyncProgress], None] | None = None
    password: str | None = None
    cancel: threading.Event = field(default_factory=threading.Event)
    outcome: Future[Any] = field(default_factory=Future)
    ready: threading.Event | None = None
    """Set when the step may do its work (the store change it replays has committed); the
    connection is opened before, so signing in overlaps that change. None: at once."""


@dataclass
class Held:
    stack: ExitStack
    client: AuditedClient
    settings: ServerSettings
    hangup: Hangup


CLOSE_IDLE = Step("close")


class ProfileQueue:
    """The steps of one profile, run in order on one thread that holds the connection."""

    def __init__(
        self, owner: QueueOwner, profile_id: int, run: Callable[[ProfileQueue, Step], None]
    ) -> None:
        self.owner = owner
        self.profile_id = profile_id
        self._run = run
        self.settings: ServerSettings | None = None
        self._cond = threading.Condition()
        self._ready: deque[Step] = deque()
        self._later: list[tuple[float, int, Step]] = []
        self._order = itertools.count()
        self._current: Step | None = None
        self._hangup: Hangup | None = None
        self._held: Held | None = None
        self._idle_until = 0.0
        self._thread: threading.Thread | None = None
        self._closing = False

    def put(self, step: Step, delay: float = 0.0) -> bool:
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

    def pending(self, kind: str) -> bool:
        """A step of ``kind`` is queued and not started yet (so it will see what is new)."""
        with self._cond:
            return any(step.kind == kind for step in self._ready)

    def waiting_retry(self, kind: str) -> Step | None:
        """Take a step of ``kind`` out of its back-off wait, if one is waiting."""
        with self._cond:
            for entry in self._later:
                if entry[2].kind == kind:
                    self._later.remove(entry)
                    heapq.heapify(self._later)
                    return entry[2]
            return None

    def cancel(self) -> list[Step]:
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

    def close(self) -> list[Step]:
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

    def client(self, step: Step) -> AuditedClient:
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
        hangup = self.watch(Hangup(), step)
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
        self._held = Held(stack, client, settings, hangup)
        return client

    def sign_in_once(self, step: Step) -> None:
        """A connection test on its own connection: with the password typed (perhaps not
        saved), or for an OAuth2 profile the bearer its syncs use, since nothing is typed."""
        self.drop_connection(None)
        self.settings = settings = server_settings(self.owner.session_factory, self.profile_id)
        credential: str | Bearer = step.password or ""
        if settings.auth == "oauth2":
            held = self.owner.passwords.get_password(self.profile_id)
            if held is None:
                raise NotConfiguredError("no sign-in held for this profile's mail server")
            credential = held
        hangup = self.watch(Hangup(), step)
        with open_connection(
            self.owner.session_factory,
            self.profile_id,
            settings,
            credential,
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

    def watch(self, hangup: Hangup, step: Step) -> Hangup:
        with self._cond:
            self._hangup = hangup
        if step.cancel.is_set():
            hangup.cut()
        return hangup

    def _steps(self) -> Iterator[Step]:
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
                self._current = None if step is CLOSE_IDLE else step
                if self._held is not None:
                    self._hangup = self._held.hangup
            try:
                if step is CLOSE_IDLE:
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

    def _take(self) -> Step | None:
        """The next step, or closing the idle connection, or None when done (lock held)."""
        while True:
            now = time.monotonic()
            while self._later and self._later[0][0] <= now:
                self._ready.append(heapq.heappop(self._later)[2])
            if self._ready:
                return self._ready.popleft()
            if self._held is not None and (self._closing or now >= self._idle_until):
                return CLOSE_IDLE
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
