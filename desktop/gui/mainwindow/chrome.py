"""What around the working area follows the session: title, badge, switcher, menus, status.

:class:`ProfileChrome` shows a profile list and an active profile wherever the frame names them;
:class:`SessionBinding` connects one session's signals to it, to the sync status and to the
notifier. The binding is a child of the window made per session, so when the session ends and the
binding is deleted, Qt drops every one of those connections with it.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QMainWindow

from desktop.gui.mainwindow.commands import CommandWindow
from desktop.gui.mainwindow.profile_menus import rebuild_profile_menu, rebuild_switcher
from desktop.gui.mainwindow.settings import WindowSettings
from desktop.gui.mainwindow.sync_status import SyncPhase, SyncStatusArea
from desktop.gui.mainwindow.tray import Notifier
from desktop.gui.session.session import Session
from desktop.gui.session.viewdata import ProfileCard

APP_TITLE = "Switchboard"


class ProfileChrome:
    def __init__(self, window: CommandWindow, notifier: Notifier) -> None:
        self._window = window
        self._notifier = notifier
        self._private = True

    def set_private(self, private: bool) -> None:
        """Behind the lock (or sign-in) screen a shared workstation shows no name or profile:
        not in the title, the tray or a status message."""
        self._private = private
        self._notifier.set_private(private)
        if private:
            self._window.setWindowTitle(APP_TITLE)
            self._window.statusBar().clearMessage()

    def show_profiles(self, profiles: Sequence[ProfileCard], active: ProfileCard | None) -> None:
        window = self._window
        self._notifier.set_unread(sum(p.unread for p in profiles))
        rebuild_switcher(window.switcher, profiles, active)
        window.fit_toolbar()
        rebuild_profile_menu(
            window.profile_menu,
            profiles,
            window.switch_actions,
            first=[window.all_inboxes_action],
            last=[window.profiles_action, window.mute_action],
        )

    def show_active(self, profile: ProfileCard | None, session: Session | None) -> None:
        """The title names profile and user; admin actions exist only under an admin profile."""
        window = self._window
        window.badge.set_profile(profile)
        if profile is None or session is None or self._private:
            window.setWindowTitle(APP_TITLE)
        else:
            window.setWindowTitle(f"{profile.label} — {session.user_name} — {APP_TITLE}")
        for permission, action in window.admin_actions.items():
            allowed = session is not None and session.allows(permission, profile)
            action.setVisible(allowed)
            action.setEnabled(allowed)
        window.fit_toolbar()
        self.show_muted(profile is not None and self._notifier.is_muted(profile.id))
        window.mute_action.setEnabled(profile is not None)
        window.switcher.setCurrentIndex(window.switcher.findData(profile.id if profile else None))

    def show_muted(self, muted: bool) -> None:
        action = self._window.mute_action
        action.blockSignals(True)
        action.setChecked(muted)
        action.blockSignals(False)


class SessionBinding(QObject):
    """Slots only: connections to a QObject's slots end when it is deleted."""

    STATUS_MESSAGE_MS = 8000

    def __init__(
        self,
        session: Session,
        window: QMainWindow,
        *,
        chrome: ProfileChrome,
        status: SyncStatusArea,
        notifier: Notifier,
        settings: WindowSettings,
    ) -> None:
        super().__init__(window)
        self._settings = settings
        self._session = session
        self._window = window
        self._chrome = chrome
        self._status = status
        self._notifier = notifier
        session.profiles_changed.connect(self._profiles_changed)
        session.active_changed.connect(self._active_changed)
        session.failed.connect(self._failed)
        session.new_mail.connect(self._new_mail)
        session.sync_started.connect(self._started)
        session.sync_progressed.connect(self._progressed)
        session.sync_failed.connect(self._sync_failed)
        session.sync_finished.connect(self._finished)
        session.sync_cancelled.connect(self._cancelled)
        session.sync_not_set_up.connect(self._not_set_up)
        session.sign_in_needed.connect(self._sign_in_needed)
        session.signing_in.connect(self._signing_in)

    @Slot(object)
    def _profiles_changed(self, profiles: Sequence[ProfileCard]) -> None:
        self._status.set_profiles(profiles)  # in place for the same ids, keeping states
        self._chrome.show_profiles(profiles, self._session.active)

    @Slot(object)
    def _active_changed(self, profile: ProfileCard | None) -> None:
        self._chrome.show_active(profile, self._session)
        if profile is not None:
            self._settings.set_last_profile(self._session.user_login, profile.id)

    @Slot(str)
    def _failed(self, message: str) -> None:
        self._window.statusBar().showMessage(message, self.STATUS_MESSAGE_MS)

    @Slot(object, int)
    def _new_mail(self, profile: ProfileCard, count: int) -> None:
        self._notifier.new_mail(profile, count)

    @Slot(int)
    def _started(self, profile_id: int) -> None:
        self._status.started(profile_id)

    @Slot(int, int, int)
    def _progressed(self, profile_id: int, done: int, total: int) -> None:
        self._status.progressed(profile_id, done, total)

    @Slot(int, str)
    def _sync_failed(self, profile_id: int, reason: str) -> None:
        self._status.failed(profile_id, reason)

    @Slot(int)
    def _finished(self, profile_id: int) -> None:
        self._status.finished(profile_id)

    @Slot(int)
    def _cancelled(self, profile_id: int) -> None:
        if self._status.phase(profile_id) is SyncPhase.RUNNING:
            self._status.finished(profile_id)

    @Slot(int)
    def _not_set_up(self, profile_id: int) -> None:
        self._status.not_set_up(profile_id)

    @Slot(int, str)
    def _sign_in_needed(self, profile_id: int, reason: str) -> None:
        self._status.sign_in_needed(profile_id, reason)

    @Slot(int)
    def _signing_in(self, profile_id: int) -> None:
        self._status.signing_in(profile_id)
