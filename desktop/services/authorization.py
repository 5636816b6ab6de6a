"""Who is signed in, and the one gate every service entry point passes.

Each public entry point of ``desktop.services`` that can reach the store declares its rule with
:func:`gated`, or says why it needs none: :func:`without_actor` (signing in, the login list) or
:func:`internal` (a building block that only gated services call). The rule is
checked by the wrapper *before* the body runs, by one :class:`Authorizer`, so a check cannot be
forgotten half-way down a function, and ``tests/services/test_gate.py`` finds every entry point by
introspection: a new one without a declaration fails the suite.

The check reads the role of the *active* profile from the store at each call, so that switching
profiles (or an admin demoting a profile) takes effect at once and a user's best role elsewhere
never leaks into the profile they are acting as. Refusals are audited (who, acting profile,
action, target) in their own transaction, since the refused call's work never starts.
"""

from __future__ import annotations

import contextvars
import functools
import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, NoReturn, ParamSpec, TypeVar

from sqlalchemy import ScalarSelect, select

from desktop.core.roles import Action, Role, is_allowed
from desktop.services.audit_events import Outcome, record_event_soon
from desktop.services.errors import NotFoundError, PermissionDeniedError
from desktop.store.models import Profile
from desktop.store.session import SessionFactory, read_only

P = ParamSpec("P")
R = TypeVar("R")

GATE_ATTRIBUTE = "__gate__"


@dataclass(frozen=True)
class SignedInUser:
    """The app session of one person: every profile of theirs is unlocked, one is active."""

    user_id: int
    login: str
    display_name: str
    active_profile_id: int | None

    def with_active_profile(self, profile_id: int | None) -> SignedInUser:
        return replace(self, active_profile_id=profile_id)


@dataclass(frozen=True)
class Rule:
    """What an entry point needs: ``action`` from the active role, and optionally more.

    ``profile`` names the parameter holding a profile id that must be the actor's own; when it
    belongs to another user, ``other_user`` is the action needed instead (without one, refused).
    ``when`` maps a flag parameter to the action needed when that flag is set (``everyone`` on
    an audit listing needs the admin action). ``role_in_body``: the body reads the role itself,
    in its own first statement (see :class:`RoleCheck`).
    """

    action: Action
    profile: str | None = None
    other_user: Action | None = None
    when: Mapping[str, Action] = field(default_factory=dict)
    role_in_body: bool = False

    def actions(self) -> frozenset[Action]:
        extra = {self.other_user} if self.other_user is not None else set()
        return frozenset({self.action, *extra, *self.when.values()})


@dataclass(frozen=True)
class WithoutActor:
    """An entry point that reaches the store without a signed-in user, and why that is safe."""

    reason: str


@dataclass(frozen=True)
class Internal:
    """A building block that trusts its caller: only gated services call it, never the GUI/CLI."""

    reason: str


class _Refused(Exception):
    """Raised by :meth:`RoleCheck.settle` inside the body's transaction, which rolls back."""


class RoleCheck:
    """The gate's check for an entry point whose role is read in the body's own statement.

    Opening a message must be one transaction of a few statements; a separate read of the role
    would double both. Such an entry point (``gated(..., role_in_body=True)``) selects
    :meth:`role_column` beside its data and calls :meth:`settle` with what it read *before* it
    returns or changes anything. The role is still read from the store at every call. A refusal
    rolls the body's transaction back and is audited by the gate once it is over; a body that
    returns without settling fails loudly (the gate test calls every gated entry point).
    """

    def __init__(self, actor: SignedInUser, action: Action) -> None:
        self.actor = actor
        self.action = action
        self.role: Role | None = None
        self.settled = False

    def role_column(self) -> ScalarSelect[Any]:
        """The active profile's role as a scalar subquery (NULL when the actor has none)."""
        return (
            select(Profile.role)
            .where(
                Profile.id == self.actor.active_profile_id, Profile.user_id == self.actor.user_id
            )
            .scalar_subquery()
        )

    def settle(self, role: Role | str | None) -> None:
        """Allow the body to go on, or abort it (the gate then audits the refusal)."""
        self.role = Role(role) if role is not None else None
        self.settled = True
        if not is_allowed(self.role, self.action):
            raise _Refused


_ROLE_CHECK: contextvars.ContextVar[RoleCheck] = contextvars.ContextVar("role_check")


def role_check() -> RoleCheck:
    """The check the gate left for the running ``role_in_body`` entry point."""
    try:
        return _ROLE_CHECK.get()
    except LookupError:
        raise RuntimeError("role_check() outside an entry point gated with role_in_body") from None


