"""Reads answer while another process holds SQLite's write lock and does not let it go.

The other process is a plain sqlite3 connection in ``BEGIN IMMEDIATE`` with an uncommitted
insert, as a sync or import of another app would be (:mod:`write_lock`). Every read must answer
while that writer still holds the lock, which it keeps for half the busy timeout: a read that
waited for it would answer only after the writer gave up. What a read records (a denial, a
sign-in, a look-up) follows once the lock is free, and nothing is lost.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest
from cli_runner import Cli
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import DBAPIError
from write_lock import HeldWriteLock, write_lock_held_elsewhere

from desktop.services.accounts import ProfileDraft
from desktop.services.authorization import SignedInUser
from desktop.services.container import Services, wire_services
from desktop.services.errors import PermissionDeniedError
from desktop.services.mail.importer import import_paths
from desktop.services.passwords import CHEAP_TEST_COST
from desktop.services.secrets import SecretStore
from desktop.store.engine import make_engine
from desktop.store.migrate import upgrade_to_head
from desktop.store.models import AuditEvent
from desktop.store.session import SessionFactory, read_only, unit_of_work
from desktop.store.side_writes import side_writes_for

PASSWORD = "a long enough password"
T = TypeVar("T")


def without_waiting(lock: HeldWriteLock, call: Callable[[], T]) -> T:
    result = call()
    assert lock.still_held(), "the read answered only once the writer had given up the lock"
    return result


@pytest.fixture
def sqlite_services(sqlite_engine: Engine) -> Services:
    return wire_services(sqlite_engine, SecretStore.in_memory(), password_cost=CHEAP_TEST_COST)


@pytest.fixture
def store(sqlite_engine: Engine) -> Path:
    return Path(sqlite_engine.url.database or "")


@pytest.fixture
def actor(sqlite_services: Services, tmp_path: Path) -> SignedInUser:
    accounts = sqlite_services.accounts
    accounts.create_first_user("ada", "Ada", PASSWORD)
    actor = accounts.sign_in("ada", PASSWORD)
    profile = accounts.create_profile(
        actor, ProfileDraft(organization="Clinic", email="ada@clinic.example")
    )
    mbox = tmp_path / "in.mbox"
    mbox.write_bytes(
        b"".join(
            b"From a@example.org Tue Mar  3 10:00:00 2020\n"
            b"From: a@example.org\nMessage-ID: <%d@example.org>\nSubject: note %d\n\nbody\n\n"
            % (n, n)
            for n in range(5)
        )
    )
    import_paths(sqlite_services.session_factory, profile.id, [mbox])
    return accounts.switch_profile(actor, profile.id)


def events(session_factory: SessionFactory, action: str) -> list[tuple[str, str]]:
    with read_only(session_factory) as session:
        return [
            (event.target, event.outcome)
            for event in session.scalars(select(AuditEvent).where(AuditEvent.action == action))
        ]


def test_reads_answer_while_another_process_holds_the_write_lock(
    sqlite_services: Services, actor: SignedInUser, store: Path
) -> None:
    mailbox = sqlite_services.mailbox
    with write_lock_held_elsewhere(store) as lock:
        rows = without_waiting(lock, lambda: mailbox.page(actor))
        assert len(rows) == 5
        assert without_waiting(lock, lambda: mailbox.count(actor)) == 5
        assert without_waiting(lock, lambda: mailbox.count(actor, search="note")) == 5
        unread = without_waiting(lock, lambda: mailbox.unread_counts(actor))
        assert unread == {actor.active_profile_id: 5}
        detail = without_waiting(lock, lambda: mailbox.get(actor, rows[0].id))
        assert detail is not None
        assert detail.subject == rows[0].subject
        profiles = without_waiting(lock, lambda: sqlite_services.accounts.list_profiles(actor))
        assert [p.email for p in profiles] == ["ada@clinic.example"]
        own = without_waiting(lock, lambda: sqlite_services.audit.list_events(actor))
        assert [entry.action for entry in own][-1] == "create first user"


def test_a_refused_read_answers_at_once_and_its_denial_is_recorded_after(
    sqlite_services: Services, actor: SignedInUser, store: Path
) -> None:
    no_profile = actor.with_active_profile(None)
    with write_lock_held_elsewhere(store) as lock:
        with pytest.raises(PermissionDeniedError):
            sqlite_services.mailbox.page(no_profile)
        assert lock.still_held(), "the refusal waited for the writer"
        assert events(sqlite_services.session_factory, "read own mail") == []
    assert side_writes_for(sqlite_services.session_factory).flush(timeout=10)
    assert events(sqlite_services.session_factory, "read own mail") == [("unified inbox", "denied")]


def test_signing_in_and_looking_up_answer_at_once_and_are_recorded_after(
    sqlite_services: Services, actor: SignedInUser, store: Path
) -> None:
    accounts = sqlite_services.accounts
    before = len(events(sqlite_services.session_factory, "sign in"))
    with write_lock_held_elsewhere(store) as lock:
        again = without_waiting(lock, lambda: accounts.sign_in("ada", PASSWORD))
        assert again.login == "ada"
    assert side_writes_for(sqlite_services.session_factory).flush(timeout=10)
    assert len(events(sqlite_services.session_factory, "sign in")) == before + 1


def test_entries_recorded_while_the_store_is_free_are_there_at_once(
    sqlite_services: Services, actor: SignedInUser
) -> None:
    with pytest.raises(PermissionDeniedError):
        sqlite_services.mailbox.page(actor.with_active_profile(None))
    assert events(sqlite_services.session_factory, "read own mail") == [("unified inbox", "denied")]


def test_switchboard_inbox_prints_while_another_process_holds_the_write_lock(
    app_home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    store = app_home / "cli.sqlite3"
    cli = Cli(f"sqlite:///{store}", capsys, monkeypatch, PASSWORD)
    upgrade_to_head(make_engine(cli.database_url))  # plain: the lock below is held by sqlite3
    assert cli("user", "create", "ada", "--name", "Ada", "--password-stdin", stdin=PASSWORD)[0] == 0
    code, _, err = cli("profile", "create", "--user", "ada", "--org", "C", "--email", "a@c.example")
    assert code == 0, err
    with write_lock_held_elsewhere(store) as lock:
        code, out, err = without_waiting(lock, lambda: cli("inbox", "--user", "ada", "--json"))

    assert (code, out) == (0, "[]\n"), err


def test_a_read_only_unit_refuses_to_write(session_factory: SessionFactory) -> None:
    insert = text(
        "INSERT INTO users (login, display_name, password_hash, preferences, created_at) "
        "VALUES ('x', 'X', 'h', '{}', '2026-01-01 00:00:00')"
    )
    users = select(func.count()).select_from(text("users"))
    with pytest.raises(DBAPIError), read_only(session_factory) as session:
        session.execute(insert)
    with unit_of_work(session_factory) as session:
        assert session.scalar(users) == 0
        session.execute(insert)
    with read_only(session_factory) as session:
        assert session.scalar(users) == 1
