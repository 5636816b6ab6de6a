"""Each watched profile's INBOX held in IMAP IDLE (RFC 2177), so new mail arrives in seconds.

IDLE ties up a connection (no other command may run while it waits), and the profile's queue
must stay free for syncs, flag pushes and sending. So a watched profile has one more connection of
its own, on its own thread, opened by :func:`~desktop.services.mail.connection.open_connection`
(in the egress audit, under the same TLS and plaintext rules), that only waits for the server's
word. A change the server reports (EXISTS, EXPUNGE, FETCH) becomes a request to the owner for an
INBOX-only sync step in the profile's queue: the queue stays the one place that syncs, and it
coalesces a burst into one pending step.

* IDLE is re-issued every ``renew`` seconds (25 min): RFC 2177 lets a server end it after 30.
* The clock is looked at every ``look_every`` seconds; a wall clock that jumped ahead of the
  monotonic one means the machine slept, and the connection is tested at once instead of at the
  next renewal. A wake-up from IDLE that brings no response is tested the same way: it is how a
  closed connection (a server restart) shows.
* A lost connection is reopened after a back-off that doubles up to ``retry_cap`` and starts
  again once a connection works; every (re)connection asks for an INBOX sync, for what arrived
  while nobody was listening.
* A permanent failure (wrong password, untrusted certificate) or a server without IDLE ends the
  watch and leaves the profile to its periodic sync, which reports such failures to the person.
* Stopping cuts the socket (:class:`~desktop.services.mail.connection.Hangup`), so a thread
  blocked in IDLE or in a connect ends within a moment.
"""

from __future__ import annotations

import imaplib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from desktop.services.mail.connection import AuditedClient, Hangup, ServerSettings, open_connection
from desktop.services.mail.imap_sync import (
    NotConfiguredError,
    PasswordSource,
    as_sync_error,
    server_settings,
)
from desktop.services.mail.sync_events import SyncEvent, Watching
from desktop.services.mail.sync_schedule import WAKE_SLACK
from desktop.store.session import SessionFactory

log = logging.getLogger(__name__)

INBOX = "INBOX"
_CHANGES = frozenset({b"EXISTS", b"EXPUNGE", b"FETCH"})


@dataclass(frozen=True)
class IdlePolicy:
    """How long IDLE lasts before it is re-issued, and how reconnecting backs off (seconds)."""

    renew: float = 25 * 60.0
    look_every: float = 60.0
    first_retry: float = 2.0
    retry_cap: float = 300.0
    wall_clock: Callable[[], float] = field(default=time.time, compare=False)


class WatchOwner(Protocol):
    """What a watcher reads from the object that owns every profile's server work."""

    session_factory: SessionFactory
    passwords: PasswordSource
    timeout: float


class IdleWatch:
    """One IDLE watcher per profile; ``changed(profile_id)`` is called on the watcher's thread."""

    def __init__(
        self,
        owner: WatchOwner,
        changed: Callable[[int], None],
        emit: Callable[[SyncEvent], None],
        policy: IdlePolicy,
    ) -> None:
        self._owner = owner
        self._changed = changed
        self._emit = emit
        self.policy = policy
        self._lock = threading.Lock()
        self._watchers: dict[int, _Watcher] = {}

    def start(self, profile_id: int) -> bool:
        """Watch the profile's INBOX; False if it is watched already."""
        with self._lock:
            running = self._watchers.get(profile_id)
            if running is not None and running.is_alive() and not running.stopping:
                return False
            watcher = self._watchers[profile_id] = _Watcher(self, profile_id)
        watcher.start()
        return True

    def stop(self, profile_id: int | None = None) -> list[threading.Thread]:
        """Stop one profile's watcher (or all of them); the threads are returned to join."""
        with self._lock:
            chosen = list(self._watchers) if profile_id is None else [profile_id]
            stopping = [self._watchers.pop(pid) for pid in chosen if pid in self._watchers]
        for watcher in stopping:
            watcher.stop()
        return [watcher.thread for watcher in stopping]

    def watching(self, profile_id: int) -> bool:
        """The profile's INBOX is in IDLE now (connected, and the server accepted IDLE)."""
        with self._lock:
            watcher = self._watchers.get(profile_id)
        return watcher is not None and watcher.idling


