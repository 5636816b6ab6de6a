"""Users, their profiles, signing in once, and support-ID look-ups: shared by the CLI and GUI.

Every method opens its own unit of work and returns plain dataclasses, so callers never hold a
session or an ORM object across threads. Password hashing runs outside any transaction: it is
deliberately slow, and on SQLite a transaction holds the store's write lock.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets as csprng
import threading
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, NoReturn

from sqlalchemy import delete, func, or_, select, text, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from desktop.core.profile_colours import PALETTE, next_colour
from desktop.core.roles import Action, Role
from desktop.core.throttle import delay_after
from desktop.services.audit_events import Outcome, add_event, record_event, record_event_soon
from desktop.services.authorization import Authorizer, SignedInUser, gated, without_actor
from desktop.services.errors import (
    AccountError,
    NotFoundError,
    PermissionDeniedError,
    SignInThrottledError,
    UnknownUserError,
    WrongPasswordError,
)
from desktop.services.passwords import PasswordHashing
from desktop.services.secrets import SecretStore, SecretStoreError
from desktop.store.models import Profile, RememberedSignIn, User
from desktop.store.models.base import utcnow
from desktop.store.session import SessionFactory, read_only, unit_of_work
from desktop.store.side_writes import QUICK_LOCK_WAIT, is_busy, side_writes_for

if TYPE_CHECKING:
    from desktop.services.store_keys import OpenedStoreKey

LOGIN_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
PHONE_PATTERN = re.compile(r"[0-9+()./ -]*")
COLOUR_PATTERN = re.compile(r"#[0-9a-fA-F]{6}")
IMAP_SECURITY_MODES = ("ssl", "starttls", "none")
MIN_PASSWORD_LENGTH = 8
SUPPORT_ID_SPACE = 2**32
SUPPORT_ID_ATTEMPTS = 16
DEFAULT_COLOUR = PALETTE[0]
REMEMBER_DAYS_ENV = "SWITCHBOARD_REMEMBER_DAYS"
DEFAULT_REMEMBER_DAYS = 30


@dataclass(frozen=True)
class UserInfo:
    id: int
    login: str
    display_name: str


@dataclass(frozen=True, kw_only=True)
class ProfileDraft:
    """What a person types to make or change a profile; validated by the service.

    No colour (None) means "the first palette colour this user's profiles do not have yet" for
    a new profile, and "keep it" for an existing one, so a user's profiles stay distinct.
    """

    organization: str
    email: str
    title: str = ""
    phone: str = ""
    colour: str | None = None
    imap_host: str | None = None
    imap_port: int | None = None
    imap_security: str = "ssl"
    imap_user: str | None = None
    ca_file: str | None = None


@dataclass(frozen=True, kw_only=True)
class ProfileInfo(ProfileDraft):
    """A stored profile. Its role is not part of the draft: only an admin's ``set_role`` (or the
    bootstrap of an empty store) sets it, so no profile form can raise its own role."""

    id: int
    user_id: int
    support_id: int
    role: Role
    colour: str

    def as_draft(self) -> ProfileDraft:
        return ProfileDraft(**{f.name: getattr(self, f.name) for f in fields(ProfileDraft)})


@dataclass(frozen=True)
class SupportIdOwner:
    support_id: int
    login: str
    display_name: str
    profile_id: int
    organization: str
    email: str
    role: Role


class AccountsService:
    def __init__(
        self,
        session_factory: SessionFactory,
        secrets: SecretStore,
        authorizer: Authorizer,
        hashing: PasswordHashing,
        *,
        clock: Callable[[], datetime] = utcnow,
        remember_for: timedelta | None = None,
        store_key: OpenedStoreKey | None = None,
    ) -> None:
        """``store_key``: an encrypted store's data key, so that a new user, a remembered
        sign-in and a sign-out change the key file too; None for a plain store or a server."""
        self._session_factory = session_factory
        self._secrets = secrets
        self._authorizer = authorizer
        self._hashing = hashing
        self._clock = clock
        self._side_writes = side_writes_for(session_factory)
        self._attempt_locks: dict[str, threading.Lock] = {}
        self._attempt_locks_guard = threading.Lock()
        self._remember_for = remember_for if remember_for is not None else remember_period()
        self._store_key = store_key

    @property
    def encrypted(self) -> bool:
        """Whether the store is encrypted: without a password or "remember me" it stays shut."""
        return self._store_key is not None

    @property
    def remembers_sign_ins(self) -> bool:
        """Whether "remember me" can work: only with a keyring that outlives this process."""
        return self._secrets.is_persistent

    @property
    def remember_days(self) -> int:
        """How many days a "remember me" lasts, for the screens that offer it."""
        return self._remember_for.days

    @without_actor("the bootstrap: refused unless the store has no user at all")
    def create_first_user(self, login: str, display_name: str, password: str) -> UserInfo:
        """The first user of an empty store, whose first profile becomes its administrator.

        Every later user is made by an admin with :meth:`create_user`. Emptiness is checked in
        the same transaction as the insert (with the users table locked on PostgreSQL), so two
        first runs at once cannot both succeed.
        """
        return self._add_user(None, login, display_name, password)

    @gated(Action.CREATE_USER, target="user {login}")
    def create_user(
        self, actor: SignedInUser, login: str, display_name: str, password: str
    ) -> UserInfo:
        """A new user, made by an admin profile (nobody signs themselves up to a store in use).

        On an encrypted store the new user gets a key slot wrapped by their password: the
        admin's open store has its data key in memory, which is the only way a slot can be
        made (a store that is not open has no key to wrap).
        """
        user = self._add_user(actor, login, display_name, password)
        if self._store_key is not None:
            try:
                self._store_key.set_password(user.login, user.display_name, password)
            except BaseException:
                with unit_of_work(self._session_factory) as session:
                    session.execute(delete(User).where(User.id == user.id))
                raise
        return user

    @without_actor("signing in is how an actor comes to be")
    def sign_in(self, login: str, password: str, *, remember: bool = False) -> SignedInUser:
        """Check the password; with ``remember`` keep a token in the keyring for next time.

        Raises :class:`SignInThrottledError` instead of waiting when the login has had too many
        wrong passwords, so that the GUI thread never sleeps. Each attempt is counted as a
        failure *before* the (slow, unlocked) verification and forgiven after a success, so
        parallel attempts get no more verifications than sequential ones.
        """
        if remember and not self._secrets.is_persistent:
            raise SecretStoreError(NO_KEYRING_TO_REMEMBER)
        with self._attempts_of(login):
            user_id, password_hash, counted = self._reserve_attempt(login)
            if not self._hashing.verify(password_hash, password):
                if not counted:
                    self._count_later(login)
                record_event_soon(
                    self._session_factory,
                    user_id=user_id,
                    profile_id=None,
                    action="sign in",
                    target=f"user {login}",
                    outcome=Outcome.FAILED,
                )
                raise WrongPasswordError(f"wrong password for {login!r}")
            token = csprng.token_urlsafe(32) if remember else None
            if token is not None:
                self._secrets.set_remember_token(login, token)
            actor = self._signed_in_with_password(user_id, login, token, counted=counted)
            if token is not None and self._store_key is not None:
                self._store_key.remember(login, actor.display_name, token)
            return actor

    @without_actor("signing in is how an actor comes to be")
    def sign_in_remembered(self, login: str) -> SignedInUser | None:
        """Sign in with the token kept by "remember me", or None when there is none, it was
        revoked, or it is older than the remember period."""
        with unit_of_work(self._session_factory) as session:
            if session.scalar(select(User.id).where(User.login == login)) is None:
                raise UnknownUserError(f"no user with login {login!r}")
        token = self._secrets.get_remember_token(login)
        if token is None:
            return None
        oldest = self._clock() - self._remember_for
        with unit_of_work(self._session_factory) as session:
            session.execute(delete(RememberedSignIn).where(RememberedSignIn.created_at < oldest))
            user_id = session.scalar(
                select(User.id)
                .join(RememberedSignIn, RememberedSignIn.user_id == User.id)
                .where(User.login == login, RememberedSignIn.token_hash == _token_hash(token))
            )
            if user_id is not None:
                return self._signed_in(session, user_id, "sign in (remembered)")
        self._secrets.delete_remember_token(login)
        if self._store_key is not None:
            self._store_key.forget(login)
        return None

    @gated(Action.SIGN_OUT, target="user {actor.login}")
    def sign_out(self, actor: SignedInUser) -> None:
        """End the app session and revoke every "remember me" of this user, on every machine.

        A shared PostgreSQL store may remember the person on several desks; signing out is
        the one way they have to take a lost laptop's sign-in back, so it forgets them all.
        """
        with unit_of_work(self._session_factory) as session:
            session.execute(
                delete(RememberedSignIn).where(RememberedSignIn.user_id == actor.user_id)
            )
            add_event(
                session,
                user_id=actor.user_id,
                profile_id=actor.active_profile_id,
                action="sign out",
                target=f"user {actor.login}",
            )
        self._secrets.delete_remember_token(actor.login)
        if self._store_key is not None:
            self._store_key.forget(actor.login)

    @gated(Action.SWITCH_OWN_PROFILE, profile="profile_id")
    def switch_profile(self, actor: SignedInUser, profile_id: int) -> SignedInUser:
        """Act as another of one's own profiles from now on (audited; another user's: refused)."""
        record_event_soon(
            self._session_factory,
            user_id=actor.user_id,
            profile_id=profile_id,
            action="switch profile",
            target=f"profile {profile_id}",
        )
        return actor.with_active_profile(profile_id)

    @gated(Action.MANAGE_OWN_PROFILES, target="profiles")
    def list_profiles(self, actor: SignedInUser) -> list[ProfileInfo]:
        with read_only(self._session_factory) as session:
            profiles = session.scalars(
                select(Profile).where(Profile.user_id == actor.user_id).order_by(Profile.id)
            )
            return [_profile_info(profile) for profile in profiles]

    @gated(Action.MANAGE_OWN_PROFILES, target="new profile")
    def create_profile(self, actor: SignedInUser, draft: ProfileDraft) -> ProfileInfo:
        """Add a member profile to the signed-in user, with a fresh random 32-bit support ID.

        The one exception to "member": while the store has no admin profile, the first user's
        next profile becomes its administrator (the bootstrap), and the audit says so.
        """
        draft = validated_draft(draft)
        for _attempt in range(SUPPORT_ID_ATTEMPTS):
            try:
                with unit_of_work(self._session_factory) as session:
                    _lock_table(session, "profiles")
                    _refuse_taken_email(session, draft.email, None)
                    bootstrap = _is_bootstrap(session, actor.user_id)
                    profile = Profile(
                        user_id=actor.user_id,
                        support_id=_unused_support_id(session),
                        role=Role.ADMIN if bootstrap else Role.MEMBER,
                        **_draft_values(draft),
                    )
                    if draft.colour is None:
                        profile.colour = _free_colour(session, actor.user_id)
                    session.add(profile)
                    session.flush()
                    add_event(
                        session,
                        user_id=actor.user_id,
                        profile_id=actor.active_profile_id,
                        action="create profile (bootstrap admin)"
                        if bootstrap
                        else "create profile",
                        target=f"profile {profile.id}",
                    )
                    return _profile_info(profile)
            except IntegrityError:
                continue
        raise AccountError("could not assign a unique support ID; try again")

    @gated(Action.MANAGE_OWN_PROFILES, profile="profile_id")
    def update_profile(
        self, actor: SignedInUser, profile_id: int, draft: ProfileDraft
    ) -> ProfileInfo:
        """Change what the profile's form holds; its role stays (see :meth:`set_role`)."""
        draft = validated_draft(draft)
        try:
            with unit_of_work(self._session_factory) as session:
                profile = session.get_one(Profile, profile_id)
                _refuse_taken_email(session, draft.email, profile_id)
                for name, value in _draft_values(draft).items():
                    setattr(profile, name, value)
                add_event(
                    session,
                    user_id=actor.user_id,
                    profile_id=actor.active_profile_id,
                    action="update profile",
                    target=f"profile {profile_id}",
                )
                session.flush()
                return _profile_info(profile)
        except IntegrityError as error:
            raise AccountError(
                f"the email address {draft.email} is already used by another profile"
            ) from error

    @gated(Action.SET_ROLE, profile="profile_id", other_user=Action.SET_ROLE)
    def set_role(self, actor: SignedInUser, profile_id: int, role: Role) -> ProfileInfo:
        """Make a profile (anyone's) an admin or a member: for an active admin profile only.

        The last admin profile of the store is never demoted, so the store always keeps someone
        who can grant roles. The admin profiles are locked (``FOR UPDATE`` on PostgreSQL; the
        write lock on SQLite) before counting, so two demotions at once cannot both pass.
        """
        if not isinstance(role, Role):
            raise AccountError(f"role must be one of: {', '.join(r.value for r in Role)}")
        info: ProfileInfo | None = None
        with unit_of_work(self._session_factory) as session:
            admins = _locked_admin_profiles(session)
            profile = session.get_one(Profile, profile_id)
            if role is Role.ADMIN or admins != [profile_id]:
                profile.role = role
                add_event(
                    session,
                    user_id=actor.user_id,
                    profile_id=actor.active_profile_id,
                    action=f"set role {role.value}",
                    target=f"profile {profile_id}",
                )
                session.flush()
                info = _profile_info(profile)
        if info is None:
            self._refuse_last_admin(actor, Action.SET_ROLE, profile_id, "demote")
        return info

    @gated(
        Action.MANAGE_OWN_PROFILES,
        profile="profile_id",
        other_user=Action.DELETE_OTHER_USERS_PROFILE,
    )
    def delete_profile(self, actor: SignedInUser, profile_id: int) -> str | None:
        """Delete a profile of one's own, or (admins only) of another user, and its secrets.

        The store's last admin profile is not deleted (checked under the same lock as
        :meth:`set_role`). An OAuth2 profile's grant is revoked at its provider first, while
        the row still names the provider; the sentence returned says what became of it (None:
        the profile signed in with a password).
        """
        target = f"profile {profile_id}"
        with read_only(self._session_factory) as session:
            row = session.get(Profile, profile_id)
            oauth = row is not None and row.auth_method == "oauth2" and bool(row.oauth_provider)
            last_admin = (
                row is not None
                and row.role == Role.ADMIN
                and session.scalar(
                    select(func.count()).select_from(Profile).where(Profile.role == Role.ADMIN)
                )
                == 1
            )
        if last_admin:
            self._refuse_last_admin(actor, Action.MANAGE_OWN_PROFILES, profile_id, "delete")
        ended = self._end_grant(profile_id) if oauth else None
        with unit_of_work(self._session_factory) as session:
            refused = _locked_admin_profiles(session) == [profile_id]
            if not refused:
                session.execute(delete(Profile).where(Profile.id == profile_id))
                add_event(
                    session,
                    user_id=actor.user_id,
                    profile_id=actor.active_profile_id
                    if actor.active_profile_id != profile_id
                    else None,
                    action="delete profile",
                    target=target,
                )
        if refused:
            self._refuse_last_admin(actor, Action.MANAGE_OWN_PROFILES, profile_id, "delete")
        self._secrets.delete_password(profile_id)
        self._secrets.delete_smtp_password(profile_id)
        self._secrets.delete_oauth_refresh_token(profile_id)
        return ended

    def _end_grant(self, profile_id: int) -> str:
        """Loaded only for an OAuth2 profile: a password profile's deletion needs no HTTP."""
        from desktop.services.oauth_tokens import OAuthTokens

        return OAuthTokens(self._session_factory, self._secrets).end_grant(profile_id).sentence

    @gated(Action.LOOK_UP_ANY_SUPPORT_ID, target="support ID {support_id}")
    def look_up_support_id(self, actor: SignedInUser, support_id: int) -> SupportIdOwner:
        """Which user and profile own a support ID: for admins helping someone on the phone."""
        target = f"support ID {support_id}"
        with read_only(self._session_factory) as session:
            row = session.execute(
                select(Profile, User)
                .join(User, Profile.user_id == User.id)
                .where(Profile.support_id == support_id)
            ).first()
        record_event_soon(
            self._session_factory,
            user_id=actor.user_id,
            profile_id=actor.active_profile_id,
            action="look up support ID",
            target=target,
            outcome=Outcome.OK if row is not None else Outcome.FAILED,
        )
        if row is None:
            raise NotFoundError(f"no profile has support ID {support_id}")
        profile, user = row
        return SupportIdOwner(
            support_id=support_id,
            login=user.login,
            display_name=user.display_name,
            profile_id=profile.id,
            organization=profile.organization,
            email=profile.email,
            role=profile.role,
        )

    @without_actor(
        "names only the login that must sign in for a support ID, as a sign-in screen lists "
        "every login anyway (user_directory.list_users); no profile data, and acting needs "
        "that user's password"
    )
    def login_owning_support_id(self, support_id: int) -> str | None:
        """The login that must sign in to act on this profile (used to default the CLI's user)."""
        with unit_of_work(self._session_factory) as session:
            return session.scalar(
                select(User.login)
                .join(Profile, Profile.user_id == User.id)
                .where(Profile.support_id == support_id)
            )

    @gated(Action.MANAGE_OWN_PROFILES, target="support ID {support_id}")
    def profile_id_for_support_id(self, actor: SignedInUser, support_id: int) -> int:
        """The store's id of a profile, for a signed-in caller to pass to a gated action.

        The id says nothing about its owner; the action it is passed to checks ownership.
        """
        with unit_of_work(self._session_factory) as session:
            profile_id = session.scalar(select(Profile.id).where(Profile.support_id == support_id))
        if profile_id is None:
            raise NotFoundError(f"no profile has support ID {support_id}")
        return profile_id

    @gated(Action.MANAGE_OWN_PROFILES, target="profile {email}")
    def profile_id_for_email(self, actor: SignedInUser, email: str) -> int:
        """Like :meth:`profile_id_for_support_id`, by the profile's email (case-insensitive)."""
        with unit_of_work(self._session_factory) as session:
            profile_id = session.scalar(
                select(Profile.id).where(func.lower(Profile.email) == email.strip().lower())
            )
        if profile_id is None:
            raise NotFoundError(f"there is no profile with email {email}")
        return profile_id

    @gated(Action.MANAGE_OWN_SERVER_PASSWORDS, profile="profile_id")
    def set_server_password(self, actor: SignedInUser, profile_id: int, password: str) -> None:
        """Keep a profile's mail server password in the keyring (blocks: use a worker thread).

        Without a usable keyring it lasts until this process ends; callers that promise more
        (the CLI, which ends at once) check :attr:`SecretStore.is_persistent` first.
        """
        self._secrets.set_password(profile_id, password)

    @gated(Action.MANAGE_OWN_SERVER_PASSWORDS, profile="profile_id")
    def server_password(self, actor: SignedInUser, profile_id: int) -> str | None:
        """A profile's mail server password (blocks: use a worker thread)."""
        return self._secrets.get_password(profile_id)

    def _add_user(
        self, actor: SignedInUser | None, login: str, display_name: str, password: str
    ) -> UserInfo:
        login, display_name = validated_new_user(login, display_name, password)
        password_hash = self._hashing.hash(password)
        try:
            with unit_of_work(self._session_factory) as session:
                _lock_table(session, "users")
                if session.scalar(select(User.id).where(User.login == login)) is not None:
                    raise AccountError(f"a user with login {login!r} already exists")
                if actor is None and session.scalar(select(func.count(User.id))):
                    raise PermissionDeniedError(STORE_IN_USE)
                user = User(login=login, display_name=display_name, password_hash=password_hash)
                session.add(user)
                session.flush()
                add_event(
                    session,
                    user_id=actor.user_id if actor is not None else user.id,
                    profile_id=actor.active_profile_id if actor is not None else None,
                    action="create user" if actor is not None else "create first user",
                    target=f"user {login}",
                )
                return UserInfo(user.id, user.login, user.display_name)
        except IntegrityError as error:
            raise AccountError(f"a user with login {login!r} already exists") from error
        except PermissionDeniedError:
            record_event(
                self._session_factory,
                user_id=None,
                profile_id=None,
                action="create first user",
                target=f"user {login}",
                outcome=Outcome.DENIED,
            )
            raise

    def _attempts_of(self, login: str) -> threading.Lock:
        """One attempt per login at a time in this process: parallel guesses queue here."""
        with self._attempt_locks_guard:
            return self._attempt_locks.setdefault(login, threading.Lock())

    def _reserve_attempt(self, login: str) -> tuple[int, str, bool]:
        """Count a sign-in attempt as failed, and set the wait it earns, in one transaction.

        The block is checked by the same UPDATE that counts, so of many attempts at once only
        those a sequential caller would have had get through; on PostgreSQL the row lock makes
        a waiting UPDATE re-check the block that the first one set. When another process holds
        SQLite's write lock, the attempt is checked against the block by a read and counted
        afterwards (the third value is False): signing in never waits for a sync or an import,
        and whoever can hold the store's lock can read its password hashes anyway.
        """
        now = self._clock()
        try:
            with unit_of_work(self._session_factory, lock_wait=QUICK_LOCK_WAIT) as session:
                reserved = _count_attempt(session, login, now)
                if reserved is not None:
                    return reserved[0], reserved[1], True
        except OperationalError as error:
            if not is_busy(error):
                raise
        with read_only(self._session_factory) as session:
            user = session.execute(
                select(User.id, User.password_hash, User.sign_in_blocked_until).where(
                    User.login == login
                )
            ).first()
        if user is None:
            raise UnknownUserError(f"no user with login {login!r}")
        if user.sign_in_blocked_until is None or user.sign_in_blocked_until <= now:
            return user.id, user.password_hash, False
        record_event_soon(
            self._session_factory,
            user_id=user.id,
            profile_id=None,
            action="sign in",
            target=f"user {login}",
            outcome=Outcome.DENIED,
        )
        raise SignInThrottledError(login, (user.sign_in_blocked_until - now).total_seconds())

    def _count_later(self, login: str) -> None:
        """Count an attempt that was verified while another process held the write lock."""
        now = self._clock()

        def count(session: Session) -> None:
            _count_attempt(session, login, now)

        self._side_writes.write(count, f"failed sign-in of user {login}")

    def _signed_in_with_password(
        self, user_id: int, login: str, token: str | None, *, counted: bool
    ) -> SignedInUser:
        """Forgive the attempt, keep the remembered sign-in, audit.

        An attempt that was counted is forgiven before returning, so that the next attempt is
        never counted on top of it; one checked behind another process's write lock leaves these
        writes to the side writer, in order after its own count.
        """
        created_at = self._clock()

        def forgive(session: Session) -> None:
            session.execute(
                update(User)
                .where(User.id == user_id)
                .values(failed_sign_ins=0, sign_in_blocked_until=None)
            )
            if token is not None:
                session.add(
                    RememberedSignIn(
                        user_id=user_id, token_hash=_token_hash(token), created_at=created_at
                    )
                )
            add_event(
                session,
                user_id=user_id,
                profile_id=None,
                action="sign in",
                target=f"user {login}",
            )

        if counted:
            with unit_of_work(self._session_factory) as session:
                forgive(session)
                return _actor(session, user_id)
        self._side_writes.write(forgive, f"sign-in of user {login}")
        with read_only(self._session_factory) as session:
            return _actor(session, user_id)

    def _refuse_last_admin(
        self, actor: SignedInUser, action: Action, profile_id: int, verb: str
    ) -> NoReturn:
        self._authorizer.deny(
            actor,
            action,
            f"profile {profile_id}",
            f"profile {profile_id} is the last admin profile of this store: make another "
            f"profile admin first (profile set-role), then {verb} this one",
        )

    def _signed_in(self, session: Session, user_id: int, action: str) -> SignedInUser:
        actor = _actor(session, user_id)
        add_event(
            session, user_id=user_id, profile_id=None, action=action, target=f"user {actor.login}"
        )
        return actor


