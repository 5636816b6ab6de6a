"""The opened store as the window uses it, from the first screen to sign-out.

Before anyone signs in the window needs a few things (who may sign in, "remember me", the first
account, the demo data); after sign-in it needs one :class:`Session`. This object is that door:
the controller and the sign-in screens hold it instead of the services, and it remembers the one
signed-in workspace, so lock and sign-out act as whoever is signed in now, on the profile
active now.

An encrypted store is not open before sign-in: the door (:class:`StoreDoor`) lists who may sign
in from the key file, and the first sign-in's password (or "remember me") opens it. Signing out
closes it again, so that the data key leaves memory with the person.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from PySide6.QtCore import QObject

from desktop.gui.session.profile_editor import ProfileEditor
from desktop.gui.session.services_workspace import ServicesWorkspace
from desktop.gui.session.session import Session
from desktop.gui.session.sync_scheduler import SyncScheduler
from desktop.services.accounts import ProfileDraft, UserInfo, remember_period
from desktop.services.authorization import SignedInUser
from desktop.services.container import Services
from desktop.services.demo import DEMO_DISPLAY_NAME, DEMO_LOGIN, DEMO_PASSWORD, seed_demo
from desktop.services.errors import NotFoundError
from desktop.services.store_opening import StoreDoor, StoreKind
from desktop.services.store_upgrade import EncryptionEstimate, StoreEncryption
from desktop.services.user_directory import list_users


class SignIn(Protocol):
    """What the sign-in and lock screens need: the sign-in itself and the "remember me" facts."""

    @property
    def remembers_sign_ins(self) -> bool: ...

    @property
    def remember_days(self) -> int: ...

    @property
    def encrypted(self) -> bool:
        """The store cannot be read without a password or a remembered sign-in."""
        ...

    def sign_in(self, login: str, password: str, *, remember: bool = False) -> SignedInUser:
        """Blocking (Argon2, store, keyring): on a worker."""
        ...


@dataclass(frozen=True)
class FirstAccount:
    login: str
    display_name: str
    password: str
    draft: ProfileDraft


@dataclass(frozen=True)
class EncryptionOffer:
    """What the window says before encrypting a plain store."""

    store: str
    estimate: EncryptionEstimate
    other_users: tuple[str, ...]
    """Display names of the store's other users: while there are any, it is not encrypted."""


@dataclass(frozen=True)
class StartState:
    backend: Backend
    users: list[UserInfo]
    remembered: SignedInUser | None


