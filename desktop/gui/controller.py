"""The app's flow from start to sign-out: open the store, first run or sign in, lock, sign out.

The store is opened (and upgraded) on a worker while the window says so; a store that cannot be
opened is explained on screen instead of a crash. Everything that touches the store or the
keyring runs on a worker; this object only moves between screens.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal

from desktop.core.roles import Action
from desktop.gui.compose.opener import ComposeOpener
from desktop.gui.mailimport.opener import MailImport
from desktop.gui.mainwindow.window import MainWindow
from desktop.gui.profiles.dialog import ProfilesDialog
from desktop.gui.reader.opened_files import discard_opened
from desktop.gui.session.backend import Backend, BackendFactory, EncryptionOffer, StartState
from desktop.gui.session.records import SignedInUser, UserInfo, describe
from desktop.gui.session.session import Session
from desktop.gui.session.viewdata import ProfileCard
from desktop.gui.session.workers import Workers
from desktop.gui.signin.encrypt_offer import EncryptOfferPage
from desktop.gui.signin.first_run import FirstRunPage
from desktop.gui.signin.idle_lock import IdleLock
from desktop.gui.signin.sign_in_page import SignInPage
from desktop.gui.support.audit_view import AuditDialog
from desktop.gui.support.panel import SupportDialog
from desktop.paths import opened_attachments_dir

log = logging.getLogger(__name__)

LAST_LOGIN_KEY = "session/last_login"


class AppController(QObject):
    ready = Signal()
    session_opened = Signal(object)
    workspace_shown = Signal()
    """After each sign-in and unlock: what waited for the person can open now."""

    def __init__(self, window: MainWindow, factory: BackendFactory) -> None:
        super().__init__(window)
        self.window = window
        self._factory = factory
        self._workers = Workers(self)
        self.backend: Backend | None = None
        self.session: Session | None = None
        self.locked = False
        self.sign_in: SignInPage | None = None
        self.first_run: FirstRunPage | None = None
        self.encrypt_offer: EncryptOfferPage | None = None
        self.idle_lock = IdleLock(self)
        self.idle_lock.idle.connect(self.lock)
        window.lock_requested.connect(self.lock)
        window.sign_out_requested.connect(self.sign_out)
        window.auto_lock_changed.connect(self.idle_lock.set_minutes)
        window.profiles_action.triggered.connect(self.open_profiles)
        window.edit_profile_requested.connect(self.edit_profile)
        window.support_action.triggered.connect(self.open_support)
        window.lookup_action.triggered.connect(self.open_lookup)
        window.audit_action.triggered.connect(self.open_audit)
        window.activity_action.triggered.connect(self.open_my_activity)
        self.support_dialog: SupportDialog | None = None
        self.audit_dialog: AuditDialog | None = None
        self.activity_dialog: AuditDialog | None = None
        self.profiles_dialog: ProfilesDialog | None = None
        self.mail_import: MailImport | None = None
        self.compose = ComposeOpener(window)
        self.idle_lock.set_minutes(window.auto_lock_minutes)
        self.idle_lock.pause()

    def start(self) -> None:
        """Attachments a crashed run left opened are deleted before anything else."""
        discard_opened(opened_attachments_dir())
        self.window.show_notice(self.window.tr("Opening your store…"))
        last = self.window.settings.value(LAST_LOGIN_KEY)
        factory = self._factory
        self._workers.submit(
            lambda: factory().start(str(last) if last else None), self._opened, self._not_opened
        )

    def _opened(self, state: StartState) -> None:
        self.backend = state.backend
        self.sign_in = SignInPage(state.backend.accounts)
        self.sign_in.signed_in.connect(self._signed_in)
        self.first_run = FirstRunPage(state.backend)
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
        backend = self.backend
        if backend is None:
            return
        self.window.show_notice(self.window.tr("Creating the demo data…"))
        self._workers.submit(backend.create_demo, self._signed_in, self._demo_failed)

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
        """A new sign-in to a plain store first hears the offer to encrypt it."""
        backend = self.backend
        if backend is None:
            return
        unlocking = self.session is not None and self.session.user_login == actor.login
        if unlocking or not backend.may_offer_encryption:
            self._enter(actor)
            return
        self._workers.submit(
            lambda: backend.encryption_offer(actor.login),
            lambda offer: self._offer_encryption(actor, offer),
            lambda error: self._offer_failed(actor, error),
        )

    def _offer_encryption(self, actor: SignedInUser, offer: EncryptionOffer | None) -> None:
        backend = self.backend
        if offer is None or backend is None:
            self._enter(actor)
            return
        if self.encrypt_offer is None:
            self.encrypt_offer = EncryptOfferPage(backend)
            self.encrypt_offer.finished.connect(self._enter)
        self.encrypt_offer.offer(actor, offer)
        self.window.show_gate(self.encrypt_offer)

    def _offer_failed(self, actor: SignedInUser, error: Exception) -> None:
        log.warning("no encryption offer: %s", describe(error).details)
        self._enter(actor)

    def _enter(self, actor: SignedInUser) -> None:
        backend = self.backend
        if backend is None:
            return
        self.window.settings.setValue(LAST_LOGIN_KEY, actor.login)
        if self.session is not None and self.session.user_login == actor.login:
            self.window.show_workspace()
            self.session.resume_watching()
            self.compose.show_again()
            if self.mail_import is not None:
                self.mail_import.show_again()
        else:
            self._end_session()
            session = backend.open_session(actor, self)
            self.session = session
            session.active_changed.connect(self._active_changed)
            self.window.open_session(session)
            if self.mail_import is None:
                self.mail_import = MailImport(self.window)
            self.session_opened.emit(session)
        self.locked = False
        self.idle_lock.restart()
        self.workspace_shown.emit()

    @property
    def workspace_open(self) -> bool:
        """Signed in and not locked: a window may show mail."""
        return self.session is not None and not self.locked

    def _end_session(self) -> None:
        session = self.session
        self.session = None
        self.window.close_session()
        if session is not None:
            session.close()
            session.deleteLater()

    def open_profiles(self) -> None:
        backend, session = self.backend, self.session
        if backend is None or session is None:
            return
        if self.profiles_dialog is None:
            dialog = ProfilesDialog(backend.profile_editor(), self.window)
            dialog.profiles_changed.connect(session.refresh_profiles)
            dialog.sign_in.signed_in.connect(session.resume_after_sign_in)
            dialog.finished.connect(self._profiles_closed)
            self.profiles_dialog = dialog
        self.profiles_dialog.open()

    def edit_profile(self, profile_id: int) -> None:
        """The sidebar's Set up… / Edit… and the status bar's Set up…: the dialog on that one."""
        self.open_profiles()
        if self.profiles_dialog is not None:
            self.profiles_dialog.select_profile(profile_id)

    def open_support(self) -> None:
        session = self.session
        if session is None:
            return
        if self.support_dialog is None:
            self.support_dialog = SupportDialog(session, self.window)
        self.support_dialog.set_profile(session.active)
        self.support_dialog.show()

    def open_lookup(self) -> None:
        self.open_support()
        if self.support_dialog is not None:
            self.support_dialog.focus_lookup()

    def open_audit(self) -> None:
        session = self.session
        if session is None:
            return
        if self.audit_dialog is not None:
            self.audit_dialog.deleteLater()
        self.audit_dialog = AuditDialog(session.workspace, everyone=True, parent=self.window)
        self.audit_dialog.show()

    def open_my_activity(self) -> None:
        """Every role reads its own activity; the same view as the audit log, restricted."""
        session = self.session
        if session is None:
            return
        workspace = session.workspace
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
            and self.session is not None
            and self.session.allows(Action.READ_AUDIT_LOG, profile)
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
        """Waits for running jobs, then closes the store, so nothing is cut off mid-write;
        the attachments opened in other apps are deleted."""
        if self.session is not None:
            self.session.close()
        self._workers.wait()
        if self.backend is not None:
            self.backend.close()
        discard_opened(opened_attachments_dir())

    def lock(self) -> None:
        backend = self.backend
        actor = backend.signed_in if backend is not None else None
        if actor is None or self.session is None or self.sign_in is None:
            return
        self.locked = True
        self.idle_lock.pause()
        self._close_panels()
        self.compose.hide_all()
        if self.mail_import is not None:
            self.mail_import.hide()
        self.session.pause_watching()
        self.sign_in.lock(actor)
        self.window.show_gate(self.sign_in)

    def sign_out(self) -> None:
        backend = self.backend
        if backend is None or self.session is None:
            return
        self.idle_lock.pause()
        self._close_panels()
        self.compose.close_all()
        if self.mail_import is not None:
            self.mail_import.stop()
        self._end_session()
        self.window.show_notice(self.window.tr("Signing out…"))
        self._workers.submit(
            backend.sign_out,
            self._show_sign_in,
            lambda error: self.window.show_notice(describe(error).summary, error=True),
        )
