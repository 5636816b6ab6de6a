"""The app's flow from start to sign-out: open the store, first run or sign in, lock, sign out.

The store is opened (and upgraded) on a worker while the window says so; a store that cannot be
opened is explained on screen instead of a crash. Everything that touches the store or the
keyring runs on a worker; this object only moves between screens.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from desktop.core.roles import Action
from desktop.gui.main_window import MainWindow
from desktop.gui.mainwindow.mail_import import MailImport
from desktop.gui.mainwindow.sync_link import SyncLink
from desktop.gui.profiles.dialog import ProfilesDialog
from desktop.gui.session.services_workspace import ServicesWorkspace
from desktop.gui.session.viewdata import ProfileCard
from desktop.gui.session.workers import Workers
from desktop.gui.signin.first_run import FirstRunPage
from desktop.gui.signin.idle_lock import IdleLock
from desktop.gui.signin.sign_in_page import SignInPage
from desktop.gui.support.audit_view import AuditDialog
from desktop.gui.support.panel import SupportDialog
from desktop.services.accounts import UserInfo
from desktop.services.authorization import SignedInUser
from desktop.services.container import Services
from desktop.services.demo import seed_demo
from desktop.services.errors import NotFoundError
from desktop.services.failures import describe
from desktop.services.mail.importer import ImportResult, ProgressCallback
from desktop.services.user_directory import list_users

log = logging.getLogger(__name__)

ServicesFactory = Callable[[], Services]
LAST_LOGIN_KEY = "session/last_login"


@dataclass(frozen=True)
class StartState:
    services: Services
    users: list[UserInfo]
    remembered: SignedInUser | None


def _open(factory: ServicesFactory, last_login: str | None) -> StartState:
    """Blocking: opens and upgrades the store, lists users, tries "remember me" for the last one."""
    services = factory()
    users = list_users(services.session_factory)
    remembered = None
    if last_login and any(user.login == last_login for user in users):
        remembered = services.accounts.sign_in_remembered(last_login)
    return StartState(services, users, remembered)


def _sign_out(services: Services, actor: SignedInUser) -> list[UserInfo]:
    """Blocking: forgets "remember me" (keyring) and lists who may sign in next."""
    services.accounts.sign_out(actor)
    return list_users(services.session_factory)


class AppController(QObject):
    ready = Signal()
    workspace_opened = Signal(object)

    def __init__(self, window: MainWindow, factory: ServicesFactory) -> None:
        super().__init__(window)
        self.window = window
        self._factory = factory
        self._workers = Workers(self)
        self.services: Services | None = None
        self.workspace: ServicesWorkspace | None = None
        self.sign_in: SignInPage | None = None
        self.first_run: FirstRunPage | None = None
        self.idle_lock = IdleLock(self)
        self.idle_lock.idle.connect(self.lock)
        window.lock_requested.connect(self.lock)
        window.sign_out_requested.connect(self.sign_out)
        window.auto_lock_changed.connect(self.idle_lock.set_minutes)
        window.profiles_action.triggered.connect(self.open_profiles)
        window.support_action.triggered.connect(self.open_support)
        window.lookup_action.triggered.connect(self.open_lookup)
        window.audit_action.triggered.connect(self.open_audit)
        window.activity_action.triggered.connect(self.open_my_activity)
        window.active_profile_changed.connect(self._active_changed)
        self.support_dialog: SupportDialog | None = None
        self.audit_dialog: AuditDialog | None = None
        self.activity_dialog: AuditDialog | None = None
        self.profiles_dialog: ProfilesDialog | None = None
        self.sync_link: SyncLink | None = None
        self.mail_import: MailImport | None = None
        self.idle_lock.set_minutes(window.auto_lock_minutes)
        self.idle_lock.pause()

    def start(self) -> None:
        self.window.show_notice(self.window.tr("Opening your store…"))
        last = self.window.settings.value(LAST_LOGIN_KEY)
        factory = self._factory
        self._workers.submit(
            lambda: _open(factory, str(last) if last else None), self._opened, self._not_opened
        )

    def _opened(self, state: StartState) -> None:
        self.services = state.services
        self.sign_in = SignInPage(state.services.accounts)
        self.sign_in.signed_in.connect(self._signed_in)
        self.first_run = FirstRunPage(state.services.accounts)
        self.first_run.signed_in.connect(self._signed_in)
        self.first_run.offer_demo(True)
        self.first_run.demo_requested.connect(self.open_demo)
        if state.remembered is not None:
            self._signed_in(state.remembered)
        elif not state.users:
            self.window.show_gate(self.first_run)
        else:
            self._show_sign_in(state.users)
        self.ready.emit()

    def _not_opened(self, error: Exception) -> None:
        failure = describe(error)
        log.error("the store could not be opened\n%s", failure.details)
        self.window.show_notice(
            self.window.tr(
                "Switchboard could not open its store.\n\n{reason}\n\n{kept}\n\n{advice} "
                "Then quit and start Switchboard again."
            ).format(
                reason=failure.what_failed, kept=failure.what_was_kept, advice=failure.what_to_do
            ),
            error=True,
        )
        self.ready.emit()

    def open_demo(self) -> None:
        """Fills the empty store with the demo data (on a worker) and signs its user in."""
        services = self.services
        if services is None:
            return
        self.window.show_notice(self.window.tr("Creating the demo data…"))
        self._workers.submit(lambda: seed_demo(services), self._signed_in, self._demo_failed)

    def _demo_failed(self, error: Exception) -> None:
        self.window.show_notice(
            self.window.tr("The demo data could not be created: {reason}").format(
                reason=describe(error).summary
            ),
            error=True,
        )

    def _show_sign_in(self, users: list[UserInfo]) -> None:
        if self.sign_in is None:
            return
        last = self.window.settings.value(LAST_LOGIN_KEY)
        self.sign_in.set_users(users, str(last) if last else None)
        self.window.show_gate(self.sign_in)

    def _signed_in(self, actor: SignedInUser) -> None:
        services = self.services
        if services is None:
            return
        self.window.settings.setValue(LAST_LOGIN_KEY, actor.login)
        if self.workspace is not None and self.workspace.user_login == actor.login:
            self.window.show_workspace()
        else:
            self.workspace = ServicesWorkspace(services, actor)
            self.window.open_workspace(self.workspace)
            self._start_sync(services)
            if self.mail_import is None:
                self.mail_import = MailImport(self.window, self._import_files)
            self.workspace_opened.emit(self.workspace)
        self.idle_lock.restart()

    def _import_files(
        self, profile_id: int, paths: Sequence[Path], progress: ProgressCallback
    ) -> ImportResult:
        """Imports as whoever is signed in when the import starts, not when the app started."""
        if self.workspace is None:
            raise NotFoundError("nobody is signed in")
        return self.workspace.import_files(profile_id, paths, progress)

    def _start_sync(self, services: Services) -> None:
        self._stop_sync()
        workspace = self.workspace
        assert workspace is not None  # started right after signing in
        self.sync_link = SyncLink(self.window, services.mail_sync, lambda: workspace.actor)
        self.sync_link.scheduler.start_periodic()

    def _stop_sync(self) -> None:
        if self.sync_link is not None:
            self.sync_link.scheduler.close()
            self.sync_link.deleteLater()
        self.sync_link = None

    def open_profiles(self) -> None:
        services, workspace = self.services, self.workspace
        if services is None or workspace is None:
            return
        if self.profiles_dialog is None:
            dialog = ProfilesDialog(services, workspace.actor, self.window)
            dialog.profiles_changed.connect(self.window.refresh_profiles)
            dialog.finished.connect(self._profiles_closed)
            self.profiles_dialog = dialog
        self.profiles_dialog.open()

    def open_support(self) -> None:
        workspace = self.workspace
        if workspace is None:
            return
        if self.support_dialog is None:
            self.support_dialog = SupportDialog(workspace, self.window)
        self.support_dialog.set_profile(self.window.active_profile)
        self.support_dialog.show()

    def open_lookup(self) -> None:
        self.open_support()
        if self.support_dialog is not None:
            self.support_dialog.focus_lookup()

    def open_audit(self) -> None:
        workspace = self.workspace
        if workspace is None:
            return
        if self.audit_dialog is not None:
            self.audit_dialog.deleteLater()
        self.audit_dialog = AuditDialog(workspace, everyone=True, parent=self.window)
        self.audit_dialog.show()

    def open_my_activity(self) -> None:
        """Every role reads its own activity; the same view as the audit log, restricted."""
        workspace = self.workspace
        if workspace is None:
            return
        if self.activity_dialog is not None:
            self.activity_dialog.deleteLater()
        self.activity_dialog = AuditDialog(workspace, everyone=False, parent=self.window)
        self.activity_dialog.show()

    def _active_changed(self, profile: ProfileCard | None) -> None:
        """Privileges follow the active profile at once, in open panels too."""
        if self.support_dialog is not None:
            self.support_dialog.set_profile(profile)
        allowed = (
            profile is not None
            and self.workspace is not None
            and self.workspace.allows(Action.READ_AUDIT_LOG, profile)
        )
        if self.audit_dialog is not None and not allowed:
            self.audit_dialog.close()

    def _profiles_closed(self) -> None:
        if self.profiles_dialog is not None:
            self.profiles_dialog.deleteLater()
        self.profiles_dialog = None

    def _close_panels(self) -> None:
        for dialog in (
            self.support_dialog,
            self.audit_dialog,
            self.activity_dialog,
            self.profiles_dialog,
        ):
            if dialog is not None:
                dialog.close()
                dialog.deleteLater()
        self.support_dialog = self.audit_dialog = self.activity_dialog = None
        self.profiles_dialog = None

    def shut_down(self) -> None:
        """Waits for running jobs, then closes the store, so nothing is cut off mid-write."""
        self._stop_sync()
        self._workers.wait()
        if self.services is not None:
            self.services.close()

    def lock(self) -> None:
        if self.workspace is None or self.sign_in is None:
            return
        self.idle_lock.pause()
        self._close_panels()
        self.sign_in.lock(self.workspace.actor)
        self.window.show_gate(self.sign_in)

    def sign_out(self) -> None:
        services, workspace = self.services, self.workspace
        if services is None or workspace is None:
            return
        self.workspace = None
        self.idle_lock.pause()
        self._stop_sync()
        self._close_panels()
        self.window.close_workspace()
        self.window.show_notice(self.window.tr("Signing out…"))
        actor = workspace.actor
        self._workers.submit(
            lambda: _sign_out(services, actor),
            self._show_sign_in,
            lambda error: self.window.show_notice(describe(error).summary, error=True),
        )
