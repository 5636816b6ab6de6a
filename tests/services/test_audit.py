"""The audit read by people: names instead of ids, counts of what matches, one's own activity."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest

from desktop.core.roles import Role
from desktop.services.accounts import ProfileDraft
from desktop.services.audit import AuditEntry, AuditQuery, ConnectionEntry
from desktop.services.authorization import SignedInUser
from desktop.services.container import Services
from desktop.services.errors import PermissionDeniedError
from desktop.services.mail.settings import set_server_options
from desktop.store.models import EgressEvent
from desktop.store.models.base import utcnow
from desktop.store.session import unit_of_work

PASSWORD = "correct horse battery"
AN_ID = re.compile(r"(profile|user|#) ?\d+\b|\bNone\b|\bid\b", re.IGNORECASE)


@dataclass(frozen=True)
class Store:
    ada: SignedInUser
    """Acting as her admin profile at St Mary."""
    ada_member: SignedInUser
    bob: SignedInUser
    bob_profile: int
    gone_profile: int


@pytest.fixture
def store(services: Services) -> Store:
    """Ada (admin at St Mary, member at the clinic) and Bob (member at the harbour), with a
    profile of Ada's deleted, a role changed, server options set and three connections."""
    accounts = services.accounts
    accounts.create_first_user("ada", "Ada Lovelace", PASSWORD)
    ada = accounts.sign_in("ada", PASSWORD)
    admin = accounts.create_profile(ada, ProfileDraft(organization="St Mary", email="a@st.org"))
    ada = accounts.switch_profile(ada, admin.id)
    member = accounts.create_profile(ada, ProfileDraft(organization="Clinic", email="a@cl.org"))
    gone = accounts.create_profile(ada, ProfileDraft(organization="Old Lab", email="a@lab.org"))
    accounts.switch_profile(ada, gone.id)
    accounts.delete_profile(ada, gone.id)
    accounts.create_user(ada, "bob", "Bob Stone", PASSWORD)
    bob = accounts.sign_in("bob", PASSWORD)
    harbour = accounts.create_profile(bob, ProfileDraft(organization="Harbour", email="b@hb.org"))
    bob = accounts.switch_profile(bob, harbour.id)
    accounts.set_role(ada, harbour.id, Role.ADMIN)
    accounts.set_role(ada, harbour.id, Role.MEMBER)
    set_server_options(
        services.session_factory,
        services.authorizer,
        bob,
        harbour.id,
        allow_plaintext=True,
        protocol_log=False,
    )
    with unit_of_work(services.session_factory) as session:
        for profile_id, host, tls, commands, outcome in (
            (admin.id, "imap.st.org", "TLSv1.3", "LOGIN,SELECT", "ok"),
            (harbour.id, "imap.hb.org", None, "LOGIN", "failed: ConnectionRefusedError"),
            (harbour.id, "pics.example", "TLSv1.2", "GET", "ok 200"),
        ):
            session.add(
                EgressEvent(
                    profile_id=profile_id,
                    host=host,
                    port=993,
                    tls_version=tls,
                    commands=commands,
                    outcome=outcome,
                )
            )
    return Store(ada, ada.with_active_profile(member.id), bob, harbour.id, gone.id)


def shown(entry: AuditEntry) -> str:
    return " | ".join((entry.user_name, entry.profile_name, entry.what, entry.about, entry.result))


def shown_connection(entry: ConnectionEntry) -> str:
    return " | ".join((entry.user_name, entry.profile_name, entry.summary, entry.security))


def test_rows_name_users_and_profiles_and_never_show_an_id(
    services: Services, store: Store
) -> None:
    page = services.audit.find_events(store.ada, everyone=True)
    assert page.entries
    assert page.matching == len(page.entries)
    for entry in page.entries:
        assert not AN_ID.search(shown(entry)), shown(entry)
        assert shown(entry) == shown(entry).strip()
        for text in (entry.what, entry.about, entry.result, entry.user_name):
            assert text[:1].isupper(), shown(entry)
    rows = {(e.user_name, e.what, e.about) for e in page.entries}
    assert ("Ada Lovelace", "Switched to profile", "St Mary") in rows
    assert (
        "Ada Lovelace",
        "Made a profile an administrator",
        "Harbour, Bob Stone",
    ) in rows
    assert ("Ada Lovelace", "Created a user", "Bob Stone") in rows
    assert (
        "Bob Stone",
        "Changed mail server options",
        "Harbour: plaintext allowed, protocol log off",
    ) in rows


