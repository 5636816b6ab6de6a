"""The unified inbox: newest first over a user's profiles, keyset pages, search, unread counts."""

from __future__ import annotations

import json
import mailbox
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from mail_helpers import make_profile, make_user, simple_message
from sqlalchemy import Engine, select

from desktop.services.accounts import ProfileDraft
from desktop.services.container import wire_services
from desktop.services.mail import inbox as inbox_module
from desktop.services.mail.importer import import_paths
from desktop.services.mail.inbox import Inbox
from desktop.services.passwords import CHEAP_TEST_COST
from desktop.services.secrets import SecretStore
from desktop.store.models import Message
from desktop.store.session import SessionFactory, unit_of_work

START = datetime(2024, 1, 1, tzinfo=UTC)


def fill(
    tmp_path: Path,
    session_factory: SessionFactory,
    profile_id: int,
    numbers: range,
    body: str | None = None,
) -> None:
    path = tmp_path / f"p{profile_id}-{numbers.start}.mbox"
    box = mailbox.mbox(path)
    for number in numbers:
        when = format_datetime(START + timedelta(hours=number))
        box.add(simple_message(number, date=when, body=body))
    box.close()
    import_paths(session_factory, profile_id, [path])


def test_pages_run_newest_first_across_profiles_without_gaps_or_repeats(
    tmp_path: Path,
    session_factory: SessionFactory,
    user_id: int,
    profile_id: int,
    second_profile_id: int,
) -> None:
    fill(tmp_path, session_factory, profile_id, range(0, 50, 2))
    fill(tmp_path, session_factory, second_profile_id, range(1, 50, 2))
    inbox = Inbox(session_factory)
    seen: list[int] = []
    after = None
    while page := inbox.page(user_id, after=after, limit=7):
        seen.extend(int(row.subject.split()[-1]) for row in page)
        after = page[-1].key
    assert seen == list(range(49, -1, -1))
    first = inbox.page(user_id, limit=2)
    assert [row.profile_email for row in first] == ["ada@hospital.example", "ada@clinic.example"]
    assert first[0].date == START + timedelta(hours=49)


def test_equal_dates_page_by_id(
    tmp_path: Path, session_factory: SessionFactory, user_id: int, profile_id: int
) -> None:
    box = mailbox.mbox(tmp_path / "same.mbox")
    for number in range(10):
        box.add(simple_message(number, date="Mon, 01 Jan 2024 00:00:00 +0000"))
    box.close()
    import_paths(session_factory, profile_id, [tmp_path / "same.mbox"])
    inbox = Inbox(session_factory)
    first = inbox.page(user_id, limit=4)
    rest = inbox.page(user_id, after=first[-1].key, limit=100)
    ids = [row.id for row in first + rest]
    assert ids == sorted(ids, reverse=True)
    assert len(set(ids)) == 10


def test_filter_by_profile_and_never_another_users_mail(
    tmp_path: Path,
    session_factory: SessionFactory,
    user_id: int,
    profile_id: int,
    second_profile_id: int,
) -> None:
    stranger = make_user(session_factory, "eve")
    strangers_profile = make_profile(session_factory, stranger, "eve@elsewhere.example")
    fill(tmp_path, session_factory, profile_id, range(3))
    fill(tmp_path, session_factory, second_profile_id, range(10, 12))
    fill(tmp_path, session_factory, strangers_profile, range(20, 25))
    inbox = Inbox(session_factory)
    assert len(inbox.page(user_id)) == 5
    assert {r.profile_id for r in inbox.page(user_id, [second_profile_id])} == {second_profile_id}
    assert inbox.page(user_id, [strangers_profile]) == []
    assert inbox.count(user_id) == 5
    with unit_of_work(session_factory) as session:
        strangers_message = session.scalars(
            select(Message.id).where(Message.profile_id == strangers_profile)
        ).first()
    assert strangers_message is not None
    assert inbox.get(user_id, strangers_message) is None
    assert not inbox.mark_seen(user_id, strangers_message)