def _count_attempt(session: Session, login: str, now: datetime) -> tuple[int, str] | None:
    """Count one more failed attempt unless the login is blocked; set the wait it earns."""
    reserved = session.execute(
        update(User)
        .where(
            User.login == login,
            or_(User.sign_in_blocked_until.is_(None), User.sign_in_blocked_until <= now),
        )
        .values(failed_sign_ins=User.failed_sign_ins + 1)
        .returning(User.id, User.password_hash, User.failed_sign_ins)
        .execution_options(synchronize_session=False)
    ).first()
    if reserved is None:
        return None
    delay = delay_after(reserved.failed_sign_ins)
    if delay:
        session.execute(
            update(User)
            .where(User.id == reserved.id)
            .values(sign_in_blocked_until=now + delay)
            .execution_options(synchronize_session=False)
        )
    return reserved.id, reserved.password_hash


def _actor(session: Session, user_id: int) -> SignedInUser:
    user = session.get_one(User, user_id)
    first_profile = session.scalar(
        select(Profile.id).where(Profile.user_id == user_id).order_by(Profile.id).limit(1)
    )
    return SignedInUser(user.id, user.login, user.display_name, first_profile)


STORE_IN_USE = "this store already has users, and only an admin profile creates more"
NO_KEYRING_TO_REMEMBER = (
    "cannot remember the sign-in: there is no usable keyring on this system, so the token "
    "would be lost when Switchboard closes"
)


