"""The roles table, cell by cell, and the services obeying the active profile's role."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from desktop.core.roles import PERMISSIONS, Action, Role, is_allowed
from desktop.services.accounts import AccountsService, ProfileDraft
from desktop.services.authorization import SignedInUser
from desktop.services.container import Services
from desktop.services.errors import PermissionDeniedError
from desktop.store.models import AuditEvent
from desktop.store.session import unit_of_work

PASSWORD = "correct horse battery"

ALLOW, DENY = True, False
EXPECTED: dict[Action, dict[Role | None, bool]] = {
    Action.READ_OWN_MAIL: {Role.MEMBER: ALLOW, Role.ADMIN: ALLOW, None: DENY},
    Action.SEND_OWN_MAIL: {Role.MEMBER: ALLOW, Role.ADMIN: ALLOW, None: DENY},
    Action.MANAGE_OWN_PROFILES: {Role.MEMBER: ALLOW, Role.ADMIN: ALLOW, None: ALLOW},
    Action.MANAGE_OWN_SERVER_PASSWORDS: {Role.MEMBER: ALLOW, Role.ADMIN: ALLOW, None: DENY},
    Action.READ_OWN_ACTIVITY: {Role.MEMBER: ALLOW, Role.ADMIN: ALLOW, None: DENY},
    Action.LOOK_UP_ANY_SUPPORT_ID: {Role.MEMBER: DENY, Role.ADMIN: ALLOW, None: DENY},
    Action.READ_AUDIT_LOG: {Role.MEMBER: DENY, Role.ADMIN: ALLOW, None: DENY},
    Action.DELETE_OTHER_USERS_PROFILE: {Role.MEMBER: DENY, Role.ADMIN: ALLOW, None: DENY},
    Action.CREATE_USER: {Role.MEMBER: DENY, Role.ADMIN: ALLOW, None: DENY},
    Action.SET_ROLE: {Role.MEMBER: DENY, Role.ADMIN: ALLOW, None: DENY},
    Action.SWITCH_OWN_PROFILE: {Role.MEMBER: ALLOW, Role.ADMIN: ALLOW, None: ALLOW},
    Action.SIGN_OUT: {Role.MEMBER: ALLOW, Role.ADMIN: ALLOW, None: ALLOW},
}
CELLS = [(action, role) for action in Action for role in (Role.MEMBER, Role.ADMIN, None)]


def test_the_expected_table_covers_every_action() -> None:
    assert set(EXPECTED) == set(Action) == set(PERMISSIONS)


@pytest.mark.parametrize(("action", "role"), CELLS, ids=[f"{a.name}-{r}" for a, r in CELLS])
def test_each_cell_of_the_roles_table(action: Action, role: Role | None) -> None:
    assert is_allowed(role, action) is EXPECTED[action][role]


class People:
    """Ada: admin at St Mary, member at the clinic. Bob: member at the clinic."""

    def __init__(self, services: Services) -> None:
        accounts = services.accounts
        accounts.create_first_user("ada", "Ada", PASSWORD)
        ada = accounts.sign_in("ada", PASSWORD)
        self.ada_admin = accounts.create_profile(
            ada, ProfileDraft(organization="St Mary", email="ada@stmary.org")
        )
        self.ada_member = accounts.create_profile(
            ada, ProfileDraft(organization="Clinic", email="ada@clinic.org")
        )
        accounts.create_user(ada.with_active_profile(self.ada_admin.id), "bob", "Bob", PASSWORD)
        bob = accounts.sign_in("bob", PASSWORD)
        self.bob_member = accounts.create_profile(
            bob, ProfileDraft(organization="Clinic", email="bob@clinic.org")
        )
        self.ada = accounts.sign_in("ada", PASSWORD)
        self.bob = accounts.sign_in("bob", PASSWORD)

    def ada_as(self, role: Role) -> SignedInUser:
        profile = self.ada_admin if role is Role.ADMIN else self.ada_member
        return self.ada.with_active_profile(profile.id)


@pytest.fixture
def people(services: Services) -> People:
    return People(services)


def denials(services: Services) -> list[tuple[int | None, int | None, str, str]]:
    with unit_of_work(services.session_factory) as session:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.outcome == "denied").order_by(AuditEvent.id)
        )
        return [(e.user_id, e.profile_id, e.action, e.target) for e in events]


def test_an_admin_profile_looks_up_any_support_id(services: Services, people: People) -> None:
    owner = services.accounts.look_up_support_id(
        people.ada_as(Role.ADMIN), people.bob_member.support_id
    )
    assert (owner.login, owner.email, owner.role) == ("bob", "bob@clinic.org", Role.MEMBER)


def test_admin_powers_are_absent_while_a_member_profile_is_active(
    services: Services, people: People
) -> None:
    member = people.ada_as(Role.MEMBER)
    with pytest.raises(PermissionDeniedError, match="acting as a member profile may not look up"):
        services.accounts.look_up_support_id(member, people.bob_member.support_id)
    with pytest.raises(PermissionDeniedError):
        services.audit.list_events(member, everyone=True)
    with pytest.raises(PermissionDeniedError):
        services.accounts.delete_profile(member, people.bob_member.id)

    assert denials(services) == [
        (
            people.ada.user_id,
            people.ada_member.id,
            Action.LOOK_UP_ANY_SUPPORT_ID.value,
            f"support ID {people.bob_member.support_id}",
        ),
        (people.ada.user_id, people.ada_member.id, Action.READ_AUDIT_LOG.value, "audit log"),
        (
            people.ada.user_id,
            people.ada_member.id,
            Action.DELETE_OTHER_USERS_PROFILE.value,
            f"profile {people.bob_member.id}",
        ),
    ]
    assert [p.email for p in services.accounts.list_profiles(people.bob)] == ["bob@clinic.org"]


def test_an_admin_profile_deletes_a_profile_of_another_user(
    services: Services, people: People
) -> None:
    services.accounts.delete_profile(people.ada_as(Role.ADMIN), people.bob_member.id)
    assert services.accounts.list_profiles(people.bob) == []


def test_members_read_their_own_activity_and_admins_everyones(
    services: Services, people: People
) -> None:
    own = services.audit.list_events(people.bob)
    assert own
    assert {event.login for event in own} == {"bob"}
    everyone = services.audit.list_events(people.ada_as(Role.ADMIN), everyone=True)
    assert {event.login for event in everyone} == {"ada", "bob"}
    assert everyone[0].id > everyone[-1].id


def test_a_user_without_a_profile_may_only_create_one(services: Services) -> None:
    services.accounts.create_first_user("cleo", "Cleo", PASSWORD)
    cleo = services.accounts.sign_in("cleo", PASSWORD)
    assert cleo.active_profile_id is None
    with pytest.raises(PermissionDeniedError, match="acting as no profile may not read own"):
        services.audit.list_events(cleo)
    profile = services.accounts.create_profile(
        cleo, ProfileDraft(organization="Clinic", email="cleo@clinic.org")
    )
    assert services.accounts.sign_in("cleo", PASSWORD).active_profile_id == profile.id


def test_only_the_first_users_first_profile_is_the_bootstrap_admin(
    services: Services, people: People
) -> None:
    assert (people.ada_admin.role, people.ada_member.role) == (Role.ADMIN, Role.MEMBER)
    assert people.bob_member.role is Role.MEMBER
    with unit_of_work(services.session_factory) as session:
        actions = set(session.scalars(select(AuditEvent.action)))
    assert {"create first user", "create profile (bootstrap admin)", "create user"} <= actions


def test_a_member_cannot_raise_its_own_role_and_the_refusal_is_audited(
    services: Services, people: People
) -> None:
    """Finding 1: neither the form (no role in a draft) nor set_role lets a member become admin."""
    bob = people.bob.with_active_profile(people.bob_member.id)
    with pytest.raises(PermissionDeniedError, match="acting as a member profile may not set"):
        services.accounts.set_role(bob, people.bob_member.id, Role.ADMIN)
    with pytest.raises(PermissionDeniedError):
        services.accounts.create_user(bob, "mallory", "Mallory", PASSWORD)
    updated = services.accounts.update_profile(
        bob, people.bob_member.id, people.bob_member.as_draft()
    )
    assert updated.role is Role.MEMBER
    assert denials(services) == [
        (
            bob.user_id,
            people.bob_member.id,
            Action.SET_ROLE.value,
            f"profile {people.bob_member.id}",
        ),
        (bob.user_id, people.bob_member.id, Action.CREATE_USER.value, "user mallory"),
    ]


def test_an_admin_sets_any_role_but_the_last_admin_stays(
    services: Services, people: People
) -> None:
    admin = people.ada_as(Role.ADMIN)
    accounts = services.accounts
    with pytest.raises(PermissionDeniedError, match="last admin profile of this store"):
        accounts.set_role(admin, people.ada_admin.id, Role.MEMBER)
    with pytest.raises(PermissionDeniedError, match="last admin profile of this store"):
        accounts.delete_profile(admin, people.ada_admin.id)
    assert accounts.set_role(admin, people.bob_member.id, Role.ADMIN).role is Role.ADMIN
    assert accounts.set_role(admin, people.ada_admin.id, Role.MEMBER).role is Role.MEMBER
    assert [d[2] for d in denials(services)] == [Action.SET_ROLE.value, "manage own profiles"]


def test_two_demotions_at_once_never_leave_the_store_without_an_admin(
    services: Services, people: People
) -> None:
    """The admin rows are locked before counting (FOR UPDATE / the SQLite write lock)."""
    accounts = services.accounts
    admin = people.ada_as(Role.ADMIN)
    for _round in range(5):
        accounts.set_role(admin, people.ada_member.id, Role.ADMIN)
        pair = [people.ada_admin.id, people.ada_member.id]
        start = threading.Barrier(2)
        outcomes: list[str] = []

        threads = [
            threading.Thread(target=_demote, args=(accounts, people.ada, p, start, outcomes))
            for p in pair
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        roles = {p.id: p.role for p in accounts.list_profiles(people.ada)}
        assert sorted(outcomes) == ["demoted", "refused"]
        assert [roles[p] for p in pair].count(Role.ADMIN) == 1
        admin = people.ada.with_active_profile(next(p for p in pair if roles[p] is Role.ADMIN))
        accounts.set_role(admin, people.ada_admin.id, Role.ADMIN)
        admin = people.ada_as(Role.ADMIN)


def _demote(
    accounts: AccountsService,
    ada: SignedInUser,
    profile_id: int,
    start: threading.Barrier,
    outcomes: list[str],
) -> None:
    start.wait()
    try:
        accounts.set_role(ada.with_active_profile(profile_id), profile_id, Role.MEMBER)
        outcomes.append("demoted")
    except PermissionDeniedError:
        outcomes.append("refused")
