"""Telling the server of the moves and permanent deletes made in the app, in the order made.

Runs on the profile's own thread over its connection (:mod:`desktop.services.mail.sync_owner`),
before every sync and whenever an action is queued. Pending rows (:class:`MailAction`) are taken
in ``id`` order; consecutive rows of one request with the same source and target become one
command over a compact UID set (``1:1000``, :mod:`desktop.core.uid_sets`), so a thousand
messages moved at once cost one short ``UID MOVE``, and the store records the answer for all of
them in one transaction of a few statements.

* With MOVE (RFC 6851) a move is ``UID MOVE``; without it ``UID COPY``, ``\\Deleted`` and
  ``UID EXPUNGE`` of just those UIDs (UIDPLUS, RFC 4315), so no other message marked deleted
  by another client is expunged with them.
* The server's COPYUID answer names each message's UID in the target; the row takes it, so the
  next sync of the target finds the message already stored instead of fetching it again.
* A message the server no longer has (expunged by another client meanwhile, or a folder whose
  UIDVALIDITY changed) is dropped quietly: the person's action is moot, not an error.
* A target the server lacks (a first Archive) is created when the server says TRYCREATE.
* A copy from another profile is an APPEND (:mod:`~desktop.services.mail.copy_append`); its
  UID is recorded the same way, so what the person did to the copy meanwhile follows it.

A crash between the server's answer and the store's commit replays the rows; the server then
has no such UIDs in the source, so they are dropped and the next sync fetches the target copy.
"""

from __future__ import annotations

import itertools
import logging
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import cast

from imapclient.exceptions import IMAPClientError
from sqlalchemy import Table, bindparam, delete, func, select, update
from sqlalchemy.orm import Session

from desktop.core.uid_sets import chunked, compact, expand
from desktop.services.authorization import internal
from desktop.services.mail.connection import AuditedClient
from desktop.services.mail.copy_append import append_copies
from desktop.services.mail.folder_listing import select_existing
from desktop.store.models import MailAction, Message
from desktop.store.models.mail_actions import APPEND, EXPUNGE
from desktop.store.session import SessionFactory, read_only, unit_of_work

log = logging.getLogger(__name__)

_DELETED = b"\\Deleted"
_MESSAGES = cast(Table, Message.__table__)
_ACTIONS = cast(Table, MailAction.__table__)
COMMAND_UIDS = 5000
"""UIDs per server command (its set is also kept short, see :mod:`desktop.core.uid_sets`): a
crash before the store has the answer replays no more than this."""
GROUP_ROWS = 2 * COMMAND_UIDS
"""Pending rows read at a time; a longer group is taken again after these are done."""
STATEMENT_IDS = 500
"""Ids per ``IN (...)`` of a store statement, far below every database's parameter limit."""


@dataclass
class ReplayResult:
    moved: int = 0
    expunged: int = 0
    dropped: int = 0
    appended: int = 0


@dataclass(frozen=True)
class _Pending:
    id: int
    profile_id: int
    batch: str
    kind: str
    message_id: int | None
    folder: str
    uidvalidity: int
    uid: int
    target: str | None

    @property
    def group(self) -> tuple[str, str, str, int, str | None]:
        return (self.batch, self.kind, self.folder, self.uidvalidity, self.target)


@internal("read by the per-profile sync owner, which replays only when something waits")
def has_pending_actions(session_factory: SessionFactory, profile_id: int) -> bool:
    with read_only(session_factory) as session:
        found = session.scalar(
            select(MailAction.id).where(MailAction.profile_id == profile_id).limit(1)
        )
        return found is not None


@internal("read by the sync, so it does not fetch again a message whose move waits")
def pending_sources(session: Session, profile_id: int, folder: str, uidvalidity: int) -> set[int]:
    """UIDs of ``folder`` that a pending action will move or expunge there."""
    return set(
        session.scalars(
            select(MailAction.uid).where(
                MailAction.profile_id == profile_id,
                MailAction.folder == folder,
                MailAction.uidvalidity == uidvalidity,
            )
        )
    )