def test_a_deleted_profile_is_called_so_even_when_its_id_is_reused(
    services: Services, store: Store
) -> None:
    """SQLite gives the deleted profile's id to Bob's next one: old events stay with the old."""
    entries = services.audit.find_events(store.ada, everyone=True).entries
    [deleted] = [e for e in entries if e.what == "Deleted a profile"]
    assert deleted.about == "Deleted profile"
    code = f"profile {store.gone_profile}"
    before = [e for e in entries if e.target == code and e.id < deleted.id]
    assert [(e.what, e.about) for e in before] == [
        ("Switched to profile", "Deleted profile"),
        ("Created a profile", "Deleted profile"),
    ]
    assert before[0].profile_name == "Deleted profile"
    after = {e.about for e in entries if e.target == code and e.id > deleted.id}
    assert after <= {"Harbour", "Harbour, Bob Stone"}


def test_connections_are_sentences_with_names(services: Services, store: Store) -> None:
    page = services.audit.find_connections(store.ada, everyone=True)
    assert page.matching == 3
    said = {(e.user_name, e.profile_name, e.summary, e.security) for e in page.entries}
    assert said == {
        ("Ada Lovelace", "St Mary", "Connected to imap.st.org", "Encrypted (TLS 1.3)"),
        (
            "Bob Stone",
            "Harbour",
            "Could not connect to imap.hb.org: the server refused the connection",
            "Not encrypted",
        ),
        (
            "Bob Stone",
            "Harbour",
            "Loaded remote content from pics.example",
            "Encrypted (TLS 1.2)",
        ),
    }


@pytest.mark.parametrize(
    "text",
    ["switched", "ADA", "harbour", "refused", "deleted profile", "plaintext", "bob", "100%", "_"],
)
def test_the_count_is_of_every_row_whose_words_match(
    services: Services, store: Store, text: str
) -> None:
    everything = services.audit.find_events(store.ada, everyone=True).entries
    expected = [e.id for e in everything if text.casefold() in shown(e).casefold()]
    page = services.audit.find_events(store.ada, AuditQuery(text=text), everyone=True, limit=2)
    assert page.matching == len(expected)
    assert [e.id for e in page.entries] == expected[:2]


@pytest.mark.parametrize(
    "text", ["connected", "refused", "remote content", "not encrypted", "tls 1.3", "harbour"]
)
def test_the_connection_count_follows_the_words(
    services: Services, store: Store, text: str
) -> None:
    everything = services.audit.find_connections(store.ada, everyone=True).entries
    expected = [e.id for e in everything if text.casefold() in shown_connection(e).casefold()]
    page = services.audit.find_connections(store.ada, AuditQuery(text=text), everyone=True)
    assert expected
    assert (page.matching, [e.id for e in page.entries]) == (len(expected), expected)


def test_the_count_follows_the_kind_and_the_date(services: Services, store: Store) -> None:
    audit = services.audit
    switches = audit.find_events(store.ada, AuditQuery(kind="switch"), everyone=True)
    assert switches.matching == 3
    assert {e.what for e in switches.entries} == {"Switched to profile"}
    roles = audit.find_events(store.ada, AuditQuery(kind="role", text="bob"), everyone=True)
    assert roles.matching == 2
    later = AuditQuery(since=utcnow() + timedelta(minutes=1))
    assert audit.find_events(store.ada, later, everyone=True).matching == 0
    assert audit.find_connections(store.ada, AuditQuery(kind="web"), everyone=True).matching == 1
    assert audit.find_connections(store.ada, AuditQuery(kind="mail"), everyone=True).matching == 2
    assert audit.find_connections(store.ada, AuditQuery(kind="failed"), everyone=True).matching == 1


def test_a_member_reads_its_own_activity_and_no_one_elses(services: Services, store: Store) -> None:
    audit = services.audit
    own = audit.find_events(store.bob)
    assert own.matching == len(own.entries) > 0
    assert {e.user_name for e in own.entries} == {"Bob Stone"}
    assert "Made a profile an administrator" not in {e.what for e in own.entries}
    connections = audit.find_connections(store.bob)
    assert connections.matching == 2
    assert {e.profile_name for e in connections.entries} == {"Harbour"}
    ada_own = audit.find_events(store.ada_member, AuditQuery(text="bob"))
    assert {e.user_name for e in ada_own.entries} == {"Ada Lovelace"}
    assert audit.find_connections(store.ada_member).matching == 1
    for call in (audit.find_events, audit.find_connections):
        with pytest.raises(PermissionDeniedError):
            call(store.bob, everyone=True)
        with pytest.raises(PermissionDeniedError):
            call(store.ada_member, everyone=True)
