"""What each profile role may do: one table, read by every service call.

The check is made against the role of the *active* profile, never the best role the person holds:
a doctor who is an admin at one hospital and a member at another must not carry admin powers
into the member account just because both belong to the same sign-in.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping


class Role(enum.StrEnum):
    MEMBER = "member"
    ADMIN = "admin"


class Action(enum.StrEnum):
    READ_OWN_MAIL = "read own mail"
    SEND_OWN_MAIL = "send own mail"
    MANAGE_OWN_PROFILES = "manage own profiles"
    MANAGE_OWN_SERVER_PASSWORDS = "manage own server passwords"
    READ_OWN_ACTIVITY = "read own activity"
    LOOK_UP_ANY_SUPPORT_ID = "look up the profile behind any support ID"
    READ_AUDIT_LOG = "read the audit log of every user"
    DELETE_OTHER_USERS_PROFILE = "delete a profile of another user"
    CREATE_USER = "create a user"
    SET_ROLE = "set the role of a profile"
    SWITCH_OWN_PROFILE = "switch to one of own profiles"
    SIGN_OUT = "sign out"


PERMISSIONS: Mapping[Action, frozenset[Role]] = {
    Action.READ_OWN_MAIL: frozenset({Role.MEMBER, Role.ADMIN}),
    Action.SEND_OWN_MAIL: frozenset({Role.MEMBER, Role.ADMIN}),
    Action.MANAGE_OWN_PROFILES: frozenset({Role.MEMBER, Role.ADMIN}),
    Action.MANAGE_OWN_SERVER_PASSWORDS: frozenset({Role.MEMBER, Role.ADMIN}),
    Action.READ_OWN_ACTIVITY: frozenset({Role.MEMBER, Role.ADMIN}),
    Action.LOOK_UP_ANY_SUPPORT_ID: frozenset({Role.ADMIN}),
    Action.READ_AUDIT_LOG: frozenset({Role.ADMIN}),
    Action.DELETE_OTHER_USERS_PROFILE: frozenset({Role.ADMIN}),
    Action.CREATE_USER: frozenset({Role.ADMIN}),
    Action.SET_ROLE: frozenset({Role.ADMIN}),
    Action.SWITCH_OWN_PROFILE: frozenset({Role.MEMBER, Role.ADMIN}),
    Action.SIGN_OUT: frozenset({Role.MEMBER, Role.ADMIN}),
}
"""Roles are only ever set by an admin (``SET_ROLE``), never by the profile's own form: like
PostgreSQL's ``CREATEROLE``, the power to grant a role is itself a role, so no member can raise
itself. The one exception is the bootstrap: the first profile of a store with no admin."""


NO_PROFILE_ACTIONS = frozenset(
    {Action.MANAGE_OWN_PROFILES, Action.SWITCH_OWN_PROFILE, Action.SIGN_OUT}
)
"""A user who has no profile yet may only create one (and end the session): there is no role
to act with."""


def is_allowed(role: Role | None, action: Action) -> bool:
    """Whether the active profile's role (None: the user has no profile yet) permits ``action``."""
    if role is None:
        return action in NO_PROFILE_ACTIONS
    return role in PERMISSIONS[action]
