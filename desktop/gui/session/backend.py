"""The opened store as the window uses it, from the first screen to sign-out.

Before anyone signs in the window needs a few things (who may sign in, "remember me", the first
account, the demo data); after sign-in it needs one :class:`Session`. This object is that door:
the controller and the sign-in screens hold it instead of the services, and it remembers the one
signed-in workspace, so lock and sign-out act as whoever is signed in now, on the profile
active now.
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
from desktop.services.accounts import ProfileDraft, UserInfo
from desktop.services.authorization import SignedInUser
from desktop.services.container import Services, build_services
from desktop.services.demo import seed_demo
from desktop.services.errors import NotFoundError
from desktop.services.user_directory import list_users


class SignIn(Protocol):
    """What the sign-in and lock screens need: the sign-in itself and the "remember me" facts."""

    @property
    def remembers_sign_ins(self) -> bool: ...

    @property
    def remember_days(self) -> int: ...

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
class StartState:
    backend: Backend
    users: list[UserInfo]
    remembered: SignedInUser | None


class Backend:
    """Every method but the properties blocks (store, keyring) and runs on a worker."""

    def __init__(self, services: Services) -> None:
        self._services = services
        self._workspace: ServicesWorkspace | None = None

    @property
    def accounts(self) -> SignIn:
        return self._services.accounts

    @property
    def signed_in(self) -> SignedInUser | None:
        return self._workspace.actor if self._workspace is not None else None

    def start(self, last_login: str | None) -> StartState:
        """Who may sign in, and "remember me" tried for the one who signed in last."""
        users = self.users()
        remembered = None
        if last_login and any(user.login == last_login for user in users):
            remembered = self._services.accounts.sign_in_remembered(last_login)
        return StartState(self, users, remembered)

    def users(self) -> list[UserInfo]:
        return list_users(self._services.session_factory)

    def create_first_account(self, account: FirstAccount) -> SignedInUser:
        """The user, their sign-in and their first profile (the store's administrator),
        which becomes active."""
        accounts = self._services.accounts
        accounts.create_first_user(account.login, account.display_name, account.password)
        actor = accounts.sign_in(account.login, account.password)
        profile = accounts.create_profile(actor, account.draft)
        return accounts.switch_profile(actor, profile.id)

    def create_demo(self) -> SignedInUser:
        return seed_demo(self._services)

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
        return self.users()

    def close(self) -> None:
        self._services.close()

    def _require_actor(self) -> SignedInUser:
        if self._workspace is None:
            raise NotFoundError("nobody is signed in")
        return self._workspace.actor


BackendFactory = Callable[[], Backend]


def open_backend(database_url: str | None = None) -> Backend:
    """Blocking: opens and upgrades the store."""
    return Backend(build_services(database_url))