class _Watcher:
    def __init__(self, watch: IdleWatch, profile_id: int) -> None:
        self._watch = watch
        self.profile_id = profile_id
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._hangup: Hangup | None = None
        self._settings: ServerSettings | None = None
        self._delay = watch.policy.first_retry
        self.idling = False
        self.thread = threading.Thread(
            target=self._run, name=f"mail-idle-{profile_id}", daemon=True
        )

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def is_alive(self) -> bool:
        return self.thread.is_alive()

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self._stop.set()
        with self._lock:
            hangup = self._hangup
        if hangup is not None:
            hangup.cut()

    def _run(self) -> None:
        try:
            self._watch_until_stopped()
        finally:
            if self.idling:
                self.idling = False
                self._report(False, "")

    def _watch_until_stopped(self) -> None:
        policy, pid = self._watch.policy, self.profile_id
        while not self._stop.is_set():
            try:
                self._connected()
                return  # stopped, or the server has no IDLE
            except Exception as error:
                if self._stop.is_set():
                    return
                self.idling = False
                problem = as_sync_error(error, self._settings) if self._settings else None
                if isinstance(error, NotConfiguredError):
                    problem = error
                if problem is None:
                    log.exception("watching the inbox of profile %s crashed", pid)
                    return
                if problem.permanent:
                    log.warning("stopped watching the inbox of profile %s: %s", pid, problem)
                    self._report(False, str(problem))
                    return
                log.info("inbox watch of profile %s lost, again in %.0f s: %s", pid, self._delay,
                         problem)  # fmt: skip
                self._report(False, str(problem))
                if self._stop.wait(self._delay):
                    return
                self._delay = min(self._delay * 2, policy.retry_cap)

    def _connected(self) -> None:
        owner, pid = self._watch._owner, self.profile_id
        self._settings = settings = server_settings(owner.session_factory, pid)
        password = owner.passwords.get_password(pid)
        if password is None:
            raise NotConfiguredError("no password stored for this profile's mail server")
        hangup = Hangup()
        with self._lock:
            self._hangup = hangup
        if self._stop.is_set():
            return
        with open_connection(
            owner.session_factory, pid, settings, password, timeout=owner.timeout, hangup=hangup
        ) as client:
            if not client.has_capability("IDLE"):
                log.info("the server of profile %s has no IDLE: new mail waits for a sync", pid)
                self._report(False, "The mail server cannot announce new mail.")
                return
            client.select_folder(INBOX, readonly=True)
            self._delay = self._watch.policy.first_retry
            self._watch._changed(pid)  # what arrived while nobody was listening
            while not self._stop.is_set():
                self._idle_once(client)

    def _idle_once(self, client: AuditedClient) -> None:
        """One IDLE command, until its renewal, a wake from sleep, or a silent wake-up."""
        policy = self._watch.policy
        client.idle()
        if not self.idling:
            self.idling = True
            self._report(True, "")
        renew_at = time.monotonic() + policy.renew
        while True:
            wall, mono = policy.wall_clock(), time.monotonic()
            wait = min(renew_at - mono, policy.look_every)
            if wait <= 0:
                break
            responses = client.idle_check(timeout=wait)
            client.socket().settimeout(self._watch._owner.timeout)  # idle_check clears it
            if self._stop.is_set():
                return
            self._heard(responses)
            slept = (policy.wall_clock() - wall) - (time.monotonic() - mono) > WAKE_SLACK
            silent = not responses and time.monotonic() - mono < wait - 0.5
            if slept or silent:
                break  # the connection may be gone: DONE below finds out
        _text, responses = client.idle_done()
        self._heard(responses)

    def _heard(self, responses: list[Any]) -> None:
        if any(len(r) >= 2 and r[0] == b"BYE" for r in responses):
            raise imaplib.IMAP4.abort("the server ended the connection")
        if any(len(r) >= 2 and r[1] in _CHANGES for r in responses):
            self._watch._changed(self.profile_id)

    def _report(self, watching: bool, reason: str) -> None:
        self._watch._emit(Watching(self.profile_id, watching, reason))
