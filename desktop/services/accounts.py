"""Users, their profiles, signing in once, and support-ID look-ups: shared by the CLI and GUI.

Every method opens its own unit of work and returns plain dataclasses, so callers never hold a
session or an ORM object across threads. Password hashing runs outside any transaction: it is
deliberately slow, and on SQLite a transaction holds the store's write lock.
"""

from __future__ import annotations

import hashlib
import re
import secrets as csprng
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from desktop.core.roles import Action, Role
from desktop.core.throttle import delay_after
from desktop.services.audit_events import Outcome, add_event, record_event
from desktop.services.authorization import Authorizer, SignedInUser, gated, without_actor
from desktop.services.errors import (
    AccountError,
    NotFoundError,
    SignInThrottledError,
    UnknownUserError,
    WrongPasswordError,
)
from desktop.services.passwords import PasswordHashing
from desktop.services.secrets import SecretStore
from desktop.store.models import Profile, RememberedSignIn, User
from desktop.store.models.base import utcnow
from desktop.store.session import SessionFactory, unit_of_work

LOGIN_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
PHONE_PATTERN = re.compile(r"[0-9+()./ -]*")
COLOUR_PATTERN = re.compile(r"#[0-9a-fA-F]{6}")
IMAP_SECURITY_MODES = ("ssl", "starttls", "none")
MIN_PASSWORD_LENGTH = 8
SUPPORT_ID_SPACE = 2**32
SUPPORT_ID_ATTEMPTS = 16
DEFAULT_COLOUR = "#3b82f6"


@dataclass(frozen=True)
class UserInfo:
    id: int
    login: str
    display_name: str


@dataclass(frozen=True, kw_only=True)
class ProfileDraft:
    """What a person types to make or change a profile; validated by the service."""

    organization: str
    email: str
    role: Role = Role.MEMBER
    title: str = ""
    phone: str = ""
    colour: str = DEFAULT_COLOUR
    imap_host: str | None = None
    imap_port: int | None = None
    imap_security: str = "ssl"
    imap_user: str | None = None
    ca_file: str | None = None