@internal("run by the per-profile sync owner on its connection after a gated request")
def replay_actions(
    session_factory: SessionFactory, profile_id: int, client: AuditedClient
) -> ReplayResult:
    """Do every pending action of the profile on the server, oldest first."""
    if client.has_capability("CONDSTORE") and not client.condstore_enabled:
        client.enable(
            "CONDSTORE"
        )  # allowed only before a SELECT, and the sync that follows needs it
        client.condstore_enabled = True
    result = ReplayResult()
    while True:
        group = _next_group(session_factory, profile_id)
        if not group:
            return result
        for chunk in _chunks(group):
            _replay(session_factory, client, chunk, result)


def _next_group(session_factory: SessionFactory, profile_id: int) -> list[_Pending]:
    """The oldest pending rows that one command can do (the rest wait for their turn)."""
    with read_only(session_factory) as session:
        rows = session.execute(
            select(
                MailAction.id,
                MailAction.profile_id,
                MailAction.batch,
                MailAction.kind,
                MailAction.message_id,
                MailAction.folder,
                MailAction.uidvalidity,
                MailAction.uid,
                MailAction.target,
            )
            .where(MailAction.profile_id == profile_id)
            .order_by(MailAction.id)
            .limit(GROUP_ROWS)
        ).all()
    pending = [_Pending(*row) for row in rows]
    if not pending:
        return []
    first = pending[0]
    return list(itertools.takewhile(lambda row: row.group == first.group, pending))


def _chunks(group: list[_Pending]) -> Iterator[list[_Pending]]:
    """The group's rows by the UID sets of one command each (rows of UID 0 all at once)."""
    by_uid: dict[int, list[_Pending]] = defaultdict(list)
    for row in group:
        by_uid[row.uid].append(row)
    if 0 in by_uid:  # only ever a whole group: actions that follow one dropped
        yield by_uid.pop(0)
    for uids in chunked(by_uid, most=COMMAND_UIDS):
        yield [row for uid in uids for row in by_uid[uid]]


def _replay(
    session_factory: SessionFactory,
    client: AuditedClient,
    rows: list[_Pending],
    result: ReplayResult,
) -> None:
    first = rows[0]
    if first.kind == APPEND:
        _append(session_factory, client, rows, result)
        return
    if first.uid == 0:  # the earlier action of this message was dropped: nothing to act on
        _finish(session_factory, rows, {}, None, result)
        return
    status = select_existing(client, first.folder)
    if status is None:  # the folder is gone from the server, and its mail with it
        _finish(session_factory, rows, {}, None, result)
        return
    if int(status[b"UIDVALIDITY"]) != first.uidvalidity:
        _finish(session_factory, rows, {}, None, result)
        return
    uid_set = compact(row.uid for row in rows)
    if first.kind == EXPUNGE:
        present = compact(client.search(["UID", uid_set]))
        if present:
            client.add_flags(present, [_DELETED], silent=True)
            _expunge(client, present)
        result.expunged += sum(1 for _ in expand(present)) if present else 0
        _finish(session_factory, rows, {}, None, result)
        return
    assert first.target is not None
    # With UIDPLUS the COPYUID answer says which were moved; without, ask first which exist.
    uidplus = client.has_capability("UIDPLUS")
    existing = set() if uidplus else set(client.search(["UID", uid_set]))
    validity, mapping = _transfer(client, uid_set, first.target)
    moved = set(mapping) if uidplus else existing
    result.moved += len(moved)
    _finish(session_factory, rows, mapping, validity, result, moved=moved)


