"""The signed-in session as the window sees it: one object that holds state and sends signals.

There is exactly one copy of the profile list and of the active profile, here; widgets read them
from the session and react to its signals, so no widget has to reload another. Blocking work goes
through :meth:`Session.run`, which puts it on a worker and turns a failure into a sentence on
:attr:`Session.failed` (the error channel) unless the caller handles it itself. Sync reports
arrive here too, so that new mail from a sync and from an import reach the lists the same way
(:attr:`Session.mail_changed`). Each profile with a mail server has its INBOX watched over IMAP
IDLE from the first list of profiles on, so new mail shows and is announced within seconds; the
watch stops while the window is locked (nothing about the person's mail is fetched behind the
lock screen) and comes back, with a catch-up sync, when they unlock. An OAuth2 profile whose
grant ended says so (:attr:`Session.sign_in_needed`) and :meth:`Session.sign_in_again` opens the
browser for that profile only; once signed in, its sync, INBOX watch and outbox start again.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import replace
from typing import TypeVar

from PySide6.QtCore import QObject, QThreadPool, Signal, Slot

from desktop.core.roles import Action, Role, is_allowed
from desktop.gui.session.folders import SessionFolders
from desktop.gui.session.mail_actions import SessionMailActions
from desktop.gui.session.mail_copy import SessionMailCopy
from desktop.gui.session.outbox import SessionOutbox
from desktop.gui.session.sync_scheduler import SyncScheduler
from desktop.gui.session.viewdata import ProfileCard
from desktop.gui.session.workers import Workers
from desktop.gui.session.workspace import Workspace
from desktop.services.failures import Failure, describe
from desktop.services.mail.imap_sync import SyncResult
from desktop.services.mail.sync_owner import ActionsApplied, SyncState

log = logging.getLogger(__name__)

T = TypeVar("T")

TASKS_NAME = "sessionTasks"


class Session(QObject):
    """Every signal fires on the GUI thread."""

    profiles_changed = Signal(object)  # tuple[ProfileCard, ...], unread counts included
    active_changed = Signal(object)  # ProfileCard | None
    mail_changed = Signal()  # mail was added, removed or re-flagged by a sync or an import
    failed = Signal(str)  # a sentence for the person
    sync_started = Signal(int)
    sync_progressed = Signal(int, int, int)  # profile id, done, total (of the current phase)
    sync_finished = Signal(int)
    sync_cancelled = Signal(int)
    sync_failed = Signal(int, str)  # profile id, reason for the person
    sync_not_set_up = Signal(int)  # a sync was asked of a profile that has no mail server
    new_mail = Signal(object, int)  # ProfileCard, how many messages arrived
    sign_in_needed = Signal(int, str)  # profile id, why the person must sign it in again
    signing_in = Signal(int)  # the browser was opened for the profile; the app waits for it

    def __init__(self, workspace: Workspace, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._workspace = workspace
        self._tasks = Workers(self)
        # Switches are recorded one at a time, in the order they were made: on the shared pool
        # two quick switches run side by side and the earlier may land last, so the audit would
        # end on a profile the person had already left.
        in_order = QThreadPool(self)
        in_order.setMaxThreadCount(1)
        self._switches = Workers(self, pool=in_order)
        self._profiles: tuple[ProfileCard, ...] = ()
        self._active: ProfileCard | None = None
        self._preferred: int | None = None
        self._loaded = False
        self._sync: SyncScheduler | None = None
        self._watched: set[int] = set()
        self._watch_paused = False
        self._signing_in: dict[int, threading.Event] = {}
        self._sign_in_reasons: dict[int, str] = {}
        self.outbox = SessionOutbox(workspace, self._deliver, self)
        self.outbox.failed.connect(self.failed)
        self.folders = SessionFolders(workspace, self)
        self.mail_changed.connect(self.folders.refresh)
        self.profiles_changed.connect(self.folders.follow_profiles)
        self.mail_actions = SessionMailActions(
            workspace, self.folders, recount=self.recount, resync=self.mail_arrived, parent=self
        )
        self.mail_actions.failed.connect(self.failed)
        self.mail_copy = SessionMailCopy(
            workspace, recount=self.recount, resync=self.mail_arrived, parent=self
        )
        self.mail_copy.failed.connect(self.failed)

    # State

    @property
    def workspace(self) -> Workspace:
        return self._workspace

    @property
    def user_name(self) -> str:
        return self._workspace.user_name

    @property
    def user_login(self) -> str:
        return self._workspace.user_login

    @property
    def profiles(self) -> tuple[ProfileCard, ...]:
        return self._profiles

    @property
    def active(self) -> ProfileCard | None:
        return self._active

    def profile(self, profile_id: int) -> ProfileCard | None:
        return next((p for p in self._profiles if p.id == profile_id), None)

    def allows(self, action: Action, profile: ProfileCard | None = None) -> bool:
        """Whether ``profile`` (by default the active one) may do ``action``: a table look-up."""
        chosen = profile if profile is not None else self._active
        return chosen is not None and is_allowed(Role(chosen.role), action)

    # Work off the GUI thread

    def run(
        self,
        owner: QObject,
        call: Callable[[], T],
        on_done: Callable[[T], None],
        failure: str | Callable[[Failure], None],
    ) -> int:
        """Runs ``call`` on a worker and hands the outcome to ``owner`` on the GUI thread.

        The outcome goes to a task runner that is ``owner``'s Qt child, so a widget closed
        meanwhile never receives it. ``failure`` is either the sentence to show on
        :attr:`failed` (``{reason}`` is filled in) or the caller's own handler.
        """
        tasks = owner.findChild(Workers, TASKS_NAME)
        if tasks is None:
            tasks = Workers(owner)
            tasks.setObjectName(TASKS_NAME)
        return tasks.submit(call, on_done, lambda error: self._failed(error, failure))

    def report(self, message: str) -> None:
        """A failure a widget met on its own (a sentence): shown where every other one is."""
        self.failed.emit(message)

    def _failed(self, error: Exception, failure: str | Callable[[Failure], None]) -> None:
        described = describe(error)
        log.warning("a background task failed: %s", described.summary)
        if isinstance(failure, str):
            self.failed.emit(failure.format(reason=described.summary))
        else:
            failure(described)

    # Profiles

    def prefer(self, profile_id: int | None) -> None:
        """The profile to make active when the list first arrives (the one used last time)."""
        self._preferred = profile_id

    def refresh_profiles(self) -> None:
        """Reloads the list and the counts: after a sync, an import or an edit of profiles."""
        workspace = self._workspace
        self.run(
            self,
            lambda: tuple(workspace.profiles()),
            self._apply_profiles,
            self.tr("Could not load your profiles: {reason}"),
        )

    def _apply_profiles(self, profiles: tuple[ProfileCard, ...]) -> None:
        self._profiles = profiles
        self.profiles_changed.emit(profiles)
        self._watch_new_profiles()
        known = {p.id for p in profiles}
        current = self._active.id if self._active is not None else None
        if not self._loaded:
            self._loaded = True
            current = self._preferred
        if current in known:
            assert current is not None
            if self._active is None or self._active.id != current:
                self.activate(current)
            else:
                self._set_active(self.profile(current))
        elif profiles:
            self.activate(profiles[0].id)
        else:
            self._set_active(None)

    def adjust_unread(
        self, profile_id: int, change: int, folder: str | None = None, flagged: bool = False
    ) -> None:
        """One profile's count moves by what an open or a mark changed; nothing is recounted.

        With ``folder`` (where the message lies) the folder pane's counts follow too.
        """
        if folder is not None:
            self.folders.adjust(profile_id, folder, change, flagged)
        profiles = tuple(
            replace(p, unread=max(0, p.unread + change)) if p.id == profile_id else p
            for p in self._profiles
        )
        if profiles != self._profiles:
            self._profiles = profiles
            self.profiles_changed.emit(profiles)

    def activate(self, profile_id: int) -> None:
        """Every call made from now on acts as ``profile_id``; the store checks and audits it."""
        profile = self.profile(profile_id)
        if profile is None or (self._active is not None and self._active.id == profile_id):
            return
        workspace = self._workspace
        workspace.use_profile(profile_id)
        self._set_active(profile)
        failure = self.tr("Could not switch to that profile: {reason}")
        self._switches.submit(
            lambda: workspace.activate_profile(profile_id),
            _ignore,
            lambda error: self._failed(error, failure),
        )

    def activate_nth(self, number: int) -> None:
        if 1 <= number <= len(self._profiles):
            self.activate(self._profiles[number - 1].id)

    def _set_active(self, profile: ProfileCard | None) -> None:
        changed = profile != self._active
        self._active = profile
        if changed:
            self.active_changed.emit(profile)

    def recount(self) -> None:
        """Mail moved or changed its flags here: the profile and folder counts are read again."""
        self.refresh_profiles()
        self.folders.refresh()

    def mail_arrived(self) -> None:
        """Mail was stored outside the lists' view (an import): counts and lists follow."""
        self.refresh_profiles()
        self.mail_changed.emit()

    # Sync

    def attach_sync(self, scheduler: SyncScheduler) -> None:
        self._sync = scheduler
        scheduler.state_changed.connect(self._sync_state)
        scheduler.progress.connect(self.sync_progressed)
        scheduler.finished.connect(self._sync_done)
        scheduler.failed.connect(self._sync_stopped)
        scheduler.sign_in_needed.connect(self._needs_sign_in)
        scheduler.refused.connect(self.sync_failed)
        scheduler.delivered.connect(self.outbox.delivered)
        scheduler.actions_applied.connect(self._actions_applied)
        scheduler.start_periodic()
        self.outbox.refresh(deliver_queued=True)

    def pause_watching(self) -> None:
        """Locked: every IDLE connection is cut until :meth:`resume_watching`."""
        self._watch_paused = True
        self._watched.clear()
        if self._sync is not None:
            self._sync.stop_watching()

    def resume_watching(self) -> None:
        self._watch_paused = False
        self._watch_new_profiles()

    def _watch_new_profiles(self) -> None:
        if self._sync is None or self._watch_paused:
            return
        new = [pid for pid in self.syncable() if pid not in self._watched]
        self._watched.update(new)
        self._sync.watch(new)

    def _deliver(self, profile_id: int) -> None:
        if self._sync is not None:
            self._sync.deliver(profile_id)

    @property
    def scheduler(self) -> SyncScheduler | None:
        return self._sync

    def syncable(self) -> list[int]:
        """Called by the scheduler's timer on the GUI thread: cached data only."""
        return [p.id for p in self._profiles if p.mail_server]

    def sync(self, profile_id: int) -> None:
        profile = self.profile(profile_id)
        if profile is not None and not profile.mail_server:
            self.sync_not_set_up.emit(profile_id)
        elif profile is not None and self._sync is not None:
            self._sync.sync(profile_id)

    def sync_all(self) -> None:
        for profile in self._profiles:
            if profile.mail_server:
                self.sync(profile.id)

    @Slot(int, str)
    def _sync_state(self, profile_id: int, state: str) -> None:
        if state == SyncState.RUNNING:
            self.sync_started.emit(profile_id)
        elif state == SyncState.RETRYING:
            self.sync_failed.emit(profile_id, self.tr("Connection problem; trying again soon."))
        elif state == SyncState.CANCELLED:
            self.sync_cancelled.emit(profile_id)

    @Slot(int, object)
    def _actions_applied(self, profile_id: int, applied: ActionsApplied) -> None:
        """The list already shows what the person did; only mail removed on the server meanwhile
        changes it, and a server that could not be told is said once, in the status line."""
        if applied.failed:
            self.sync_failed.emit(profile_id, applied.failed)
        if applied.gone:
            self.mail_arrived()

    @Slot(int, object)
    def _sync_done(self, profile_id: int, result: SyncResult) -> None:
        self.sync_finished.emit(profile_id)
        self.outbox.deliver_waiting([profile_id])
        if result.new or result.removed or result.flags_changed:
            self.mail_arrived()
        profile = self.profile(profile_id)
        if profile is not None and result.new:
            self.new_mail.emit(profile, result.new)

    @Slot(int, str, bool)
    def _sync_stopped(self, profile_id: int, reason: str, _permanent: bool) -> None:
        self.sync_failed.emit(profile_id, reason)

    @Slot(int, str)
    def _needs_sign_in(self, profile_id: int, reason: str) -> None:
        self._sign_in_reasons[profile_id] = reason
        if profile_id not in self._signing_in:
            self.sign_in_needed.emit(profile_id, reason)

    def sign_in_again(self, profile_id: int) -> None:
        """The browser sign-in of that profile; asked again while waiting, the wait ends."""
        waiting = self._signing_in.pop(profile_id, None)
        if waiting is not None:
            waiting.set()
            return
        cancel = self._signing_in[profile_id] = threading.Event()
        self.signing_in.emit(profile_id)
        workspace = self._workspace
        self.run(
            self,
            lambda: workspace.sign_in_again(profile_id, cancel),
            lambda signed_in: self._signed_in_again(profile_id, cancel, signed_in),
            lambda failure: self._sign_in_failed(profile_id, cancel, failure.summary),
        )

    def _signed_in_again(self, profile_id: int, cancel: threading.Event, signed_in: bool) -> None:
        if self._signing_in.get(profile_id) is cancel:
            del self._signing_in[profile_id]
        if not signed_in:
            reason = self._sign_in_reasons.get(profile_id, "")
            self.sign_in_needed.emit(profile_id, reason)
            return
        self.resume_after_sign_in(profile_id)

    def resume_after_sign_in(self, profile_id: int) -> None:
        """The profile has a grant again (here or in its Sign-in tab): its work starts again."""
        self._sign_in_reasons.pop(profile_id, None)
        self._watched.discard(profile_id)  # its watch ended with the grant
        self.sync(profile_id)  # a request of the person's: lifts the profile's stop
        self._watch_new_profiles()
        self._deliver(profile_id)

    def _sign_in_failed(self, profile_id: int, cancel: threading.Event, why: str) -> None:
        if self._signing_in.get(profile_id) is cancel:
            del self._signing_in[profile_id]
        reason = self._sign_in_reasons.get(profile_id, "")
        self.sign_in_needed.emit(profile_id, f"{why} {reason}".strip())

    def close(self) -> None:
        """Stops sync and waits for running calls, so nothing is cut off mid-write."""
        for waiting in self._signing_in.values():
            waiting.set()
        if self._sync is not None:
            self._sync.close()
            self._sync = None
        self._switches.wait()
        self._tasks.wait()


def _ignore(_result: object) -> None:
    """The switch already shows; the worker only records it in the store and the audit."""
