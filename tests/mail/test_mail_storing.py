"""Inserts skip what the store holds; the background writer keeps order and surfaces failures."""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial

import pytest
from mail_helpers import assert_full_text_index_matches, simple_message
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.services.mail.parse import parse_message
from desktop.services.mail.storing import BackgroundWriter, Placement, insert_messages
from desktop.store.bulk import ROWS_PER_STATEMENT
from desktop.store.models import Attachment, Message
from desktop.store.session import SessionFactory, read_only, unit_of_work

Write = Callable[[Session], None]


def write_all(session_factory: SessionFactory, *writes: Write) -> None:
    with BackgroundWriter(session_factory) as writer:
        for write in writes:
            writer.submit(write)


def fail(session: Session) -> None:
    raise OSError("disk full")


def test_writes_run_in_order_off_the_calling_thread(session_factory: SessionFactory) -> None:
    done: list[tuple[int, bool]] = []
    caller = threading.get_ident()

    def write(n: int, session: Session) -> None:
        done.append((n, threading.get_ident() != caller))

    write_all(session_factory, *(partial(write, n) for n in range(5)))
    assert done == [(n, True) for n in range(5)]


def test_each_write_is_a_unit_of_work_committed_on_its_own(
    session_factory: SessionFactory, profile_id: int
) -> None:
    def insert(n: int, session: Session) -> None:
        items = [(parse_message(simple_message(n)), Placement(folder="Imported"))]
        insert_messages(session, profile_id, items)

    with pytest.raises(OSError, match="disk full"):
        write_all(session_factory, partial(insert, 1), partial(insert, 2), fail)
    assert stored(session_factory) == (2, 0)


def test_a_failed_write_surfaces_at_the_next_submit(session_factory: SessionFactory) -> None:
    later: list[str] = []
    with pytest.raises(OSError, match="disk full"):
        write_all(session_factory, fail, lambda session: later.append("ran"))
    assert later == []


def test_a_failed_last_write_surfaces_at_the_end(session_factory: SessionFactory) -> None:
    with pytest.raises(OSError, match="disk full"):
        write_all(session_factory, fail)


def test_leaving_on_an_error_still_waits_for_the_write_in_flight(
    session_factory: SessionFactory,
) -> None:
    finished = threading.Event()

    def slow_write(session: Session) -> None:
        threading.Event().wait(0.2)
        finished.set()

    def slow_then_caller_fails() -> None:
        with BackgroundWriter(session_factory) as writer:
            writer.submit(slow_write)
            raise KeyError("caller failed")

    with pytest.raises(KeyError):
        slow_then_caller_fails()
    assert finished.is_set()


WITH_FILE = (
    b"From: a@example.org\nMessage-ID: <file@example.org>\nSubject: with file\n"
    b'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="b"\n\n'
    b"--b\nContent-Type: text/plain\n\nsee file\n"
    b'--b\nContent-Type: text/plain\nContent-Disposition: attachment; filename="n.txt"\n\n'
    b"note\n--b--\n"
)
NO_ID = b"From: a@example.org\nSubject: no id\n\nfirst\n"
OTHER_NO_ID = b"From: a@example.org\nSubject: no id\n\nsecond\n"


def store(session_factory: SessionFactory, profile_id: int, raws: list[bytes]) -> list[int]:
    items = [(parse_message(raw), Placement(folder="Imported")) for raw in raws]
    with unit_of_work(session_factory) as session:
        return insert_messages(session, profile_id, items)


def stored(session_factory: SessionFactory) -> tuple[int, int]:
    with read_only(session_factory) as session:
        messages = session.scalar(select(func.count()).select_from(Message)) or 0
        files = session.scalar(select(func.count()).select_from(Attachment)) or 0
    return messages, files


@pytest.mark.parametrize("with_attachments", [False, True])
def test_inserting_skips_what_the_profile_holds_and_says_what_it_inserted(
    session_factory: SessionFactory, profile_id: int, with_attachments: bool
) -> None:
    extra = [WITH_FILE] if with_attachments else []
    assert store(session_factory, profile_id, [simple_message(1), NO_ID, *extra]) == [
        0,
        1,
        *([2] if with_attachments else []),
    ]
    again = [simple_message(2), simple_message(1), OTHER_NO_ID, NO_ID, simple_message(2), *extra]
    assert store(session_factory, profile_id, again) == [0, 2]
    assert stored(session_factory) == (5 if with_attachments else 4, int(with_attachments))
    assert_full_text_index_matches(session_factory)


def test_a_batch_of_nothing_but_known_mail_inserts_nothing(
    session_factory: SessionFactory, profile_id: int
) -> None:
    assert store(session_factory, profile_id, [simple_message(1), WITH_FILE]) == [0, 1]
    assert store(session_factory, profile_id, [simple_message(1)]) == []
    assert store(session_factory, profile_id, [WITH_FILE, simple_message(1)]) == []
    assert stored(session_factory) == (2, 1)
    assert_full_text_index_matches(session_factory)


def test_synced_copies_of_one_message_in_two_folders_are_both_kept(
    session_factory: SessionFactory, profile_id: int
) -> None:
    parsed = parse_message(simple_message(1))
    items = [
        (parsed, Placement(folder="INBOX", uidvalidity=1, uid=5)),
        (parsed, Placement(folder="Archive", uidvalidity=1, uid=5)),
        (parsed, Placement(folder="INBOX", uidvalidity=1, uid=5)),
    ]
    with unit_of_work(session_factory) as session:
        assert insert_messages(session, profile_id, items) == [0, 1]
    assert store(session_factory, profile_id, [simple_message(1)]) == [0]
    assert stored(session_factory) == (3, 0)


def test_a_batch_longer_than_one_statement_stores_every_message_with_its_own_files(
    session_factory: SessionFactory, profile_id: int
) -> None:
    """Rows go to SQLite ``ROWS_PER_STATEMENT`` (500) to a statement: 1,234 rows need three."""
    total = ROWS_PER_STATEMENT * 2 + 234
    raws = [
        WITH_FILE.replace(b"<file@", b"<file%d@" % n).replace(b"note", b"note %d" % n)
        if n % 2
        else simple_message(n)
        for n in range(total)
    ]
    raws[1000] = raws[999]  # a duplicate inside the batch: the first is the one stored
    inserted = store(session_factory, profile_id, raws)
    assert inserted == [n for n in range(total) if n != 1000]
    with read_only(session_factory) as session:
        files = session.execute(select(Message.message_id, Attachment.content).join(Message)).all()
    assert sorted(files) == sorted(
        (f"<file{n}@example.org>", b"note %d" % n) for n in range(1, total, 2)
    )
    assert stored(session_factory) == (total - 1, total // 2)
    assert_full_text_index_matches(session_factory)
