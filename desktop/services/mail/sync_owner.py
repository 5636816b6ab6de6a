"""One owner of each profile's server work: an ordered queue per profile, on its own thread.

Everything a profile asks of its servers (a sync, the flags of an opened message, a connection
test, delivering its outbox) is a step in that profile's queue
(:mod:`desktop.services.mail.profile_queue`), run one at a time on the profile's own thread over
one IMAP connection kept open between steps. So a flag push queued behind a sync runs after it,
on the same connection, a sent message's copy goes to the Sent folder over that same connection,
and no step ever waits in a thread pool the window uses. A sync ends by saving the profile's
changed drafts to its Drafts folder (:mod:`desktop.services.mail.draft_uploads`).

* Transient failures (refused or dropped connections, timeouts, BYE, SMTP 4xx) are retried with
  exponential back-off up to a cap. The wait is a timer entry in the profile's queue, not a
  sleeping thread: other steps of the profile run meanwhile, and cancelling removes the entry.
* Permanent failures (wrong password, rejected certificate, missing settings) stop the profile
  and are reported once: a periodic sync (``periodic=True``) leaves a stopped profile alone until
  the user asks again, so a wrong password does not lock the account by repeated logins. An
  OAuth2 grant found gone by any step (a sync, a replay, a delivery) stops the profile the same
  way and is reported as ``Failed(sign_in=True)``: its queued work stays, for after the sign-in.
* Cancelling cuts the connection (:class:`~desktop.services.mail.connection.Hangup`), so a
  connect, TLS handshake or read blocked on a silent server ends within a moment, not at the
  socket timeout.
* ``push_flags`` sends seen/flagged changes made in the app to the server at once; if that fails
  the changes stay marked and the next sync sends them.
* ``watch_inbox`` holds the profile's INBOX in IMAP IDLE on a connection of its own
  (:mod:`desktop.services.mail.idle_watch`); each change the server announces queues an
  INBOX-only sync (``"inbox"``), at most one waiting at a time, so new mail arrives in seconds.
* ``deliver`` sends the profile's outbox (:mod:`desktop.services.mail.sending`); a message is
  never sent twice, and one that may have been sent when the app died waits for the person.

No Qt here: listeners are plain callables, called on the profile's thread; the window's adapter
(``desktop/gui/mainwindow/sync_scheduler.py``) turns them into queued signals and drives the
periodic schedule (:mod:`desktop.services.mail.sync_schedule`) with a timer.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from desktop.core.folders import FolderRole
from desktop.core.roles import Action
from desktop.services.authorization import Authorizer, SignedInUser, gated, without_actor
from desktop.services.mail.action_plan import existing_role_folder
from desktop.services.mail.action_replay import ReplayResult, replay_pending
from desktop.services.mail.connection import DEFAULT_TIMEOUT, AuditedClient, Hangup, ServerSettings
from desktop.services.mail.draft_uploads import save_drafts_to_server
from desktop.services.mail.folder_listing import refresh_folders
from desktop.services.mail.idle_watch import INBOX, IdlePolicy, IdleWatch
from desktop.services.mail.imap_sync import (
    AuthenticationError,
    PasswordSource,
    SyncCancelledError,
    SyncError,
    SyncProgress,
    SyncResult,
    as_sync_error,
    dirty_folders,
    push_dirty_flags,
    sync_folders,
)
from desktop.services.mail.profile_queue import ProfileQueue, Step
from desktop.services.mail.sending import deliver_outbox, outbox_waiting
from desktop.services.mail.smtp_settings import SmtpNotConfiguredError, smtp_settings
from desktop.services.mail.sync_events import (
    ActionsApplied,
    Delivered,
    DeliveryReport,
    Failed,
    Finished,
    FlagsPushed,
    Listener,
    Progressed,
    RetryPolicy,
    StateChanged,
    SyncEvent,
    SyncState,
    Watching,
)
from desktop.services.sign_in_needed import SignInNeededError
from desktop.store.checkpoints import checkpoint
from desktop.store.session import SessionFactory, read_only

__all__ = [
    "ActionsApplied",
    "Delivered",
    "DeliveryReport",
    "Failed",
    "Finished",
    "FlagsPushed",
    "Listener",
    "MailSync",
    "Progressed",
    "RetryPolicy",
    "StateChanged",
    "SyncEvent",
    "SyncState",
    "Watching",
]

log = logging.getLogger(__name__)

KEEP_ALIVE = 120.0
"""Idle seconds before a profile's connection is logged out (servers drop idle ones at 30 min)."""
SYNCS = ("sync", "inbox", "sent")
"""The steps that sync (all folders, the INBOX a server announced a change in, or the Sent folder
a delivery just added to, so a sent message shows in the Sent view without waiting for the
periodic sync of the other folders)."""


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
        idle: IdlePolicy | None = None,
    ) -> None:
        self.session_factory = session_factory
        self.passwords = passwords
        self._authorizer = authorizer
        self.retry = retry or RetryPolicy()
        self.timeout = timeout
        self.keep_alive = keep_alive
        self._lock = threading.Lock()
        self._queues: dict[int, ProfileQueue] = {}
        self._stopped: dict[int, str] = {}
        self._listeners: list[Listener] = []
        self._closed = False
        self._idle = IdleWatch(self, self._inbox_changed, self._emit, idle or IdlePolicy())

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
        return queue.put(Step("sync", self.retry.delays()))

    @gated(Action.READ_OWN_MAIL, profile="profile_id")
    def sync_now(
        self,
        actor: SignedInUser,
        profile_id: int,
        progress: Callable[[SyncProgress], None] | None = None,
    ) -> SyncResult:
        """Sync in the profile's queue and wait for it, without retrying (the command line)."""
        result: SyncResult = self._wait(profile_id, Step("sync", progress=progress))
        return result

    @gated(Action.READ_OWN_MAIL, profile="profile_id")
    def push_flags(self, actor: SignedInUser, profile_id: int) -> None:
        """Send flag changes made here (a message opened) to the server, after queued work."""
        queue = self._queue(profile_id)
        if queue is not None:
            queue.put(Step("flags"))

    @gated(Action.READ_OWN_MAIL, profile="profile_id")
    def push_flags_now(self, actor: SignedInUser, profile_id: int) -> int:
        """The same in the profile's queue, waited for (the command line); how many pushed."""
        pushed: int = self._wait(profile_id, Step("flags"))
        return pushed

    @gated(Action.READ_OWN_MAIL, profile="profile_id")
    def apply_actions(self, actor: SignedInUser, profile_id: int) -> bool:
        """Tell the server of moves and deletes made here, after queued work, retrying with
        back-off while it is unreachable; a wait for a retry ends at once (the person acted)."""
        queue = self._queue(profile_id)
        if queue is None:
            return False
        waiting = queue.waiting_retry("actions")
        if waiting is not None:
            return queue.put(waiting)
        if queue.pending("actions"):
            return False
        return queue.put(Step("actions", self.retry.delays()))

    @gated(Action.READ_OWN_MAIL, profile="profile_id")
    def apply_actions_after(
        self, actor: SignedInUser, profile_id: int, written: threading.Event
    ) -> bool:
        """Tell the server of moves and deletes that a store change under way makes: the
        profile's queue signs in now (after the work queued before) and replays once
        ``written`` is set, so a cold sign-in and the store's work overlap. The caller sets
        ``written`` however its change ends.

        False, and nothing queued, when the queue has an actions step already (waiting, or
        waiting to retry): the caller then uses :meth:`apply_actions` once its change is
        written, which decides about that step as before.
        """
        queue = self._queue(profile_id)
        if queue is None or queue.has("actions"):
            return False
        return queue.put(Step("actions", self.retry.delays(), ready=written))

    @gated(Action.READ_OWN_MAIL, profile="profile_id")
    def apply_actions_now(self, actor: SignedInUser, profile_id: int) -> ReplayResult:
        """The same in the profile's queue, waited for, without retrying (the command line)."""
        result: ReplayResult = self._wait(profile_id, Step("actions"))
        return result

    @gated(Action.READ_OWN_MAIL, profile="profile_id")
    def check_connection(self, actor: SignedInUser, profile_id: int, password: str) -> None:
        """Sign in to the profile's server with ``password`` and sync nothing; waits for it."""
        self._wait(profile_id, Step("check", password=password))

    @gated(Action.READ_OWN_MAIL, profile="profile_id")
    def watch_inbox(self, actor: SignedInUser, profile_id: int) -> bool:
        """Hold the profile's INBOX in IDLE until stopped; False if watched already (or closing)."""
        with self._lock:
            if self._closed:
                return False
        return self._idle.start(profile_id)

    @without_actor("stops work the gate already allowed; reaches no data")
    def stop_watching(self, profile_id: int | None = None) -> None:
        """Stop IDLE for one profile, or for all (locked, signed out); returns at once."""
        self._idle.stop(profile_id)

    @without_actor("reads this object's own state; reaches no data")
    def is_watching(self, profile_id: int) -> bool:
        return self._idle.watching(profile_id)

    @gated(Action.SEND_OWN_MAIL, profile="profile_id")
    def deliver(self, actor: SignedInUser, profile_id: int) -> bool:
        """Send the profile's outbox after queued work, retrying with back-off while the
        server is unreachable; False if a delivery that will see every queued message waits.

        A delivery waiting to retry runs at once (the person asked, or a message was added).
        """
        queue = self._queue(profile_id)
        if queue is None:
            return False
        waiting = queue.waiting_retry("send")
        if waiting is not None:
            return queue.put(waiting)
        if queue.pending("send"):
            return False
        return queue.put(Step("send", self.retry.delays()))

    @gated(Action.SEND_OWN_MAIL, profile="profile_id")
    def deliver_now(self, actor: SignedInUser, profile_id: int) -> DeliveryReport:
        """Send the profile's outbox in its queue and wait for it, without retrying (the CLI)."""
        report: DeliveryReport = self._wait(profile_id, Step("send"))
        return report

    @without_actor("stops work the gate already allowed; reaches no data")
    def cancel(self, profile_id: int) -> None:
        queue = self._queues.get(profile_id)
        if queue is not None:
            self._dropped(profile_id, queue.cancel())

    @without_actor("stops work the gate already allowed; reaches no data")
    def cancel_all(self) -> None:
        self._idle.stop()
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
        watchers = self._idle.stop()
        for profile_id, queue in queues:
            self._dropped(profile_id, queue.close())
        deadline = time.monotonic() + timeout
        for thread in watchers:
            thread.join(max(0.0, deadline - time.monotonic()))
        ended = all(queue.join(max(0.0, deadline - time.monotonic())) for _, queue in queues)
        return ended and not any(thread.is_alive() for thread in watchers)

    def _run_step(self, queue: ProfileQueue, step: Step) -> None:
        """On the profile's thread: one step, reported, its failure sorted and handled."""
        if step.kind == "flags":
            self._push(queue, step)
            return
        if step.kind == "send":
            self._send(queue, step)
            return
        pid = queue.profile_id
        if step.kind == "actions":
            try:
                client = queue.client(step)
                if step.ready is not None:
                    step.ready.wait()
                replayed = replay_pending(self.session_factory, pid, client)
            except Exception as error:
                queue.drop_connection(error)
                self._failed(queue, step, error)
                return
            step.outcome.set_result(replayed)
            self._emit(_applied(pid, replayed))
            self._checkpoint_after(replayed)
            return
        if step.kind == "check":
            self._check(queue, step)
            return
        if step.kind in SYNCS:
            self._emit(StateChanged(pid, SyncState.RUNNING))
        try:
            client = queue.client(step)
            replayed = replay_pending(self.session_factory, pid, client)
            if replayed.moved or replayed.appended or replayed.expunged or replayed.dropped:
                self._emit(_applied(pid, replayed))
            self._checkpoint_after(replayed)
            result = sync_folders(
                self.session_factory,
                pid,
                client,
                progress=lambda progress: self._progressed(step, progress),
                cancel=step.cancel,
                folders=self._step_folders(step.kind, pid, client),
            )
            if step.kind == "sync" and not step.cancel.is_set():
                save_drafts_to_server(self.session_factory, pid, client)
        except Exception as error:
            queue.drop_connection(error)
            self._failed(queue, step, error)
            return
        step.outcome.set_result(result)  # first: a sync asked for after this report is a new one
        self._emit(StateChanged(pid, SyncState.DONE))
        self._emit(Finished(pid, result))

    def _check(self, queue: ProfileQueue, step: Step) -> None:
        """A connection test. An OAuth2 profile not signed in yet is told to sign in first and
        is not stopped (the person is setting it up); a grant found gone stops it as a sync
        would."""
        try:
            queue.sign_in_once(step)
        except SignInNeededError as needed:
            if needed.first is None:
                self._failed(queue, step, needed)
            else:
                step.outcome.set_exception(AuthenticationError(needed.first))
            return
        except Exception as error:
            self._failed(queue, step, error)
            return
        step.outcome.set_result(None)

    def _step_folders(self, kind: str, pid: int, client: AuditedClient) -> list[str] | None:
        """The folders a sync step brings up to date; None for all of them.

        After a delivery the folder list is read again first: the Sent folder may have been
        created by the copy just saved, and the unified Sent view finds folders by the roles
        that reading records, so the folder synced is the one the view will show.
        """
        if kind == "inbox":
            return [INBOX]
        if kind == "sent":
            refresh_folders(self.session_factory, pid, client)
            with read_only(self.session_factory) as session:
                sent = existing_role_folder(session, pid, FolderRole.SENT)
            return [] if sent is None else [sent]
        return None

    def _push(self, queue: ProfileQueue, step: Step) -> None:
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

    def _send(self, queue: ProfileQueue, step: Step) -> None:
        pid = queue.profile_id
        try:
            report = self._delivery(queue, step)
        except Exception as error:  # a bug: the waiting caller must hear of it, not hang
            log.exception("delivering the outbox of profile %s crashed", pid)
            step.outcome.set_exception(error)
            return
        self._emit(Delivered(pid, report))
        if report.sent and not step.cancel.is_set() and not queue.pending("sync"):
            queue.put(Step("sent", self.retry.delays()))
        delay = None if step.cancel.is_set() or not report.waiting else next(step.delays, None)
        if delay is not None and queue.put(step, delay):
            log.info("outbox of profile %s waits %.0f s to retry: %s", pid, delay, report.reason)
            return
        step.outcome.set_result(report)

    def _delivery(self, queue: ProfileQueue, step: Step) -> DeliveryReport:
        pid = queue.profile_id
        try:
            settings = smtp_settings(self.session_factory, pid)
            own = settings.own_password
            source = self.passwords
            password = source.get_smtp_password(pid) if own else source.get_password(pid)
            if password is None:
                raise SmtpNotConfiguredError(
                    "No password is stored for this profile's sending server."
                )
        except SignInNeededError as error:
            self._needs_sign_in(pid, error)
            return outbox_waiting(self.session_factory, pid, str(error))
        except SmtpNotConfiguredError as error:
            return outbox_waiting(self.session_factory, pid, str(error))

        def imap() -> AuditedClient:
            return queue.client(step)

        return deliver_outbox(
            self.session_factory,
            pid,
            settings,
            password,
            imap,
            timeout=self.timeout,
            hangup=queue.watch(Hangup(), step),
        )

    def _checkpoint_after(self, replayed: ReplayResult) -> None:
        """The WAL checkpoint a replay's commits left for after its report (SQLite only)."""
        engine = self.session_factory.kw["bind"]
        if engine.dialect.name == "sqlite" and (
            replayed.moved or replayed.expunged or replayed.dropped
        ):
            checkpoint(engine)

    def _failed(self, queue: ProfileQueue, step: Step, error: Exception) -> None:
        pid = queue.profile_id
        reported = step.kind in SYNCS
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
        retrying = delay is not None and queue.put(step, delay)
        if isinstance(problem, SignInNeededError):
            step.outcome.set_exception(problem)
            if reported:
                self._emit(StateChanged(pid, SyncState.FAILED))
            self._needs_sign_in(pid, problem)
            return
        if step.kind == "actions":
            self._emit(ActionsApplied(pid, failed=_waiting_words(problem), retrying=retrying))
        if retrying:
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

    def _needs_sign_in(self, profile_id: int, problem: SignInNeededError) -> None:
        """Whatever step found it: the profile stops until the person signs in again."""
        log.warning("profile %s waits for its owner to sign in again", profile_id)
        with self._lock:
            self._stopped[profile_id] = str(problem)
        self._emit(Failed(profile_id, str(problem), permanent=True, sign_in=True))

    def _progressed(self, step: Step, progress: SyncProgress) -> None:
        if step.progress is not None:
            step.progress(progress)
        self._emit(Progressed(progress.profile_id, progress.done, progress.total))

    def _dropped(self, profile_id: int, steps: list[Step]) -> None:
        for step in steps:
            if not step.outcome.done():
                step.outcome.set_exception(SyncCancelledError("cancelled"))
            if step.kind in SYNCS:
                self._emit(StateChanged(profile_id, SyncState.CANCELLED))

    def _inbox_changed(self, profile_id: int) -> None:
        """On a watcher's thread: an INBOX sync, unless one (or a full sync) waits to start."""
        with self._lock:
            if profile_id in self._stopped:
                return
        queue = self._queue(profile_id)
        if queue is None or queue.pending("inbox") or queue.pending("sync"):
            return
        queue.put(Step("inbox", self.retry.delays()))

    def _wait(self, profile_id: int, step: Step) -> Any:
        queue = self._queue(profile_id)
        if queue is None or not queue.put(step):
            raise SyncCancelledError("the app is closing")
        try:
            return step.outcome.result()
        except KeyboardInterrupt:
            self.cancel(profile_id)
            raise

    def _queue(self, profile_id: int) -> ProfileQueue | None:
        with self._lock:
            if self._closed:
                return None
            queue = self._queues.get(profile_id)
            if queue is None:
                queue = self._queues[profile_id] = ProfileQueue(self, profile_id, self._run_step)
            return queue

    def _emit(self, event: SyncEvent) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(event)
            except Exception:  # a listener's bug must not end the profile's work
                log.exception("a sync listener failed on %s", type(event).__name__)


def _applied(profile_id: int, replayed: ReplayResult) -> ActionsApplied:
    moved = replayed.moved + replayed.appended
    return ActionsApplied(profile_id, moved, replayed.expunged + replayed.dropped)


def _waiting_words(problem: SyncError) -> str:
    reason = str(problem)
    return (
        "Your moves and deletes are kept here and wait for the mail server: "
        f"{reason[:1].lower() + reason[1:]}."
    )


def _sorted(error: Exception, settings: ServerSettings | None) -> SyncError | None:
    if isinstance(error, SyncError):
        return error
    return as_sync_error(error, settings) if settings is not None else None
