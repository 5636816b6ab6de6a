"""Every entry point of ``desktop.services`` passes the one gate, found by introspection.

An entry point is a public function, or a public method of a class, that can reach the store: it
(or its class's constructor) takes a session factory, a session, an engine or the authorizer.
Each must declare a rule with ``gated`` or say with ``without_actor`` why it needs no one; then
each rule is called as a user whose active profile is an admin, a member, or who has no profile,
and must be refused exactly where the roles table refuses, with the refusal audited. The gate
runs before the body, so every argument but the actor (and a profile id, which is the actor's
own) can be a dummy.
"""

from __future__ import annotations

import ast
import contextlib
import importlib
import inspect
import pkgutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields
from functools import cached_property
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

import desktop as desktop_package
import desktop.services
from desktop.core.roles import Action, Role, is_allowed
from desktop.services.accounts import ProfileDraft
from desktop.services.authorization import (
    Internal,
    Rule,
    SignedInUser,
    WithoutActor,
    gate_of,
)
from desktop.services.container import Services
from desktop.services.errors import PermissionDeniedError
from desktop.store.models import AuditEvent
from desktop.store.session import unit_of_work

STORE_HANDLES = ("SessionFactory", "Session", "Engine", "Authorizer")
GATE_AND_WIRING = {
    "desktop.services.authorization",
    "desktop.services.audit_events",
    "desktop.services.container",
}
"""The gate itself, the audit writes below it, and the wiring that builds the services."""
PASSWORD = "correct horse battery"


@dataclass(frozen=True)
class EntryPoint:
    name: str
    function: Callable[..., Any]
    owner: type | None


def _reaches_store(function: Callable[..., Any]) -> bool:
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(
        any(handle in str(parameter.annotation) for handle in STORE_HANDLES)
        for parameter in parameters
    )


def _entry_points() -> Iterator[EntryPoint]:
    for module_info in pkgutil.walk_packages(desktop.services.__path__, "desktop.services."):
        if module_info.name in GATE_AND_WIRING:
            continue
        module = importlib.import_module(module_info.name)
        for name, member in vars(module).items():
            if name.startswith("_") or getattr(member, "__module__", None) != module.__name__:
                continue
            if inspect.isfunction(member) and _reaches_store(member):
                yield EntryPoint(f"{module.__name__}.{name}", member, None)
            elif inspect.isclass(member) and _reaches_store(member.__init__):
                for method_name, method in vars(member).items():
                    if not method_name.startswith("_") and inspect.isfunction(method):
                        yield EntryPoint(f"{module.__name__}.{name}.{method_name}", method, member)


ENTRY_POINTS = sorted(_entry_points(), key=lambda entry: entry.name)
GATED = [entry for entry in ENTRY_POINTS if isinstance(gate_of(entry.function), Rule)]


def _rule(entry: EntryPoint) -> Rule:
    rule = gate_of(entry.function)
    assert isinstance(rule, Rule)
    return rule


def test_the_walk_finds_the_known_entry_points() -> None:
    names = {entry.name for entry in ENTRY_POINTS}
    assert "desktop.services.accounts.AccountsService.look_up_support_id" in names
    assert "desktop.services.mail.mailbox.Mailbox.page" in names
    assert "desktop.services.audit.AuditService.list_events" in names


def test_every_entry_point_declares_its_rule() -> None:
    undeclared = {entry.name for entry in ENTRY_POINTS if gate_of(entry.function) is None}
    assert undeclared == set()


def test_every_entry_point_without_an_actor_says_why() -> None:
    for entry in ENTRY_POINTS:
        declared = gate_of(entry.function)
        if isinstance(declared, WithoutActor | Internal):
            assert len(declared.reason) > 10, entry.name


@dataclass(frozen=True)
class Actors:
    by_role: dict[Role | None, SignedInUser]


@pytest.fixture
def actors(services: Services) -> Actors:
    accounts = services.accounts
    accounts.create_first_user("ada", "Ada", PASSWORD)
    ada = accounts.sign_in("ada", PASSWORD)
    admin = accounts.create_profile(
        ada, ProfileDraft(organization="St Mary", email="ada@stmary.org")
    )
    assert admin.role is Role.ADMIN
    ada = ada.with_active_profile(admin.id)
    member = accounts.create_profile(
        ada, ProfileDraft(organization="Clinic", email="ada@clinic.org")
    )
    assert member.role is Role.MEMBER
    spare = accounts.create_profile(ada, ProfileDraft(organization="Lab", email="ada@lab.org"))
    accounts.set_role(ada, spare.id, Role.ADMIN)  # so no call here meets the last-admin rule
    accounts.create_user(ada, "cleo", "Cleo", PASSWORD)
    cleo = accounts.sign_in("cleo", PASSWORD)
    return Actors(
        {
            Role.ADMIN: ada,
            Role.MEMBER: ada.with_active_profile(member.id),
            None: cleo,
        }
    )


def _denials(services: Services) -> int:
    with unit_of_work(services.session_factory) as session:
        return (
            session.scalar(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.outcome == "denied")
            )
            or 0
        )


def _call_as(
    services: Services, entry: EntryPoint, actor: SignedInUser, flags: bool = False
) -> None:
    rule = gate_of(entry.function)
    assert isinstance(rule, Rule)
    built_later = [
        name for name, kind in vars(Services).items() if isinstance(kind, cached_property)
    ]
    built = [getattr(services, name) for name in [f.name for f in fields(services)] + built_later]
    instances = {type(instance): instance for instance in built}
    arguments: dict[str, Any] = {}
    for name, parameter in inspect.signature(entry.function).parameters.items():
        if name == "self":
            assert entry.owner in instances, f"{entry.owner} is not built by the container"
            arguments[name] = instances[entry.owner]
        elif name == "actor":
            arguments[name] = actor
        elif name == "authorizer":
            arguments[name] = services.authorizer
        elif name == rule.profile:
            arguments[name] = actor.active_profile_id or 10**9
        elif name in rule.when:
            arguments[name] = flags
        elif parameter.default is inspect.Parameter.empty:
            arguments[name] = None
    entry.function(**arguments)


