"""Mail-side settings of a profile that the accounts service does not hold, and lookups by email.

``allow_plaintext`` and ``protocol_log`` loosen privacy, so they live in their own table, are off
unless set here explicitly, and are cleared again by setting them to False.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from desktop.store.models import MailServerOption, Profile, User
from desktop.store.session import SessionFactory, unit_of_work


@dataclass(frozen=True)
class ProfileOwner:
    profile_id: int
    email: str
    user_id: int
    login: str


def profile_owner(session_factory: SessionFactory, email: str) -> ProfileOwner | None:
    """Which user holds the profile with this email (case-insensitive), for CLI sign-in."""
    with unit_of_work(session_factory) as session:
        row = session.execute(
            select(Profile.id, Profile.email, User.id, User.login)
            .join(User, Profile.user_id == User.id)
            .where(func.lower(Profile.email) == email.strip().lower())
        ).first()
    return ProfileOwner(*row) if row is not None else None


def set_server_options(
    session_factory: SessionFactory,
    profile_id: int,
    *,
    allow_plaintext: bool,
    protocol_log: bool,
) -> None:
    with unit_of_work(session_factory) as session:
        options = session.get(MailServerOption, profile_id)
        if options is None:
            options = MailServerOption(profile_id=profile_id)
            session.add(options)
        options.allow_plaintext = allow_plaintext
        options.protocol_log = protocol_log
