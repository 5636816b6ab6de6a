"""Telling the server of the moves and permanent deletes made in the app, in the order made.

Runs on the profile's own thread over its connection (:mod:`desktop.services.mail.sync_owner`),
before every sync and whenever an action is queued. Pending rows (:class:`MailAction`) are taken
in ``id`` order; consecutive rows of one request with the same source and target become one
command, so a thousand messages moved at once cost one ``UID MOVE``.

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
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from imapclient.exceptions import IMAPClientAbortError, IMAPClientError
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from desktop.services.authorization import internal
from desktop.services.mail.connection import AuditedClient
from desktop.services.mail.copy_append import append_copies
from desktop.store.models import MailAction, Message
from desktop.store.models.mail_actions import APPEND, EXPUNGE
from desktop.store.session import SessionFactory, read_only, unit_of_work

log = logging.getLogger(__name__)

_DELETED = b"\\Deleted"
COMMAND_BATCH = 1000
"""UIDs per server command: a thousand keeps each command line well under servers' limits."""


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
        for chunk in _chunks(group, COMMAND_BATCH):
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
            .limit(10 * COMMAND_BATCH)
        ).all()
    pending = [_Pending(*row) for row in rows]
    if not pending:
        return []
    first = pending[0]
    return list(itertools.takewhile(lambda row: row.group == first.group, pending))


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
    status = _select(client, first.folder)
    if status is None:  # the folder is gone from the server, and its mail with it
        _finish(session_factory, rows, {}, None, result)
        return
    if int(status[b"UIDVALIDITY"]) != first.uidvalidity:
        _finish(session_factory, rows, {}, None, result)
        return
    uids = [row.uid for row in rows]
    if first.kind == EXPUNGE:
        present = set(client.search(["UID", _uid_set(uids)]))
        if present:
            client.add_flags(sorted(present), [_DELETED], silent=True)
            _expunge(client, sorted(present))
        result.expunged += len(present)
        _finish(session_factory, rows, {}, None, result)
        return
    assert first.target is not None
    # With UIDPLUS the COPYUID answer says which were moved; without, ask first which exist.
    uidplus = client.has_capability("UIDPLUS")
    existing = set() if uidplus else set(client.search(["UID", _uid_set(uids)]))
    validity, mapping = _transfer(client, uids, first.target)
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
    with unit_of_work(session_factory) as session:
        _lock_messages(session, copies)
        for row in rows:
            if row.message_id not in appended.uids:  # deleted here first: nothing was sent
                result.dropped += 1
                _chain_dropped(session, row)
                continue
            result.appended += 1
            uid = appended.uids[row.message_id]
            if uid is None:  # no UID known: the next sync fetches the copy
                _forget(session, row)
            else:
                _placed(session, row, appended.validity, uid)
        session.execute(delete(MailAction).where(MailAction.id.in_([row.id for row in rows])))


def _select(client: AuditedClient, folder: str) -> dict[bytes, Any] | None:
    """The folder's status, or None when the server has no such folder.

    A dropped connection is an ``IMAPClientError`` too (imaplib's ``abort``), and so is a
    refusal of a folder that exists: both must fail the step, which keeps the rows for the next
    attempt, rather than be taken for a deleted folder and lose the person's actions.
    """
    try:
        status: dict[bytes, Any] = client.select_folder(folder)
    except IMAPClientAbortError:
        raise
    except IMAPClientError:
        if client.folder_exists(folder):
            raise
        return None
    return status


def _transfer(
    client: AuditedClient, uids: Sequence[int], target: str
) -> tuple[int | None, dict[int, int]]:
    """Move ``uids`` to ``target`` (created if missing); the target UIDVALIDITY and new UIDs."""
    try:
        return _move_or_copy(client, uids, target)
    except IMAPClientError as error:
        if "TRYCREATE" not in str(error).upper():
            raise
    client.create_folder(target)
    return _move_or_copy(client, uids, target)