def test_full_text_search_over_subject_sender_and_body(
    tmp_path: Path,
    session_factory: SessionFactory,
    user_id: int,
    profile_id: int,
    second_profile_id: int,
) -> None:
    fill(tmp_path, session_factory, profile_id, range(3), body="Routine follow-up\n")
    fill(
        tmp_path, session_factory, second_profile_id, range(3, 5), body="Röntgenbefund liegt vor\n"
    )
    inbox = Inbox(session_factory)
    assert {r.subject for r in inbox.page(user_id, search="röntgenbefund")} == {
        "Message number 3",
        "Message number 4",
    }
    assert len(inbox.page(user_id, search="rontgen")) == 2  # prefix, accents folded
    assert [r.subject for r in inbox.page(user_id, search="number 1")] == ["Message number 1"]
    assert len(inbox.page(user_id, search="sender@example")) == 5
    assert inbox.page(user_id, search="nothing-like-this") == []
    assert inbox.page(user_id, search="  ** ") == []
    assert inbox.count(user_id, search="routine") == 3
    page = inbox.page(user_id, search="message", limit=2)
    rest = inbox.page(user_id, search="message", after=page[-1].key)
    assert len(page) + len(rest) == 5


def test_unread_counts_open_and_flags(
    tmp_path: Path,
    session_factory: SessionFactory,
    user_id: int,
    profile_id: int,
    second_profile_id: int,
) -> None:
    fill(tmp_path, session_factory, profile_id, range(3))
    inbox = Inbox(session_factory)
    assert inbox.unread_counts(user_id) == {profile_id: 3, second_profile_id: 0}
    newest = inbox.page(user_id, limit=1)[0]
    opened = inbox.open(user_id, newest.id)
    assert opened is not None
    assert opened.newly_seen
    detail = opened.message
    assert detail.text == "Body of message 2.\n"
    assert detail.seen
    assert detail.profile_email == "ada@clinic.example"
    assert inbox.unread_counts(user_id)[profile_id] == 2
    assert inbox.set_flagged(user_id, newest.id)
    row = inbox.page(user_id, limit=1)[0]
    assert (row.seen, row.flagged) == (True, True)
    with unit_of_work(session_factory) as session:  # imported: no server copy to tell
        assert not session.scalar(select(Message.flags_dirty).where(Message.id == newest.id))


def test_a_common_word_walks_by_date_and_gives_the_same_pages(
    tmp_path: Path,
    session_factory: SessionFactory,
    user_id: int,
    profile_id: int,
    second_profile_id: int,
) -> None:
    fill(tmp_path, session_factory, profile_id, range(0, 30, 2), body="urgent handover\n")
    fill(tmp_path, session_factory, second_profile_id, range(1, 30, 2), body="urgent rota\n")

    def all_pages(search: str) -> list[int]:
        inbox, shown, after = Inbox(session_factory), [], None
        while page := inbox.page(user_id, search=search, after=after, limit=4):
            shown.extend(row.id for row in page)
            after = page[-1].key
        return shown

    driven = all_pages("urgent")
    driven_rota = all_pages("urgent rota")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(inbox_module, "COMMON_MATCHES", 3)
        assert all_pages("urgent") == driven
        assert all_pages("urgent rota") == driven_rota
    assert len(driven) == 30
    assert len(driven_rota) == 15


INBOX_ONLY = """
import sys
from desktop.cli.main import main
assert main(["--database-url", sys.argv[1], "inbox", "--user", "ada", "--json"]) == 0
heavy = sorted({name.split(".")[0] for name in sys.modules} & {"alembic", "keyring", "imapclient"})
print("loaded:", heavy, file=sys.stderr)
"""


def test_the_inbox_command_loads_neither_alembic_nor_keyring_nor_imap(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    """Its start-up is what the user waits for: a store at head needs no migration tool, a
    password sign-in no keyring, and reading no IMAP client."""
    services = wire_services(sqlite_engine, SecretStore.in_memory(), password_cost=CHEAP_TEST_COST)
    services.accounts.create_first_user("ada", "Ada", "a long enough password")
    actor = services.accounts.sign_in("ada", "a long enough password")
    profile = services.accounts.create_profile(
        actor, ProfileDraft(organization="Clinic", email="ada@clinic.example")
    )
    fill(tmp_path, services.session_factory, profile.id, range(2))
    child = subprocess.run(
        [sys.executable, "-c", INBOX_ONLY, str(sqlite_engine.url)],
        capture_output=True,
        text=True,
        env={**os.environ, "SWITCHBOARD_PASSWORD": "a long enough password"},
        check=False,
    )
    assert child.returncode == 0, child.stderr
    assert [row["subject"] for row in json.loads(child.stdout)] == [
        "Message number 1",
        "Message number 0",
    ]
    assert "loaded: []" in child.stderr