class Backend:
    """Every method but the properties blocks (store, keyring) and runs on a worker."""

    def __init__(self, services: Services | None = None, *, door: StoreDoor | None = None) -> None:
        if services is None and door is None:
            raise ValueError("a backend needs open services or the door to a store")
        self._opened = services
        self._door = door
        self._workspace: ServicesWorkspace | None = None

    @property
    def accounts(self) -> SignIn:
        return _DoorSignIn(self)

    @property
    def encrypted(self) -> bool:
        if self._opened is not None:
            return self._opened.store_key is not None
        return self._door is not None and self._door.kind is StoreKind.ENCRYPTED

    @property
    def _services(self) -> Services:
        if self._opened is None:
            raise NotFoundError("the store is not open: nobody has signed in yet")
        return self._opened

    @property
    def signed_in(self) -> SignedInUser | None:
        return self._workspace.actor if self._workspace is not None else None

    def start(self, last_login: str | None) -> StartState:
        """Who may sign in, and "remember me" tried for the one who signed in last."""
        users = self.users()
        remembered = None
        if last_login and any(user.login == last_login for user in users):
            if self._opened is None and self._door is not None:
                self._opened = self._door.open_remembered(last_login)
            if self._opened is not None:
                remembered = self._opened.accounts.sign_in_remembered(last_login)
        return StartState(self, users, remembered)

    def users(self) -> list[UserInfo]:
        """From the store when it is open, else from the encrypted store's key file."""
        if self._opened is not None:
            return list_users(self._opened.session_factory)
        door = self._door
        if door is None or door.kind is StoreKind.NEW:
            return []
        return [UserInfo(0, login, name) for login, name in door.logins()]

    def sign_in(self, login: str, password: str, *, remember: bool) -> SignedInUser:
        """Opens an encrypted store with the password first, then signs in as ever."""
        if self._opened is None and self._door is not None:
            self._opened = self._door.open_with_password(login, password)
        return self._services.accounts.sign_in(login, password, remember=remember)

    @property
    def may_offer_encryption(self) -> bool:
        """Whether to ask :meth:`encryption_offer` at all (no file is read here, on the GUI
        thread): an open store found through the door, not encrypted."""
        opened = self._opened
        door = self._door
        return opened is not None and opened.store_key is None and door is not None

    def encryption_offer(self, login: str) -> EncryptionOffer | None:
        """None unless the store is a plain file on this computer; blocking (file sizes)."""
        door = self._door
        if door is None or door.file is None or door.kind is not StoreKind.PLAIN:
            return None
        others = tuple(user.display_name for user in self.users() if user.login != login)
        estimate = StoreEncryption(door).estimate()
        return EncryptionOffer(str(door.file), estimate, others)

    def encrypt_store(
        self, login: str, password: str, on_progress: Callable[[float], None]
    ) -> SignedInUser:
        """The plain store closed, encrypted, and opened again encrypted, signed in as before.

        On failure whichever store is the store (the plain one, unless the failure came after
        the encrypted one took its place) is opened again, so the person goes on working where
        they were, and the error says why; blocking, on a worker.
        """
        door = self._door
        if door is None:
            raise NotFoundError("only a store found on this computer can be encrypted")
        self.close()
        try:
            self._opened = StoreEncryption(door).encrypt(login, password, on_progress=on_progress)
        except BaseException:
            if door.kind is StoreKind.PLAIN:
                self._opened = door.open_unencrypted()
            else:
                self._opened = door.open_with_password(login, password)
            raise
        return self._services.accounts.sign_in(login, password)

    def create_first_account(self, account: FirstAccount) -> SignedInUser:
        """The user, their sign-in and their first profile (the store's administrator),
        which becomes active. A new store is created encrypted, keyed by this password."""
        self._create_store(account.login, account.display_name, account.password)
        accounts = self._services.accounts
        accounts.create_first_user(account.login, account.display_name, account.password)
        actor = accounts.sign_in(account.login, account.password)
        profile = accounts.create_profile(actor, account.draft)
        return accounts.switch_profile(actor, profile.id)

    def create_demo(self) -> SignedInUser:
        self._create_store(DEMO_LOGIN, DEMO_DISPLAY_NAME, DEMO_PASSWORD)
        return seed_demo(self._services)

    def _create_store(self, login: str, display_name: str, password: str) -> None:
        if self._opened is None and self._door is not None:
            self._opened = self._door.create(login, display_name, password)

    def open_session(self, actor: SignedInUser, parent: QObject | None = None) -> Session:
        """Runs on the GUI thread (it builds Qt objects and touches no data). The scheduler asks
        the workspace for the actor at each request, so a sync runs as the profile active now."""
        workspace = ServicesWorkspace(self._services, actor)
        self._workspace = workspace
        session = Session(workspace, parent)
        session.attach_sync(
            SyncScheduler(
                self._services.mail_sync,
                lambda: workspace.actor,
                profiles=session.syncable,
                parent=session,
            )
        )
        return session

    def profile_editor(self) -> ProfileEditor:
        return ProfileEditor(self._services, self._require_actor())

    def sign_out(self) -> list[UserInfo]:
        """Forgets "remember me" (keyring) and lists who may sign in next."""
        actor = self._require_actor()
        self._workspace = None
        self._services.accounts.sign_out(actor)
        if self._door is not None and self._services.store_key is not None:
            self.close()
        return self.users()

    def close(self) -> None:
        opened, self._opened = self._opened, None
        if opened is not None:
            opened.close()

    def _require_actor(self) -> SignedInUser:
        if self._workspace is None:
            raise NotFoundError("nobody is signed in")
        return self._workspace.actor


BackendFactory = Callable[[], Backend]


class _DoorSignIn:
    """The sign-in screens' view of the backend: signing in may have to open the store."""

    def __init__(self, backend: Backend) -> None:
        self._backend = backend

    @property
    def remembers_sign_ins(self) -> bool:
        backend = self._backend
        if backend._opened is not None:
            return backend._opened.accounts.remembers_sign_ins
        return backend._door is not None and backend._door.secrets.is_persistent

    @property
    def remember_days(self) -> int:
        return remember_period().days

    @property
    def encrypted(self) -> bool:
        return self._backend.encrypted

    def sign_in(self, login: str, password: str, *, remember: bool = False) -> SignedInUser:
        return self._backend.sign_in(login, password, remember=remember)


def open_backend(database_url: str | None = None) -> Backend:
    """Blocking: opens and upgrades a plain store; an encrypted or new one waits for sign-in."""
    door = StoreDoor(database_url)
    if door.kind in (StoreKind.PLAIN, StoreKind.SERVER):
        return Backend(door.open_unencrypted(), door=door)
    return Backend(door=door)