@pytest.mark.parametrize("role", [Role.ADMIN, Role.MEMBER, None], ids=str)
@pytest.mark.parametrize("entry", GATED, ids=lambda entry: entry.name.split(".", 2)[-1])
def test_each_gated_entry_point_follows_the_roles_table(
    services: Services, actors: Actors, entry: EntryPoint, role: Role | None
) -> None:
    rule = gate_of(entry.function)
    assert isinstance(rule, Rule)
    before = _denials(services)
    if role is None and rule.profile is not None:
        with pytest.raises(PermissionDeniedError):
            _call_as(services, entry, _with_someone_elses_profile(actors))
        assert _denials(services) == before + 1
    elif is_allowed(role, rule.action):
        with contextlib.suppress(Exception):  # dummy arguments fail in the body, past the gate
            try:
                _call_as(services, entry, actors.by_role[role])
            except PermissionDeniedError:
                pytest.fail(f"{entry.name} refused a {role} profile that the table allows")
        assert _denials(services) == before
    else:
        with pytest.raises(PermissionDeniedError):
            _call_as(services, entry, actors.by_role[role])
        assert _denials(services) == before + 1


def _with_someone_elses_profile(actors: Actors) -> SignedInUser:
    """Cleo (no profile) naming Ada's member profile: refused without other_user, or by role."""
    cleo = actors.by_role[None]
    return SignedInUser(
        cleo.user_id, cleo.login, cleo.display_name, actors.by_role[Role.MEMBER].active_profile_id
    )


FLAGGED = [entry for entry in GATED if _rule(entry).when]


def test_some_entry_point_has_a_flag_that_needs_more() -> None:
    """Every reading of the audit: one's own activity for every role, everyone's for admins."""
    audit = "desktop.services.audit.AuditService"
    readers = {f"{audit}.{name}" for name in ("list_events", "find_events", "find_connections")}
    assert readers <= {entry.name for entry in FLAGGED}
    for entry in FLAGGED:
        if entry.name in readers:
            rule = _rule(entry)
            assert rule.action is Action.READ_OWN_ACTIVITY
            assert dict(rule.when) == {"everyone": Action.READ_AUDIT_LOG}


@pytest.mark.parametrize("role", [Role.ADMIN, Role.MEMBER, None], ids=str)
@pytest.mark.parametrize("entry", FLAGGED, ids=lambda entry: entry.name.split(".", 2)[-1])
def test_a_flag_needs_the_action_it_names(
    services: Services, actors: Actors, entry: EntryPoint, role: Role | None
) -> None:
    """``everyone=True`` on the audit listing needs the admin action, not the plain one."""
    rule = gate_of(entry.function)
    assert isinstance(rule, Rule)
    needed = next(iter(rule.when.values()))
    before = _denials(services)
    if is_allowed(role, needed):
        with contextlib.suppress(Exception):
            try:
                _call_as(services, entry, actors.by_role[role], flags=True)
            except PermissionDeniedError:
                pytest.fail(f"{entry.name} with its flag refused a {role} profile")
        assert _denials(services) == before
    else:
        with pytest.raises(PermissionDeniedError):
            _call_as(services, entry, actors.by_role[role], flags=True)
        assert _denials(services) == before + 1


def test_the_first_user_needs_no_one_and_later_users_need_an_admin(
    services: Services, actors: Actors
) -> None:
    """``create_first_user`` is the only way in without an actor, and only into an empty store;
    ``create_user`` is gated (the matrix above refuses member and no-profile actors)."""
    before = _denials(services)
    with pytest.raises(PermissionDeniedError, match="already has users"):
        services.accounts.create_first_user("mallory", "Mallory", PASSWORD)
    assert _denials(services) == before + 1
    for role in (Role.MEMBER, None):
        with pytest.raises(PermissionDeniedError):
            services.accounts.create_user(actors.by_role[role], "mallory", "Mallory", PASSWORD)
    assert _denials(services) == before + 3
    made = services.accounts.create_user(actors.by_role[Role.ADMIN], "dan", "Dan", PASSWORD)
    assert made.login == "dan"


def _imported_names(folder: Path) -> Iterator[tuple[Path, str]]:
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and node.module:
                yield from ((path, f"{node.module}.{alias.name}") for alias in node.names)


def test_the_window_and_the_command_line_never_call_a_building_block() -> None:
    """What trusts its caller stays behind the services that check: no GUI or CLI import."""
    internal_owners = {
        entry.name.rsplit(".", 1)[0] if entry.owner is not None else entry.name
        for entry in ENTRY_POINTS
        if isinstance(gate_of(entry.function), Internal)
    }
    internal_owners -= {
        entry.name.rsplit(".", 1)[0]
        for entry in ENTRY_POINTS
        if entry.owner is not None and not isinstance(gate_of(entry.function), Internal)
    }
    package = Path(desktop_package.__file__).parent
    reached = [
        f"{path.relative_to(package)}: {name}"
        for folder in ("gui", "cli")
        for path, name in _imported_names(package / folder)
        if name in internal_owners
    ]
    assert internal_owners
    assert reached == []
