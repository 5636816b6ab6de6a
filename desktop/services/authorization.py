"""Who is signed in, and the one check every service call makes against the roles table.

The check reads the role of the *active* profile from the store at each call, so that switching
profiles (or an admin demoting a profile) takes effect at once and a user's best role elsewhere
never leaks into the profile they are acting as.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from sqlalchemy import select

from desktop.core.roles import Action, Role, is_allowed
from desktop.services.errors import PermissionDeniedError
from desktop.store.models import Profile
from desktop.store.session import SessionFactory, read_only

if TYPE_CHECKING:
    from desktop.services.audit import AuditService


@dataclass(frozen=True)
class SignedInUser:
    """The app session of one person: every profile of theirs is unlocked, one is active."""

    user_id: int
    login: str
    display_name: str
    active_profile_id: int | None

    def with_active_profile(self, profile_id: int | None) -> SignedInUser:
        return replace(self, active_profile_id=profile_id)


def active_role(session_factory: SessionFactory, actor: SignedInUser) -> Role | None:
    """The active profile's role, or None when the user has no (remaining) active profile."""
    if actor.active_profile_id is None:
        return None
    with read_only(session_factory) as session:
        return session.scalar(
            select(Profile.role).where(
                Profile.id == actor.active_profile_id, Profile.user_id == actor.user_id
            )
        )


def require(
    session_factory: SessionFactory,
    audit: AuditService,
    actor: SignedInUser,
    action: Action,
    target: str = "",
) -> None:
    """Raise :class:`PermissionDeniedError` (and audit the denial) unless the role allows it."""
    role = active_role(session_factory, actor)
    if is_allowed(role, action):
        return
    audit.record_denial(
        user_id=actor.user_id,
        profile_id=actor.active_profile_id if role is not None else None,
        action=action.value,
        target=target,
    )
    acting_as = f"a {role.value} profile" if role is not None else "no profile"
    raise PermissionDeniedError(f"{actor.login} acting as {acting_as} may not {action.value}")