def _append(
    session_factory: SessionFactory,
    client: AuditedClient,
    rows: list[_Pending],
    result: ReplayResult,
) -> None:
    """Copies into the folder ``target``; each row takes the UID the server gave its copy."""
    assert rows[0].target is not None
    copies = [row.message_id for row in rows if row.message_id is not None]
    appended = append_copies(session_factory, client, rows[0].target, copies)
    uids: dict[int, int] = {}
    dropped, unknown = [], []
    for row in rows:
        if row.message_id not in appended.uids:  # deleted here first: nothing was sent
            dropped.append(row)
        elif (uid := appended.uids[row.message_id]) is None:
            unknown.append(row)
        else:
            uids[row.id] = uid
    placed = [row for row in rows if row.id in uids]
    result.dropped += len(dropped)
    result.appended += len(rows) - len(dropped)
    with unit_of_work(session_factory) as session:
        _lock_messages(session, copies)
        if placed:
            _placed(session, placed, appended.validity, uids)
        # No UID known (no APPENDUID, no Message-ID match): the next sync fetches the copy.
        _delete_messages(session, [row.message_id for row in unknown if row.message_id])
        _chain_dropped(session, [row.id for row in dropped + unknown])
        session.execute(delete(MailAction).where(MailAction.id.in_([row.id for row in rows])))


def _transfer(
    client: AuditedClient, uid_set: str, target: str
) -> tuple[int | None, dict[int, int]]:
    """Move ``uid_set`` to ``target`` (created if missing); the target UIDVALIDITY, new UIDs."""
    try:
        return _move_or_copy(client, uid_set, target)
    except IMAPClientError as error:
        if "TRYCREATE" not in str(error).upper():
            raise
    client.create_folder(target)
    return _move_or_copy(client, uid_set, target)


def _move_or_copy(
    client: AuditedClient, uid_set: str, target: str
) -> tuple[int | None, dict[int, int]]:
    responses = client._imap.untagged_responses
    responses.pop("COPYUID", None)
    if client.has_capability("MOVE"):
        client.move(uid_set, target)
    else:
        client.copy(uid_set, target)
        client.add_flags(uid_set, [_DELETED], silent=True)
        _expunge(client, uid_set)
    return _copyuid(responses.pop("COPYUID", []))


def _expunge(client: AuditedClient, uid_set: str) -> None:
    if client.has_capability("UIDPLUS"):
        client.uid_expunge(uid_set)
    else:  # a plain EXPUNGE also removes what other clients marked deleted: the best there is
        client.expunge()


def _finish(
    session_factory: SessionFactory,
    rows: list[_Pending],
    mapping: dict[int, int],
    validity: int | None,
    result: ReplayResult,
    *,
    moved: set[int] | None = None,
) -> None:
    """Record what the server did: rows take their new UIDs, gone messages leave the store.

    A few statements for the whole chunk, whatever its size: a statement per message made the
    bookkeeping of a thousand moved messages cost ten times the server's work.
    """
    done = moved if moved is not None else set()
    placed = [row for row in rows if row.uid in done and row.uid in mapping and validity]
    kept = {row.id for row in placed}
    gone = [row for row in rows if row.id not in kept and row.kind != EXPUNGE]
    result.dropped += sum(1 for row in gone if row.uid not in done)
    # The WAL checkpoint this commit would run (it often does: a thousand rows rewritten twice)
    # runs once the queue has reported the replay (sync_owner), not before the report.
    with unit_of_work(session_factory, checkpoint_later=True) as session:
        # An action made meanwhile locks its messages before it looks for the action to
        # follow; taking the same locks first makes it wait for this commit (PostgreSQL),
        # so it never follows an action that is done and chains after nothing.
        _lock_messages(session, [row.message_id for row in rows if row.message_id is not None])
        if validity is not None and placed:
            _placed(session, placed, validity, {row.id: mapping[row.uid] for row in placed})
        # Moved without COPYUID (no UIDPLUS: the next sync fetches the copy), or no longer
        # where the action thought: the row goes, and what follows it has nothing to act on.
        _delete_messages(session, [row.message_id for row in gone if row.message_id is not None])
        _chain_dropped(session, [row.id for row in rows if row.id not in kept])
        for ids in _batches([row.id for row in rows]):
            session.execute(delete(MailAction).where(MailAction.id.in_(ids)))


def _batches(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), STATEMENT_IDS):
        yield ids[start : start + STATEMENT_IDS]