class Authorizer:
    """The one place that decides, and audits, whether an actor may do something."""

    def __init__(self, session_factory: SessionFactory) -> None:
        self._session_factory = session_factory

    def active_role(self, actor: SignedInUser) -> Role | None:
        """The active profile's role, or None when the user has no (remaining) active profile."""
        if actor.active_profile_id is None:
            return None
        with read_only(self._session_factory) as session:
            return session.scalar(
                select(Profile.role).where(
                    Profile.id == actor.active_profile_id, Profile.user_id == actor.user_id
                )
            )

    def require(self, actor: SignedInUser, action: Action, target: str = "") -> Role | None:
        """The active role, or :class:`PermissionDeniedError` (audited) unless it allows it."""
        _require_signed_in(actor)
        role = self.active_role(actor)
        if is_allowed(role, action):
            return role
        return self.refuse(actor, action, target, role)

    def refuse(
        self, actor: SignedInUser, action: Action, target: str, role: Role | None
    ) -> NoReturn:
        """Audit and raise the refusal of ``action`` to an actor whose active role is ``role``."""
        acting_as = f"a {role.value} profile" if role is not None else "no profile"
        self.deny(
            actor,
            action,
            target,
            f"{actor.login} acting as {acting_as} may not {action.value}",
            acting_profile=actor.active_profile_id if role is not None else None,
        )

    def require_profile(
        self,
        actor: SignedInUser,
        profile_id: int,
        action: Action,
        *,
        other_user: Action | None = None,
    ) -> None:
        """Allow ``action`` on one of the actor's profiles, ``other_user`` on anyone else's."""
        _require_signed_in(actor)
        target = f"profile {profile_id}"
        with read_only(self._session_factory) as session:
            owner = session.scalar(select(Profile.user_id).where(Profile.id == profile_id))
        if owner is None:
            raise NotFoundError(f"there is no profile {profile_id}")
        if owner == actor.user_id:
            self.require(actor, action, target)
        elif other_user is not None:
            self.require(actor, other_user, target)
        else:
            self.deny(actor, action, target, f"profile {profile_id} belongs to another user")

    def deny(
        self,
        actor: SignedInUser,
        action: Action,
        target: str,
        reason: str,
        *,
        acting_profile: int | None = None,
    ) -> NoReturn:
        """Audit a refusal and raise it; for rules that depend on the data (the last admin).

        The audit names the acting profile only while it is still the actor's: one deleted
        meanwhile (or never theirs) is left out rather than failing the audit entry.
        """
        if acting_profile is None and self.active_role(actor) is not None:
            acting_profile = actor.active_profile_id
        record_event_soon(
            self._session_factory,
            user_id=actor.user_id,
            profile_id=acting_profile,
            action=action.value,
            target=target,
            outcome=Outcome.DENIED,
        )
        raise PermissionDeniedError(reason)


def gated(
    action: Action,
    *,
    profile: str | None = None,
    other_user: Action | None = None,
    when: Mapping[str, Action] | None = None,
    target: str | None = None,
    role_in_body: bool = False,
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Declare an entry point's rule; the wrapper checks it before the body runs.

    The entry point takes an ``actor`` parameter, and finds the authorizer either in an
    ``authorizer`` parameter or in ``self._authorizer``. ``target`` names what is acted on in
    the audit when no profile does (default: the function's name in words).
    """
    rule = Rule(action, profile, other_user, dict(when or {}), role_in_body)

    def decorate(function: Callable[P, R]) -> Callable[P, R]:
        signature = inspect.signature(function)
        for name in ("actor", profile, *rule.when):
            if name is not None and name not in signature.parameters:
                raise TypeError(f"{function.__qualname__} has no parameter {name!r} to check")
        label = target or function.__name__.replace("_", " ")

        @functools.wraps(function)
        def checked(*args: P.args, **kwargs: P.kwargs) -> R:
            arguments = signature.bind(*args, **kwargs).arguments
            authorizer = _authorizer_in(arguments, function)
            actor = arguments["actor"]
            needed = next(
                (rule.when[flag] for flag in rule.when if arguments.get(flag)), rule.action
            )
            if role_in_body:
                _require_signed_in(actor)
                return _checked_in_body(
                    authorizer,
                    RoleCheck(actor, needed),
                    label.format_map(arguments),
                    lambda: function(*args, **kwargs),
                    function.__qualname__,
                )
            if profile is not None and arguments.get(profile) is not None:
                authorizer.require_profile(
                    actor, arguments[profile], needed, other_user=rule.other_user
                )
            else:
                authorizer.require(actor, needed, label.format_map(arguments))
            return function(*args, **kwargs)

        setattr(checked, GATE_ATTRIBUTE, rule)
        return checked

    return decorate


def _checked_in_body(
    authorizer: Authorizer,
    check: RoleCheck,
    target: str,
    call: Callable[[], R],
    name: str,
) -> R:
    """Run a ``role_in_body`` entry point with its check set; audit a refusal once it is over."""
    actor, action = check.actor, check.action
    token = _ROLE_CHECK.set(check)
    try:
        result = call()
    except _Refused:
        authorizer.refuse(actor, action, target, check.role)
    finally:
        _ROLE_CHECK.reset(token)
    if not check.settled:
        raise RuntimeError(f"{name} returned without checking the role")
    return result


def without_actor(reason: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Declare an entry point that needs no signed-in user (signing in, the login list)."""

    def mark(function: Callable[P, R]) -> Callable[P, R]:
        setattr(function, GATE_ATTRIBUTE, WithoutActor(reason))
        return function

    return mark


def internal(reason: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Declare a building block that gated entry points call after their own check."""

    def mark(function: Callable[P, R]) -> Callable[P, R]:
        setattr(function, GATE_ATTRIBUTE, Internal(reason))
        return function

    return mark


def gate_of(function: object) -> Rule | WithoutActor | Internal | None:
    """The declaration an entry point carries, if any (for the introspection test)."""
    declared = getattr(function, GATE_ATTRIBUTE, None)
    return declared if isinstance(declared, Rule | WithoutActor | Internal) else None


def _authorizer_in(arguments: Mapping[str, Any], function: Callable[..., Any]) -> Authorizer:
    found = arguments.get("authorizer")
    if found is None and "self" in arguments:
        found = getattr(arguments["self"], "_authorizer", None)
    if not isinstance(found, Authorizer):
        raise TypeError(f"{function.__qualname__} is gated but reaches no Authorizer")
    return found


def _require_signed_in(actor: object) -> None:
    if not isinstance(actor, SignedInUser):
        raise PermissionDeniedError("sign in first")
