"""The unified inbox sorted by date, sender or subject, paged by keyset in every order."""

from __future__ import annotations

import mailbox
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from people import add_user
from sqlalchemy import Engine, event

from desktop.services.accounts import ProfileDraft
from desktop.services.authorization import SignedInUser
from desktop.services.container import Services, wire_services
from desktop.services.mail.inbox import InboxRow, Sort
from desktop.services.passwords import CHEAP_TEST_COST
from desktop.services.secrets import SecretStore

PASSWORD = "long enough secret"
SENDERS = [
    "alice@example.org",
    "Bob Baker <bob@example.org>",
    '"Carter, Cy" <cy@example.org>',
    "dora@example.org",
    "ERIN <erin@example.org>",
]
SUBJECTS = ["Agenda", "budget", "Call notes", "agenda", "Escalation", ""]


def _mail(number: int, sender: str, subject: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "ada@example.org"
    message["Subject"] = subject
    # Several messages share a minute, so ties on the date are broken by id as well.
    message["Date"] = f"Tue, 03 Mar 2026 10:{number // 3:02d}:00 +0000"
    message["Message-ID"] = f"<sort-{number}@example.org>"
    message.set_content(f"Body {number} of the ward round.")
    return message


def _ada_with_mail(services: Services, tmp_path: Path, count: int = 60) -> SignedInUser:
    add_user(services, "ada", "Ada", PASSWORD)
    ada = services.accounts.sign_in("ada", PASSWORD)
    profiles = []
    for org in ("Hospital", "Clinic"):
        draft = ProfileDraft(organization=org, email=f"ada@{org.lower()}.example")
        profiles.append(services.accounts.create_profile(ada, draft).id)
    ada = ada.with_active_profile(profiles[0])
    for index, profile_id in enumerate(profiles):
        path = tmp_path / f"{profile_id}.mbox"
        box = mailbox.mbox(path)
        for number in range(index, count, len(profiles)):
            box.add(_mail(number, SENDERS[number % 5], SUBJECTS[number % 6]))
        box.close()
        services.mailbox.import_files(ada, profile_id, [path])
    return ada


def _all_pages(services: Services, ada: SignedInUser, sort: Sort, size: int) -> list[InboxRow]:
    rows: list[InboxRow] = []
    while True:
        after = rows[-1].key_for(sort) if rows else None
        page = services.mailbox.page(ada, after=after, limit=size, sort=sort)
        if not page:
            return rows
        rows.extend(page)


def _sender_key(row: InboxRow) -> str:
    return row.sender.lower().lstrip('" ')


@pytest.mark.parametrize("sort", list(Sort))
def test_small_pages_add_up_to_the_whole_list_in_every_order(
    services: Services, tmp_path: Path, sort: Sort
) -> None:
    ada = _ada_with_mail(services, tmp_path)
    whole = services.mailbox.page(ada, limit=1000, sort=sort)
    assert len(whole) == 60
    assert [row.id for row in _all_pages(services, ada, sort, 7)] == [row.id for row in whole]


def test_by_sender_a_to_z_whatever_the_case_or_quotes_then_oldest_first(
    services: Services, tmp_path: Path
) -> None:
    ada = _ada_with_mail(services, tmp_path)
    rows = _all_pages(services, ada, Sort.SENDER, 8)
    assert [_sender_key(row)[0] for row in rows[::12]] == ["a", "b", "c", "d", "e"]
    assert [(_sender_key(r), r.date, r.id) for r in rows] == sorted(
        (_sender_key(r), r.date, r.id) for r in rows
    )


def test_by_subject_groups_a_subject_whatever_its_case_oldest_first(
    services: Services, tmp_path: Path
) -> None:
    ada = _ada_with_mail(services, tmp_path)
    rows = _all_pages(services, ada, Sort.SUBJECT, 9)
    keys = [(r.subject.lower(), r.date, r.id) for r in rows]
    assert keys == sorted(keys)
    assert {r.subject for r in rows[10:30]} == {"Agenda", "agenda"}


def test_newest_and_oldest_first_are_each_others_reverse(
    services: Services, tmp_path: Path
) -> None:
    ada = _ada_with_mail(services, tmp_path)
    newest = _all_pages(services, ada, Sort.NEWEST, 11)
    oldest = _all_pages(services, ada, Sort.OLDEST, 11)
    assert [r.id for r in newest] == [r.id for r in reversed(oldest)]
    assert [r.key for r in newest] == sorted((r.key for r in newest), reverse=True)


@pytest.mark.parametrize("sort", list(Sort))
def test_search_results_follow_the_order_and_page_too(
    services: Services, tmp_path: Path, sort: Sort
) -> None:
    ada = _ada_with_mail(services, tmp_path)
    found: list[InboxRow] = []
    while True:
        after = found[-1].key_for(sort) if found else None
        page = services.mailbox.page(ada, search="agenda", after=after, limit=4, sort=sort)
        if not page:
            break
        found.extend(page)
    assert len(found) == services.mailbox.count(ada, search="agenda") == 20
    whole = services.mailbox.page(ada, search="agenda", limit=100, sort=sort)
    assert [r.id for r in found] == [r.id for r in whole]


@pytest.mark.parametrize("sort", [Sort.SENDER, Sort.SUBJECT])
def test_sqlite_reads_a_sorted_page_from_the_order_index_of_each_profile(
    sqlite_engine: Engine, tmp_path: Path, sort: Sort
) -> None:
    """Each arm (a profile's INBOX and its imported mail) seeks into the order's index; only the
    merge of the arms' pages is sorted."""
    services = wire_services(sqlite_engine, SecretStore.in_memory(), password_cost=CHEAP_TEST_COST)
    ada = _ada_with_mail(services, tmp_path, count=6)
    first = services.mailbox.page(ada, limit=2, sort=sort)
    statements: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_rest: Any) -> None:
        if "UNION ALL" in statement:
            statements.append((statement, parameters))

    event.listen(sqlite_engine, "before_cursor_execute", capture)
    try:
        services.mailbox.page(ada, after=first[-1].key_for(sort), limit=2, sort=sort)
    finally:
        event.remove(sqlite_engine, "before_cursor_execute", capture)
    (statement, parameters), *_ = statements
    with sqlite_engine.connect() as connection:
        plan = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
    details = [str(row[-1]) for row in plan]
    assert sum(f"ix_messages_{sort.value}_order" in d for d in details) == 2 * 2, details
    # The only sort is the merge's, over at most a page per profile.
    assert sum("TEMP B-TREE" in d for d in details) == 1, details