def _lock_messages(session: Session, message_ids: list[int]) -> None:
    """Row locks on PostgreSQL; SQLite has none, and its write began holding the write lock."""
    if session.get_bind().dialect.name == "sqlite":
        return
    for chunk in _batches(message_ids):
        session.execute(select(Message.id).where(Message.id.in_(chunk)).with_for_update())


def _placed(session: Session, rows: list[_Pending], validity: int, uids: dict[int, int]) -> None:
    """The rows' messages are in the target under ``uids`` (action id -> new UID).

    A message a sync already stored there keeps that row only; a message moved again
    meanwhile waits for its next action (which now knows where it is) before it takes a UID.
    """
    first = rows[0]
    assert first.target is not None
    ids = {row.id for row in rows}
    later = session.execute(  # few, if any: the actions that wait for an earlier one
        select(MailAction.after, func.min(MailAction.id))
        .where(MailAction.profile_id == first.profile_id, MailAction.after.is_not(None))
        .group_by(MailAction.after)
    )
    following = {after: next_id for after, next_id in later if after in ids}
    new_uids = set(uids.values())
    stored = session.scalars(  # the new UIDs are a few runs: one range, not a list of each
        select(Message.uid).where(
            Message.profile_id == first.profile_id,
            Message.folder == first.target,
            Message.uidvalidity == validity,
            Message.uid.between(min(new_uids), max(new_uids)),
        )
    )
    taken = {uid for uid in stored if uid in new_uids}
    messages = {row.id: row.message_id for row in rows if row.message_id is not None}
    _delete_messages(session, [messages[aid] for aid in messages if uids[aid] in taken])
    settled = [
        {"b_id": message_id, "b_uid": uids[aid]}
        for aid, message_id in messages.items()
        if uids[aid] not in taken and aid not in following
    ]
    if settled:
        session.execute(
            update(_MESSAGES)
            .where(_MESSAGES.c.id == bindparam("b_id"))
            .values(uidvalidity=validity, uid=bindparam("b_uid")),
            settled,
        )
    chained = [
        {"b_id": following[row.id], "b_uid": uids[row.id]} for row in rows if row.id in following
    ]
    if chained:
        session.execute(
            update(_ACTIONS)
            .where(_ACTIONS.c.id == bindparam("b_id"))
            .values(folder=first.target, uidvalidity=validity, uid=bindparam("b_uid")),
            chained,
        )


def _delete_messages(session: Session, message_ids: list[int]) -> None:
    for ids in _batches(message_ids):
        session.execute(delete(Message).where(Message.id.in_(ids)))


def _chain_dropped(session: Session, action_ids: list[int]) -> None:
    """The actions following these have nothing to act on (UID 0)."""
    for ids in _batches(action_ids):
        session.execute(update(MailAction).where(MailAction.after.in_(ids)).values(uid=0))


def _copyuid(codes: list[bytes]) -> tuple[int | None, dict[int, int]]:
    """``COPYUID <uidvalidity> <source set> <target set>`` (RFC 4315) as a UID mapping."""
    mapping: dict[int, int] = {}
    validity = None
    for code in codes:
        parts = (code.decode() if isinstance(code, bytes) else str(code)).split()
        if len(parts) != 3:
            continue
        validity = int(parts[0])
        mapping.update(zip(expand(parts[1]), expand(parts[2]), strict=True))
    return validity, mapping


@internal("run by the per-profile sync owner on its connection after a gated request")
def replay_pending(
    session_factory: SessionFactory, profile_id: int, client: AuditedClient
) -> ReplayResult:
    """The profile's pending actions, then the flag changes that waited for their new UIDs."""
    from desktop.services.mail.imap_sync import dirty_folders, push_dirty_flags

    result = ReplayResult()
    if has_pending_actions(session_factory, profile_id):
        result = replay_actions(session_factory, profile_id, client)
    if (result.moved or result.appended) and dirty_folders(session_factory, profile_id):
        push_dirty_flags(session_factory, profile_id, client)
    return result
