"""Connecting the mail service's sync scheduler to the window: status, progress, notifications.

The scheduler (the Qt side of the services' per-profile owner) signals on the GUI thread; this
object turns its signals into the status area's states, refreshes unread counts and the inbox
when mail arrived, and raises a notification naming the profile. Only profiles with a mail
server are synced periodically.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Slot

from desktop.gui.main_window import MainWindow
from desktop.gui.mainwindow.sync_status import SyncPhase
from desktop.gui.session.sync_scheduler import SyncScheduler
from desktop.services.authorization import SignedInUser
from desktop.services.mail.imap_sync import SyncResult
from desktop.services.mail.sync_owner import MailSync, SyncState


class SyncLink(QObject):
    def __init__(
        self, window: MainWindow, owner: MailSync, actor: Callable[[], SignedInUser]
    ) -> None:
        super().__init__(window)
        self._window = window
        scheduler = SyncScheduler(owner, actor, profiles=self.syncable, parent=self)
        self.scheduler = scheduler
        scheduler.state_changed.connect(self._state_changed)
        scheduler.progress.connect(self._progress)
        scheduler.finished.connect(self._finished)
        scheduler.failed.connect(self._failed)
        scheduler.refused.connect(self._failed_now)
        window.sync_requested.connect(self.sync)

    def syncable(self) -> list[int]:
        """Called by the scheduler's timer on the GUI thread: only cached data, no store access."""
        return [p.id for p in self._window.profiles if p.mail_server]

    @Slot(int)
    def sync(self, profile_id: int) -> None:
        profile = next((p for p in self._window.profiles if p.id == profile_id), None)
        if profile is None:
            return
        if not profile.mail_server:
            self._window.sync_status.not_set_up(profile_id)
            return
        self.scheduler.sync(profile_id)

    @Slot(int, str)
    def _state_changed(self, profile_id: int, state: str) -> None:
        status = self._window.sync_status
        if state == SyncState.RUNNING:
            status.started(profile_id)
        elif state == SyncState.RETRYING:
            status.failed(profile_id, self.tr("connection problem; trying again soon"))
        elif state == SyncState.CANCELLED and status.phase(profile_id) is SyncPhase.RUNNING:
            status.finished(profile_id)

    @Slot(int, int, int)
    def _progress(self, profile_id: int, done: int, total: int) -> None:
        self._window.sync_status.progressed(profile_id, done, total)

    @Slot(int, object)
    def _finished(self, profile_id: int, result: SyncResult) -> None:
        self._window.sync_status.finished(profile_id)
        if result.new or result.removed or result.flags_changed:
            self._window.refresh_profiles()
            page = self._window.workspace_page
            if page is not None:
                page.inbox_model.reload()
        profile = next((p for p in self._window.profiles if p.id == profile_id), None)
        if profile is not None and result.new:
            self._window.notifier.new_mail(profile, result.new)

    @Slot(int, str, bool)
    def _failed(self, profile_id: int, reason: str, _permanent: bool) -> None:
        self._window.sync_status.failed(profile_id, reason)

    @Slot(int, str)
    def _failed_now(self, profile_id: int, reason: str) -> None:
        self._window.sync_status.failed(profile_id, reason)