def remember_period() -> timedelta:
    """How long a "remember me" lasts: 30 days, or ``$SWITCHBOARD_REMEMBER_DAYS``."""
    configured = os.environ.get(REMEMBER_DAYS_ENV, "").strip()
    if not configured:
        return timedelta(days=DEFAULT_REMEMBER_DAYS)
    if not configured.isdecimal() or not 1 <= int(configured) <= 3650:
        raise AccountError(
            f"${REMEMBER_DAYS_ENV} must be a whole number of days from 1 to 3650, "
            f"not {configured!r}"
        )
    return timedelta(days=int(configured))


def validated_new_user(login: str, display_name: str, password: str) -> tuple[str, str]:
    """The login and display name as stored, or :class:`AccountError` on the first bad one;
    checked before a new encrypted store is keyed by the password too."""
    login = _validated_login(login)
    display_name = _required("display name", display_name, 200)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    return login, display_name


def validated_draft(draft: ProfileDraft) -> ProfileDraft:
    """The draft trimmed and normalised, or :class:`AccountError` naming the first bad field."""
    email = draft.email.strip().lower()
    if len(email) > 320 or not EMAIL_PATTERN.fullmatch(email):
        raise AccountError(f"{draft.email!r} is not an email address")
    phone = draft.phone.strip()
    if len(phone) > 64 or not PHONE_PATTERN.fullmatch(phone):
        raise AccountError("a phone number may hold only digits, spaces and + ( ) . / -")
    if draft.colour is not None and not COLOUR_PATTERN.fullmatch(draft.colour):
        raise AccountError(
            f"A colour is written as # and six hexadecimal digits, like {DEFAULT_COLOUR}, "
            f"not {draft.colour!r}."
        )
    if draft.imap_port is not None and not 1 <= draft.imap_port <= 65535:
        raise AccountError(f"the IMAP port must be between 1 and 65535, not {draft.imap_port}")
    if draft.imap_security not in IMAP_SECURITY_MODES:
        raise AccountError(f"IMAP security must be one of: {', '.join(IMAP_SECURITY_MODES)}")
    return replace(
        draft,
        organization=_required("organization", draft.organization, 200),
        email=email,
        title=_bounded("title", draft.title.strip(), 200),
        phone=phone,
        colour=draft.colour.lower() if draft.colour is not None else None,
        imap_host=_optional("IMAP host", draft.imap_host, 255),
        imap_user=_optional("IMAP user", draft.imap_user, 320),
        ca_file=_optional("CA file", draft.ca_file, 4096),
    )


