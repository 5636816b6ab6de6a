"""Keeping each profile's conversations as mail arrives: the store's side of JWZ threading.

A new message can start a thread, join one, or join two and so merge them (a reply that names
two parents, or a parent arriving after its answers); with broken References it can even move a
message out of a thread it was wrongly in. Rather than patch the trees, :func:`place` regroups,
with :func:`desktop.core.conversations.conversations`, exactly the threads the new messages
touch: those holding or referencing one of their Message-IDs (``thread_refs``) and those going
by one of their subject keys, widened until no regrouped thread touches another. The core's
result over a set made of whole threads is that set's part of the grouping of everything, so the
store always agrees with threading the whole mailbox at once (``tests/mail/test_mail_threads.py``).

The counts, latest date and participants of every regrouped thread are then computed by the
database from its messages (:func:`refresh`), the same SQL the migration uses for existing mail,
so both ways agree there too. Seen changes and deletes are kept by triggers (migration 0120).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Connection, bindparam, delete, insert, select, text, update
from sqlalchemy.dialects import postgresql

from desktop.core.compose.thread_headers import message_ids
from desktop.core.conversations import Conversation, Envelope, conversations, own_id
from desktop.core.subjects import subject_key
from desktop.store.bulk import insert_rows, select_in, sqlite_timestamp, update_by_id
from desktop.store.models import Message, Thread, ThreadRef
from desktop.store.models.threads import MAX_PARTICIPANTS, PARTICIPANTS_SEPARATOR

CHUNK = 500  # ids per IN (...), well inside SQLite's parameter limit

_SQLITE_PARTICIPANTS = (
    "coalesce((SELECT group_concat(sender, char(10)) FROM (SELECT sender FROM messages "
    "WHERE thread_id = threads.id GROUP BY sender ORDER BY min(date), min(id) "
    f"LIMIT {MAX_PARTICIPANTS})), '')"
)
_POSTGRES_PARTICIPANTS = (
    "coalesce((SELECT string_agg(sender, E'\\n' ORDER BY first, first_id) FROM (SELECT sender, "
    "min(date) AS first, min(id) AS first_id FROM messages WHERE thread_id = threads.id "
    f"GROUP BY sender ORDER BY first, first_id LIMIT {MAX_PARTICIPANTS}) AS s), '')"
)
_REFRESH = (
    "UPDATE threads SET "
    "message_count = (SELECT count(*) FROM messages WHERE thread_id = threads.id), "
    "unread_count = (SELECT count(*) FROM messages WHERE thread_id = threads.id AND NOT seen), "
    "latest_date = coalesce((SELECT max(date) FROM messages WHERE thread_id = threads.id), "
    "latest_date), participants = {participants} WHERE id IN :ids"
)
assert PARTICIPANTS_SEPARATOR == "\n"  # char(10) and E'\n' above


def _is_sqlite(connection: Connection) -> bool:
    """On SQLite the writes and look-ups of a batch go to the driver in a few statements each
    (:mod:`desktop.store.bulk`): through SQLAlchemy, thread upkeep cost more than storing the
    messages it threads."""
    return connection.dialect.name == "sqlite"


def _chunks(values: Iterable[Any]) -> Iterator[list[Any]]:
    items = list(values)
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def mentions(envelope: Envelope) -> set[str]:
    """The Message-IDs a message holds or references."""
    found = set(message_ids(envelope.references))
    own = own_id(envelope.message_id)
    if own is not None:
        found.add(own)
    return found


def _threads_by_refs(connection: Connection, profile_id: int, ids: set[str]) -> set[int]:
    if _is_sqlite(connection):
        query = "SELECT thread_id FROM thread_refs WHERE profile_id = ? AND ref_id IN ({})"
        return {row[0] for row in select_in(connection, query, list(ids), profile_id)}
    found: set[int] = set()
    for chunk in _chunks(ids):
        found.update(
            connection.scalars(
                select(ThreadRef.thread_id).where(
                    ThreadRef.profile_id == profile_id, ThreadRef.ref_id.in_(chunk)
                )
            )
        )
    return found


def _threads_by_subject(connection: Connection, profile_id: int, keys: set[str]) -> set[int]:
    if _is_sqlite(connection):
        query = "SELECT id FROM threads WHERE profile_id = ? AND subject_key IN ({})"
        return {row[0] for row in select_in(connection, query, list(keys), profile_id)}
    found: set[int] = set()
    for chunk in _chunks(keys):
        found.update(
            connection.scalars(
                select(Thread.id).where(
                    Thread.profile_id == profile_id, Thread.subject_key.in_(chunk)
                )
            )
        )
    return found


def _messages_of(connection: Connection, thread_ids: set[int]) -> list[tuple[Envelope, int]]:
    loaded = []
    for chunk in _chunks(thread_ids):
        rows = connection.execute(
            select(
                Message.id,
                Message.message_id,
                Message.reference_ids,
                Message.subject,
                Message.date,
                Message.thread_id,
            ).where(Message.thread_id.in_(chunk))
        )
        for row_id, message_id, references, subject, date, thread_id in rows:
            envelope = Envelope(row_id, message_id, references, subject, date)
            assert thread_id is not None  # selected by its thread
            loaded.append((envelope, thread_id))
    return loaded


def place(connection: Connection, profile_id: int, new: Sequence[Envelope]) -> None:
    """Put just-inserted messages of one profile into their threads, merging where they join."""
    if not new:
        return
    envelopes = {envelope.key: envelope for envelope in new}
    previous: dict[int, int] = {}
    ids = set().union(*(mentions(envelope) for envelope in new))
    keys = {subject_key(envelope.subject).key for envelope in new} - {""}
    asked_ids: set[str] = set()
    asked_keys: set[str] = set()
    while True:
        found = _threads_by_refs(connection, profile_id, ids - asked_ids)
        found |= _threads_by_subject(connection, profile_id, keys - asked_keys)
        asked_ids |= ids
        asked_keys |= keys
        fresh = found - set(previous.values())
        loaded = _messages_of(connection, fresh)
        for envelope, thread_id in loaded:
            envelopes[envelope.key] = envelope
            previous[envelope.key] = thread_id
        grouped = conversations(envelopes.values())
        ids = set().union(*(mentions(envelope) for envelope, _ in loaded)) - asked_ids
        keys = {conversation.subject_key for conversation in grouped} - asked_keys - {""}
        if not ids and not keys:
            break
    _store_groups(connection, profile_id, grouped, previous)


class Headers(Protocol):
    """What threading reads of a parsed message (``ParsedMessage`` of the mail parser)."""

    message_id: str | None
    references: str
    subject: str
    date: datetime


def place_in_threads(
    connection: Connection, profile_id: int, inserted: Sequence[tuple[int, Headers]]
) -> None:
    """:func:`place` for rows the writer has just inserted (row id, parsed message)."""
    place(
        connection,
        profile_id,
        [Envelope(row, m.message_id, m.references, m.subject, m.date) for row, m in inserted],
    )


def _store_groups(
    connection: Connection,
    profile_id: int,
    grouped: list[Conversation],
    previous: dict[int, int],
) -> None:
    """Write the regrouping: each group keeps one of its old thread rows where it can."""
    kept: dict[int, Conversation] = {}
    starting: list[Conversation] = []
    for conversation in grouped:
        olds = sorted({previous[key] for key in conversation.keys if key in previous})
        keeper = next((old for old in olds if old not in kept), None)
        if keeper is None:
            starting.append(conversation)
        else:
            kept[keeper] = conversation
    # Threads kept from before may have a new top message; new ones were written with theirs.
    renamed = [
        {"thread": thread_id, "shown": c.top.subject, "key": c.subject_key}
        for thread_id, c in kept.items()
    ]
    for thread_id, conversation in zip(
        _new_threads(connection, profile_id, starting), starting, strict=True
    ):
        kept[thread_id] = conversation
    moves = [
        {"row": key, "thread": thread_id}
        for thread_id, conversation in kept.items()
        for key in conversation.keys
        if previous.get(key) != thread_id
    ]
    if moves and _is_sqlite(connection):
        update_by_id(connection, "messages", "thread_id", [(m["row"], m["thread"]) for m in moves])
    elif moves:
        connection.execute(
            update(Message)
            .where(Message.id == bindparam("row"))
            .values(thread_id=bindparam("thread")),
            moves,
        )
    dropped = set(previous.values()) - set(kept)
    for chunk in _chunks(dropped):
        connection.execute(delete(ThreadRef).where(ThreadRef.thread_id.in_(chunk)))
        connection.execute(delete(Thread).where(Thread.id.in_(chunk)))
    refs = [
        (profile_id, ref_id, thread_id)
        for thread_id, conversation in kept.items()
        for ref_id in conversation.mentioned
    ]
    if refs and _is_sqlite(connection):
        insert_rows(
            connection,
            "thread_refs",
            ("profile_id", "ref_id", "thread_id"),
            refs,
            " ON CONFLICT (profile_id, ref_id) DO UPDATE SET thread_id = excluded.thread_id",
        )
    elif refs:
        statement = postgresql.insert(ThreadRef).values(
            profile_id=bindparam("profile_id"),
            ref_id=bindparam("ref_id"),
            thread_id=bindparam("thread_id"),
        )
        upsert = statement.on_conflict_do_update(
            index_elements=["profile_id", "ref_id"],
            set_={"thread_id": statement.excluded.thread_id},
        )
        connection.execute(
            upsert, [{"profile_id": p, "ref_id": r, "thread_id": t} for p, r, t in refs]
        )
    if renamed:
        connection.execute(
            update(Thread)
            .where(Thread.id == bindparam("thread"))
            .values(subject=bindparam("shown"), subject_key=bindparam("key")),
            renamed,
        )
    refresh(connection, kept)


def _new_threads(
    connection: Connection, profile_id: int, starting: list[Conversation]
) -> list[int]:
    """Rows for new threads, their ids in order (one statement on SQLite, whose writer holds
    the store's lock, so the ids after the highest are free; RETURNING each on PostgreSQL)."""
    if not starting:
        return []
    rows = [_thread_row(profile_id, conversation) for conversation in starting]
    if connection.dialect.name != "sqlite":
        return [
            connection.execute(insert(Thread).values(**row).returning(Thread.id)).scalar_one()
            for row in rows
        ]
    highest = int(connection.scalar(text("SELECT coalesce(max(id), 0) FROM threads")) or 0)
    ids = list(range(highest + 1, highest + 1 + len(rows)))
    columns = ("id", *rows[0])
    values = [
        (i, *{**row, "latest_date": sqlite_timestamp(row["latest_date"])}.values())
        for i, row in zip(ids, rows, strict=True)
    ]
    insert_rows(connection, "threads", columns, values)
    return ids


def _thread_row(profile_id: int, conversation: Conversation) -> dict[str, Any]:
    latest: datetime = conversation.top.date
    return {
        "profile_id": profile_id,
        "subject": conversation.top.subject,
        "subject_key": conversation.subject_key,
        "message_count": 0,
        "unread_count": 0,
        "participants": "",
        "latest_date": latest,
    }


def refresh(connection: Connection, thread_ids: Iterable[int]) -> None:
    """Count, unread count, latest date and participants of threads, from their messages."""
    participants = (
        _POSTGRES_PARTICIPANTS if connection.dialect.name == "postgresql" else _SQLITE_PARTICIPANTS
    )
    statement = text(_REFRESH.format(participants=participants)).bindparams(
        bindparam("ids", expanding=True)
    )
    for chunk in _chunks(thread_ids):
        connection.execute(statement, {"ids": chunk})


def assign_all(connection: Connection) -> None:
    """Thread the mail already stored, profile by profile (migration 0120, the benchmarks)."""
    profiles = connection.scalars(
        select(Message.profile_id).where(Message.thread_id.is_(None)).distinct()
    ).all()
    for profile_id in profiles:
        rows = connection.execute(
            select(
                Message.id, Message.message_id, Message.reference_ids, Message.subject, Message.date
            ).where(Message.profile_id == profile_id, Message.thread_id.is_(None))
        )
        _store_groups(connection, profile_id, conversations(Envelope(*row) for row in rows), {})
