"""Conversations in the store agree with JWZ over everything, however the mail arrives."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, datetime

import pytest
from alembic import command
from mail_helpers import actor_of
from sqlalchemy import delete, inspect, select, update
from stored_corpus import CORPUS, expected_groups, item

from desktop.core.conversations import Envelope
from desktop.services.container import Services
from desktop.services.mail.parse import parse_message
from desktop.services.mail.storing import Placement, insert_messages
from desktop.store.engine import make_engine
from desktop.store.migrate import alembic_config, upgrade_to_head
from desktop.store.models import Message, Thread
from desktop.store.session import SessionFactory, make_session_factory, read_only, unit_of_work


def store(session_factory: SessionFactory, profile_id: int, batches: list[list[Envelope]]) -> None:
    for batch in batches:
        with unit_of_work(session_factory) as session:
            insert_messages(session, profile_id, [item(envelope) for envelope in batch])


def stored_groups(session_factory: SessionFactory) -> set[frozenset[int]]:
    """The store's threads, as sets of corpus keys (each body says its key)."""
    with read_only(session_factory) as session:
        rows = session.execute(select(Message.thread_id, Message.text))
        groups: dict[int, set[int]] = defaultdict(set)
        for thread_id, body in rows:
            assert thread_id is not None
            groups[thread_id].add(int(body.split()[1]))
    return {frozenset(keys) for keys in groups.values()}


def thread_rows(session_factory: SessionFactory) -> dict[frozenset[int], tuple[int, int, str]]:
    with read_only(session_factory) as session:
        keys: dict[int, set[int]] = defaultdict(set)
        for thread_id, body in session.execute(select(Message.thread_id, Message.text)):
            keys[thread_id].add(int(body.split()[1]))
        return {
            frozenset(keys[row.id]): (row.message_count, row.unread_count, row.participants)
            for row in session.scalars(select(Thread))
        }


@pytest.mark.parametrize("seed", range(6))
def test_mail_arriving_in_any_order_and_batches_agrees_with_jwz_over_all(
    session_factory: SessionFactory, profile_id: int, seed: int
) -> None:
    shuffled = CORPUS[:]
    rng = random.Random(seed)
    rng.shuffle(shuffled)
    cuts = sorted(rng.sample(range(1, len(shuffled)), 4))
    batches = [shuffled[a:b] for a, b in zip([0, *cuts], [*cuts, len(shuffled)], strict=True)]
    store(session_factory, profile_id, batches)
    assert stored_groups(session_factory) == expected_groups()
    with read_only(session_factory) as session:
        assert session.scalar(select(Thread.id).where(Thread.message_count == 0)) is None


def test_one_at_a_time_agrees_too_and_threads_count_what_they_hold(
    session_factory: SessionFactory, profile_id: int
) -> None:
    store(session_factory, profile_id, [[envelope] for envelope in CORPUS])
    assert stored_groups(session_factory) == expected_groups()
    rows = thread_rows(session_factory)
    count, unread, participants = rows[frozenset({1, 2, 3, 15})]
    assert (count, unread) == (4, 3)  # keys 2 is read (even keys are stored seen)
    assert participants.split("\n") == [
        "Grace Hopper <grace@x.org>",
        "alan@x.org",
        "Ada Lovelace <ada@x.org>",
    ]


def test_a_message_joining_two_threads_merges_them(
    session_factory: SessionFactory, profile_id: int
) -> None:
    day = datetime(2026, 5, 1, tzinfo=UTC)
    first = Envelope(101, "<p1@x>", "", "Plan", day)
    second = Envelope(102, "<p2@x>", "", "Budget plan", day.replace(hour=2))
    both = Envelope(103, "<p3@x>", "<p1@x> <p2@x>", "Re: Plan", day.replace(hour=3))
    store(session_factory, profile_id, [[first], [second]])
    assert stored_groups(session_factory) == {frozenset({101}), frozenset({102})}
    store(session_factory, profile_id, [[both]])
    assert stored_groups(session_factory) == {frozenset({101, 102, 103})}
    with read_only(session_factory) as session:
        assert session.scalar(select(Thread.message_count)) == 3