def _validated_login(login: str) -> str:
    if not LOGIN_PATTERN.fullmatch(login):
        raise AccountError(
            f"login {login!r} must be 1-64 lower-case letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    return login


def _required(name: str, value: str, limit: int) -> str:
    value = value.strip()
    if not value:
        raise AccountError(f"the {name} must not be empty")
    return _bounded(name, value, limit)


def _bounded(name: str, value: str, limit: int) -> str:
    if len(value) > limit:
        raise AccountError(f"the {name} must be at most {limit} characters")
    return value


def _optional(name: str, value: str | None, limit: int) -> str | None:
    if value is None or not value.strip():
        return None
    return _bounded(name, value.strip(), limit)


def _draft_values(draft: ProfileDraft) -> dict[str, object]:
    """The draft's columns; an unset colour is left out, to be chosen or kept."""
    values = {f.name: getattr(draft, f.name) for f in fields(ProfileDraft)}
    if draft.colour is None:
        del values["colour"]
    return values


def _free_colour(session: Session, user_id: int) -> str:
    """Read under the profiles lock, so two profiles created at once get different colours."""
    used = session.scalars(select(Profile.colour).where(Profile.user_id == user_id))
    return next_colour(used)


def _profile_info(profile: Profile) -> ProfileInfo:
    return ProfileInfo(
        id=profile.id,
        user_id=profile.user_id,
        support_id=profile.support_id,
        role=profile.role,
        **{f.name: getattr(profile, f.name) for f in fields(ProfileDraft)},
    )


def _refuse_taken_email(session: Session, email: str, own_profile_id: int | None) -> None:
    taken = session.scalar(select(Profile.id).where(Profile.email == email))
    if taken is not None and taken != own_profile_id:
        raise AccountError(f"the email address {email} is already used by another profile")


def _lock_table(session: Session, table: str) -> None:
    """Serialize check-then-insert on PostgreSQL; on SQLite the write lock already does it."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE"))


def _is_bootstrap(session: Session, user_id: int) -> bool:
    """No admin profile yet, and this is the store's first user: its profile becomes admin."""
    if session.scalar(select(Profile.id).where(Profile.role == Role.ADMIN).limit(1)) is not None:
        return False
    return session.scalar(select(func.min(User.id))) == user_id


def _locked_admin_profiles(session: Session) -> list[int]:
    """The admin profiles' ids, locked until the transaction ends, for the last-admin rule."""
    return list(
        session.scalars(
            select(Profile.id)
            .where(Profile.role == Role.ADMIN)
            .order_by(Profile.id)
            .with_for_update()
        )
    )


def _unused_support_id(session: Session) -> int:
    while True:
        candidate = csprng.randbelow(SUPPORT_ID_SPACE)
        if session.scalar(select(Profile.id).where(Profile.support_id == candidate)) is None:
            return candidate


def _token_hash(token: str) -> str:
    """Tokens are 256 random bits, so a plain SHA-256 suffices (no guessing to slow down)."""
    return hashlib.sha256(token.encode()).hexdigest()