def _move_or_copy(
    client: AuditedClient, uids: Sequence[int], target: str
) -> tuple[int | None, dict[int, int]]:
    responses = client._imap.untagged_responses
    responses.pop("COPYUID", None)
    if client.has_capability("MOVE"):
        client.move(list(uids), target)
    else:
        client.copy(list(uids), target)
        client.add_flags(list(uids), [_DELETED], silent=True)
        _expunge(client, list(uids))
    return _copyuid(responses.pop("COPYUID", []))


def _expunge(client: AuditedClient, uids: list[int]) -> None:
    if client.has_capability("UIDPLUS"):
        client.uid_expunge(uids)
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
    """Record what the server did: rows take their new UIDs, gone messages leave the store."""
    if not rows:
        return
    done = moved if moved is not None else set()
    with unit_of_work(session_factory) as session:
        # An action made meanwhile locks its messages before it looks for the action to
        # follow; taking the same locks first makes it wait for this commit (PostgreSQL),
        # so it never follows an action that is done and chains after nothing.
        _lock_messages(session, [row.message_id for row in rows if row.message_id is not None])
        for row in rows:
            new_uid = mapping.get(row.uid)
            if row.uid in done and new_uid is not None and validity is not None:
                _placed(session, row, validity, new_uid)
            elif row.uid in done:  # no COPYUID (no UIDPLUS): the next sync fetches the copy
                _forget(session, row)
            elif row.kind == EXPUNGE:
                _chain_dropped(session, row)
            else:
                result.dropped += 1
                _forget(session, row)
        session.execute(delete(MailAction).where(MailAction.id.in_([row.id for row in rows])))


def _lock_messages(session: Session, message_ids: list[int]) -> None:
    for start in range(0, len(message_ids), 500):
        chunk = message_ids[start : start + 500]
        session.execute(select(Message.id).where(Message.id.in_(chunk)).with_for_update())


def _placed(session: Session, row: _Pending, validity: int, uid: int) -> None:
    assert row.target is not None
    next_action = session.scalar(
        select(MailAction.id).where(MailAction.after == row.id).order_by(MailAction.id).limit(1)
    )
    if row.message_id is not None:
        taken = session.scalar(
            select(Message.id).where(
                Message.profile_id == row.profile_id,
                Message.folder == row.target,
                Message.uidvalidity == validity,
                Message.uid == uid,
            )
        )
        if taken is not None:  # a sync already stored the copy: keep that row only
            session.execute(delete(Message).where(Message.id == row.message_id))
        elif next_action is None:
            session.execute(
                update(Message)
                .where(Message.id == row.message_id)
                .values(uidvalidity=validity, uid=uid)
            )
    if next_action is not None:
        session.execute(
            update(MailAction)
            .where(MailAction.id == next_action)
            .values(folder=row.target, uidvalidity=validity, uid=uid)
        )


def _forget(session: Session, row: _Pending) -> None:
    """The message is no longer where the action thought: drop it here and what follows."""
    if row.message_id is not None:
        session.execute(delete(Message).where(Message.id == row.message_id))
    _chain_dropped(session, row)


def _chain_dropped(session: Session, row: _Pending) -> None:
    session.execute(update(MailAction).where(MailAction.after == row.id).values(uid=0))


def _copyuid(codes: list[bytes]) -> tuple[int | None, dict[int, int]]:
    """``COPYUID <uidvalidity> <source set> <target set>`` (RFC 4315) as a UID mapping."""
    mapping: dict[int, int] = {}
    validity = None
    for code in codes:
        parts = (code.decode() if isinstance(code, bytes) else str(code)).split()
        if len(parts) != 3:
            continue
        validity = int(parts[0])
        mapping.update(zip(_expand(parts[1]), _expand(parts[2]), strict=True))
    return validity, mapping


def _expand(uid_set: str) -> Iterator[int]:
    for part in uid_set.split(","):
        low, _, high = part.partition(":")
        start, end = int(low), int(high or low)
        step = 1 if end >= start else -1
        yield from range(start, end + step, step)


def _uid_set(uids: Sequence[int]) -> str:
    return ",".join(map(str, uids))


def _chunks(rows: list[_Pending], size: int) -> Iterator[list[_Pending]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


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