@dataclass(frozen=True, kw_only=True)
class ProfileInfo(ProfileDraft):
    id: int
    user_id: int
    support_id: int

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
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._session_factory = session_factory
        self._secrets = secrets
        self._authorizer = authorizer
        self._hashing = hashing
        self._clock = clock

    def create_user(self, login: str, display_name: str, password: str) -> UserInfo:
        login = _validated_login(login)
        display_name = _required("display name", display_name, 200)
        if len(password) < MIN_PASSWORD_LENGTH:
            raise AccountError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
        password_hash = self._hashing.hash(password)
        try:
            with unit_of_work(self._session_factory) as session:
                if session.scalar(select(User.id).where(User.login == login)) is not None:
                    raise AccountError(f"a user with login {login!r} already exists")
                user = User(login=login, display_name=display_name, password_hash=password_hash)
                session.add(user)
                session.flush()
                add_event(
                    session,
                    user_id=user.id,
                    profile_id=None,
                    action="create user",
                    target=f"user {login}",
                )
                return UserInfo(user.id, user.login, user.display_name)
        except IntegrityError as error:
            raise AccountError(f"a user with login {login!r} already exists") from error

    @without_actor("signing in is how an actor comes to be")
    def sign_in(self, login: str, password: str, *, remember: bool = False) -> SignedInUser:
        """Check the password; with ``remember`` keep a token in the keyring for next time.

        Raises :class:`SignInThrottledError` instead of waiting when the login has had too many
        wrong passwords, so that the GUI thread never sleeps.
        """
        with unit_of_work(self._session_factory) as session:
            user = session.scalar(select(User).where(User.login == login))
            if user is None:
                raise UnknownUserError(f"no user with login {login!r}")
            blocked_until = user.sign_in_blocked_until
            user_id, password_hash = user.id, user.password_hash
        now = self._clock()
        if blocked_until is not None and blocked_until > now:
            record_event(
                self._session_factory,
                user_id=user_id,
                profile_id=None,
                action="sign in",
                target=f"user {login}",
                outcome=Outcome.DENIED,
            )
            raise SignInThrottledError(login, (blocked_until - now).total_seconds())
        if not self._hashing.verify(password_hash, password):
            self._record_wrong_password(user_id, login)
            raise WrongPasswordError(f"wrong password for {login!r}")
        token = csprng.token_urlsafe(32) if remember else None
        if token is not None:
            self._secrets.set_remember_token(login, token)
        with unit_of_work(self._session_factory) as session:
            session.execute(
                update(User)
                .where(User.id == user_id)
                .values(failed_sign_ins=0, sign_in_blocked_until=None)
            )
            if token is not None:
                session.add(RememberedSignIn(user_id=user_id, token_hash=_token_hash(token)))
            return self._signed_in(session, user_id, "sign in")

    @without_actor("signing in is how an actor comes to be")
    def sign_in_remembered(self, login: str) -> SignedInUser | None:
        """Sign in with the token kept by "remember me", or None when there is none (or stale)."""
        with unit_of_work(self._session_factory) as session:
            if session.scalar(select(User.id).where(User.login == login)) is None:
                raise UnknownUserError(f"no user with login {login!r}")
        token = self._secrets.get_remember_token(login)
        if token is None:
            return None
        with unit_of_work(self._session_factory) as session:
            user_id = session.scalar(
                select(User.id)
                .join(RememberedSignIn, RememberedSignIn.user_id == User.id)
                .where(User.login == login, RememberedSignIn.token_hash == _token_hash(token))
            )
            if user_id is not None:
                return self._signed_in(session, user_id, "sign in (remembered)")
        self._secrets.delete_remember_token(login)
        return None

    def sign_out(self, actor: SignedInUser) -> None:
        """End the app session and forget this machine's "remember me", if any."""
        token = self._secrets.get_remember_token(actor.login)
        with unit_of_work(self._session_factory) as session:
            if token is not None:
                session.execute(
                    delete(RememberedSignIn).where(
                        RememberedSignIn.token_hash == _token_hash(token)
                    )
                )
            add_event(
                session,
                user_id=actor.user_id,
                profile_id=actor.active_profile_id,
                action="sign out",
                target=f"user {actor.login}",
            )
        self._secrets.delete_remember_token(actor.login)

    def switch_profile(self, actor: SignedInUser, profile_id: int) -> SignedInUser:
        with unit_of_work(self._session_factory) as session:
            owner = session.scalar(select(Profile.user_id).where(Profile.id == profile_id))
        if owner != actor.user_id:
            raise NotFoundError(f"{actor.login} has no profile {profile_id}")
        return actor.with_active_profile(profile_id)

    @gated(Action.MANAGE_OWN_PROFILES, target="profiles")
    def list_profiles(self, actor: SignedInUser) -> list[ProfileInfo]:
        with unit_of_work(self._session_factory) as session:
            profiles = session.scalars(
                select(Profile).where(Profile.user_id == actor.user_id).order_by(Profile.id)
            )
            return [_profile_info(profile) for profile in profiles]

    @gated(Action.MANAGE_OWN_PROFILES, target="new profile")
    def create_profile(self, actor: SignedInUser, draft: ProfileDraft) -> ProfileInfo:
        """Add a profile to the signed-in user, with a fresh random 32-bit support ID."""
        draft = validated_draft(draft)
        for _attempt in range(SUPPORT_ID_ATTEMPTS):
            try:
                with unit_of_work(self._session_factory) as session:
                    _refuse_taken_email(session, draft.email, None)
                    profile = Profile(
                        user_id=actor.user_id,
                        support_id=_unused_support_id(session),
                        **_draft_values(draft),
                    )
                    session.add(profile)
                    session.flush()
                    add_event(
                        session,
                        user_id=actor.user_id,
                        profile_id=actor.active_profile_id,
                        action="create profile",
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

    @gated(
        Action.MANAGE_OWN_PROFILES,
        profile="profile_id",
        other_user=Action.DELETE_OTHER_USERS_PROFILE,
    )
    def delete_profile(self, actor: SignedInUser, profile_id: int) -> None:
        """Delete a profile of one's own, or (admins only) of another user, and its secret."""
        target = f"profile {profile_id}"
        with unit_of_work(self._session_factory) as session:
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
        self._secrets.delete_password(profile_id)

    @gated(Action.LOOK_UP_ANY_SUPPORT_ID, target="support ID {support_id}")
    def look_up_support_id(self, actor: SignedInUser, support_id: int) -> SupportIdOwner:
        """Which user and profile own a support ID: for admins helping someone on the phone."""
        target = f"support ID {support_id}"
        with unit_of_work(self._session_factory) as session:
            row = session.execute(
                select(Profile, User)
                .join(User, Profile.user_id == User.id)
                .where(Profile.support_id == support_id)
            ).first()
            found = row is not None
            add_event(
                session,
                user_id=actor.user_id,
                profile_id=actor.active_profile_id,
                action="look up support ID",
                target=target,
                outcome=Outcome.OK if found else Outcome.FAILED,
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

    def login_owning_support_id(self, support_id: int) -> str | None:
        """The login that must sign in to act on this profile (used to default the CLI's user)."""
        with unit_of_work(self._session_factory) as session:
            return session.scalar(
                select(User.login)
                .join(Profile, Profile.user_id == User.id)
                .where(Profile.support_id == support_id)
            )

    def profile_id_for_support_id(self, support_id: int) -> int:
        with unit_of_work(self._session_factory) as session:
            profile_id = session.scalar(select(Profile.id).where(Profile.support_id == support_id))
        if profile_id is None:
            raise NotFoundError(f"no profile has support ID {support_id}")
        return profile_id

    @gated(Action.MANAGE_OWN_SERVER_PASSWORDS, profile="profile_id")
    def set_server_password(self, actor: SignedInUser, profile_id: int, password: str) -> None:
        """Keep a profile's mail server password in the keyring (blocks: use a worker thread)."""
        self._secrets.set_password(profile_id, password)

    @gated(Action.MANAGE_OWN_SERVER_PASSWORDS, profile="profile_id")
    def server_password(self, actor: SignedInUser, profile_id: int) -> str | None:
        """A profile's mail server password (blocks: use a worker thread)."""
        return self._secrets.get_password(profile_id)

    def _record_wrong_password(self, user_id: int, login: str) -> None:
        with unit_of_work(self._session_factory) as session:
            failures = session.scalar(
                update(User)
                .where(User.id == user_id)
                .values(failed_sign_ins=User.failed_sign_ins + 1)
                .returning(User.failed_sign_ins)
            )
            delay = delay_after(failures or 0)
            if delay:
                session.execute(
                    update(User)
                    .where(User.id == user_id)
                    .values(sign_in_blocked_until=self._clock() + delay)
                )
            add_event(
                session,
                user_id=user_id,
                profile_id=None,
                action="sign in",
                target=f"user {login}",
                outcome=Outcome.FAILED,
            )

    def _signed_in(self, session: Session, user_id: int, action: str) -> SignedInUser:
        user = session.get_one(User, user_id)
        first_profile = session.scalar(
            select(Profile.id).where(Profile.user_id == user_id).order_by(Profile.id).limit(1)
        )
        add_event(
            session, user_id=user_id, profile_id=None, action=action, target=f"user {user.login}"
        )
        return SignedInUser(user.id, user.login, user.display_name, first_profile)


def validated_draft(draft: ProfileDraft) -> ProfileDraft:
    """The draft trimmed and normalised, or :class:`AccountError` naming the first bad field."""
    email = draft.email.strip().lower()
    if len(email) > 320 or not EMAIL_PATTERN.fullmatch(email):
        raise AccountError(f"{draft.email!r} is not an email address")
    if not isinstance(draft.role, Role):
        raise AccountError(f"role must be one of: {', '.join(role.value for role in Role)}")
    phone = draft.phone.strip()
    if len(phone) > 64 or not PHONE_PATTERN.fullmatch(phone):
        raise AccountError("a phone number may hold only digits, spaces and + ( ) . / -")
    if not COLOUR_PATTERN.fullmatch(draft.colour):
        raise AccountError(f"colour must look like {DEFAULT_COLOUR}, not {draft.colour!r}")
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
        colour=draft.colour.lower(),
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
    return {f.name: getattr(draft, f.name) for f in fields(ProfileDraft)}


def _profile_info(profile: Profile) -> ProfileInfo:
    return ProfileInfo(
        id=profile.id,
        user_id=profile.user_id,
        support_id=profile.support_id,
        **{f.name: getattr(profile, f.name) for f in fields(ProfileDraft)},
    )


def _refuse_taken_email(session: Session, email: str, own_profile_id: int | None) -> None:
    taken = session.scalar(select(Profile.id).where(Profile.email == email))
    if taken is not None and taken != own_profile_id:
        raise AccountError(f"the email address {email} is already used by another profile")


def _unused_support_id(session: Session) -> int:
    while True:
        candidate = csprng.randbelow(SUPPORT_ID_SPACE)
        if session.scalar(select(Profile.id).where(Profile.support_id == candidate)) is None:
            return candidate


def _token_hash(token: str) -> str:
    """Tokens are 256 random bits, so a plain SHA-256 suffices (no guessing to slow down)."""
    return hashlib.sha256(token.encode()).hexdigest()
