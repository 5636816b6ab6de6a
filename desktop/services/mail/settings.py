"""Mail-side settings of a profile that the accounts service does not hold, and lookups by email.

``allow_plaintext`` and ``protocol_log`` loosen privacy, so they live in their own table, are off
unless set here explicitly (by the profile's owner, audited), and are cleared again by setting
them to False.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from desktop.core.roles import Action
from desktop.services.audit_events import add_event
from desktop.services.authorization import Authorizer, SignedInUser, gated, without_actor
from desktop.store.models import MailServerOption, Profile, User
from desktop.store.session import SessionFactory, unit_of_work


@dataclass(frozen=True)
class ProfileOwner:
    """Who must sign in for a profile: the login only, as a sign-in screen would show it."""

    email: str
    login: str


@without_actor(
    "tells only which login must sign in for a profile's email, as the sign-in screen lists "
    "every login anyway (user_directory.list_users); acting on the profile needs its password"
)
def profile_owner(session_factory: SessionFactory, email: str) -> ProfileOwner | None:
    """Which user holds the profile with this email (case-insensitive), for CLI sign-in."""
    with unit_of_work(session_factory) as session:
        row = session.execute(
            select(Profile.email, User.login)
            .join(User, Profile.user_id == User.id)
            .where(func.lower(Profile.email) == email.strip().lower())
        ).first()
    return ProfileOwner(*row) if row is not None else None


@gated(Action.MANAGE_OWN_PROFILES, profile="profile_id")
def set_server_options(
    session_factory: SessionFactory,
    authorizer: Authorizer,
    actor: SignedInUser,
    profile_id: int,
    *,
    allow_plaintext: bool,
    protocol_log: bool,
) -> None:
    """Set (or clear) the privacy-loosening options of one of the actor's own profiles."""
    with unit_of_work(session_factory) as session:
        options = session.get(MailServerOption, profile_id)
        if options is None:
            options = MailServerOption(profile_id=profile_id)
            session.add(options)
        options.allow_plaintext = allow_plaintext
        options.protocol_log = protocol_log
        add_event(
            session,
            user_id=actor.user_id,
            profile_id=actor.active_profile_id,
            action="set server options",
            target=f"profile {profile_id} (plaintext {'allowed' if allow_plaintext else 'refused'}"
            f", protocol log {'on' if protocol_log else 'off'})",
        )