def test_a_stored_sent_reply_joins_its_thread(
    session_factory: SessionFactory, profile_id: int
) -> None:
    question = Envelope(201, "<q@x>", "", "Night shift", datetime(2026, 5, 2, tzinfo=UTC))
    store(session_factory, profile_id, [[question]])
    reply = (
        b"From: Ada <ada@clinic.example>\r\nTo: grace@x.org\r\nSubject: Re: Night shift\r\n"
        b"Date: Sat, 02 May 2026 10:00:00 +0000\r\nMessage-ID: <a@clinic.example>\r\n"
        b"In-Reply-To: <q@x>\r\n\r\ncorpus 202\r\n"
    )
    with unit_of_work(session_factory) as session:
        sent = Placement(folder="Sent", uidvalidity=7, uid=1, seen=True)
        insert_messages(session, profile_id, [(parse_message(reply), sent)])
    assert stored_groups(session_factory) == {frozenset({201, 202})}


def test_seen_changes_and_deletes_keep_the_counts(
    session_factory: SessionFactory, profile_id: int
) -> None:
    store(session_factory, profile_id, [CORPUS])
    chain = frozenset({1, 2, 3, 15})
    with unit_of_work(session_factory) as session:
        session.execute(update(Message).where(Message.text == "corpus 1\n").values(seen=True))
    assert thread_rows(session_factory)[chain][:2] == (4, 2)
    with unit_of_work(session_factory) as session:
        session.execute(update(Message).values(seen=False))
    assert thread_rows(session_factory)[chain][:2] == (4, 4)
    with unit_of_work(session_factory) as session:
        session.execute(delete(Message).where(Message.text == "corpus 15\n"))
        latest = session.scalar(select(Thread.latest_date).where(Thread.message_count == 3))
    assert thread_rows(session_factory)[frozenset({1, 2, 3})][:2] == (3, 3)
    assert latest == CORPUS[2].date
    with unit_of_work(session_factory) as session:
        session.execute(delete(Message).where(Message.text == "corpus 8\n"))
        assert session.scalar(select(Thread.id).where(Thread.subject == "Myself")) is None


def test_the_migration_threads_existing_mail_as_jwz_does(
    session_factory: SessionFactory, profile_id: int
) -> None:
    """Mail stored before 0120: written here by the writer, then the store taken back to 0119."""
    store(session_factory, profile_id, [CORPUS])
    engine = make_engine(str(session_factory.kw["bind"].url))
    command.downgrade(alembic_config(engine), "0119")
    assert "threads" not in inspect(engine).get_table_names()
    upgrade_to_head(engine)
    assert stored_groups(make_session_factory(engine)) == expected_groups()
    engine.dispose()


def test_the_gated_thread_page_and_a_threads_messages(
    services: Services, session_factory: SessionFactory, profile_id: int
) -> None:
    store(session_factory, profile_id, [CORPUS])
    actor = actor_of(session_factory, profile_id)
    first = services.threads.page(actor, limit=3)
    assert [row.latest_date for row in first] == sorted(
        (row.latest_date for row in first), reverse=True
    )
    rest = services.threads.page(actor, after=first[-1].key, limit=100)
    every = first + rest
    assert len(every) == len(expected_groups())
    chain = next(row for row in every if row.subject == "Lab results" and row.message_count == 4)
    assert chain.participants == ("Grace Hopper", "alan", "Ada Lovelace")
    assert chain.unread_count == 3
    messages = services.threads.messages(actor, chain.id)
    assert [m.subject for m in messages] == ["Lab results", *["Re: Lab results"] * 3]
    assert [m.date for m in messages] == sorted(m.date for m in messages)
