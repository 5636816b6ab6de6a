"""Delete, archive, move, flag and mark messages, one or many, over any of the user's profiles.

The store changes first, in one transaction with the audit entry and the persisted server work
(:mod:`~desktop.services.mail.action_plan`), so the window shows the result at once and a crash
loses nothing; then each profile's queue tells its server
(:mod:`~desktop.services.mail.action_replay`), now or, offline, when the connection is back.
Seen and flagged reuse the existing ``flags_dirty`` path and its flag push.

Deleting moves to the profile's Trash; what is already in the Trash is deleted for good, which
only happens when the caller passes ``permanent=True`` after asking the person
(:meth:`MailActions.permanent_count` says how many a delete would destroy). Undo takes back the
acting user's last move, archive or delete-to-Trash by moving the messages back: a new action in
the same persisted order, so it replays after the one it undoes. What may be undone is kept in
memory, per user, for the life of this service (the app or one command): a restart forgets it,
but never the server work already queued.
"""

from __future__ import annotations

import threading
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from desktop.core.folders import FolderRole
from desktop.core.roles import Action
from desktop.services.authorization import Authorizer, SignedInUser, gated
from desktop.services.errors import AccountError, NotFoundError, PermissionDeniedError
from desktop.services.mail.action_audit import (
    ARCHIVE_MAIL,
    DELETE_FOR_GOOD,
    DELETE_MAIL,
    MOVE_MAIL,
    UNDO_MAIL,
    audit_action,
    count_words,
    flag_actions,
)
from desktop.services.mail.action_plan import (
    Row,
    existing_role_folder,
    expunge_rows,
    folder_role,
    move_rows,
    owned_rows,
    refuse_unowned,
    role_folder,
)
from desktop.services.mail.sync_owner import MailSync
from desktop.store.models import Message
from desktop.store.session import SessionFactory, read_only, unit_of_work

READ = Action.READ_OWN_MAIL
_TargetOf = Callable[[Session, int], str]


class ConfirmationNeededError(AccountError):
    """The action destroys mail, or copies it to another account: the person must say yes."""


@dataclass(frozen=True)
class ActionResult:
    """What an action changed here; the servers hear of it from each profile's queue."""

    changed: int
    profile_ids: tuple[int, ...] = ()
    undoable: bool = False


class MailActions:
    def __init__(
        self, session_factory: SessionFactory, authorizer: Authorizer, mail_sync: MailSync
    ) -> None:
        self._session_factory = session_factory
        self._authorizer = authorizer
        self._mail_sync = mail_sync
        self._lock = threading.Lock()
        self._undo: dict[int, list[tuple[int, str]]] = {}

    @gated(READ, target="messages")
    def move(self, actor: SignedInUser, message_ids: Sequence[int], folder: str) -> ActionResult:
        """Move to ``folder`` of each message's own profile (a folder every profile has)."""
        return self._move(actor, message_ids, MOVE_MAIL, lambda s, pid: _named(s, pid, folder))

    @gated(READ, target="messages")
    def archive(self, actor: SignedInUser, message_ids: Sequence[int]) -> ActionResult:
        """Move to each profile's Archive folder, made when the profile has none."""
        return self._move(
            actor,
            message_ids,
            ARCHIVE_MAIL,
            lambda session, pid: role_folder(session, pid, FolderRole.ARCHIVE),
        )

    @gated(READ, target="messages")
    def permanent_count(self, actor: SignedInUser, message_ids: Sequence[int]) -> int:
        """How many of these a delete would destroy for good (they are in the Trash already)."""
        self._check(actor, message_ids)
        with read_only(self._session_factory) as session:
            rows = owned_rows(session, actor.user_id, message_ids, lock=False)
            return len(_in_trash(session, rows))

    @gated(READ, target="messages")
    def delete(
        self, actor: SignedInUser, message_ids: Sequence[int], *, permanent: bool = False
    ) -> ActionResult:
        """Move to the Trash; messages already there are deleted for good if ``permanent``.

        Without ``permanent`` a selection holding mail in the Trash is refused whole
        (:class:`ConfirmationNeededError`), so nothing happens until the person has answered.
        """
        batch = uuid.uuid4().hex
        with self._acting(actor, message_ids) as (session, rows):
            doomed = _in_trash(session, rows)
            if doomed and not permanent:
                raise ConfirmationNeededError(
                    f"{count_words(len(doomed))} already in the Trash would be deleted for "
                    "good. Confirm to delete them permanently."
                )
            kept = [row for row in rows if row.id not in doomed]
            targets = {pid: role_folder(session, pid, FolderRole.TRASH) for pid in _pids(kept)}
            moved = move_rows(session, actor.user_id, batch, kept, targets)
            gone = [row for row in rows if row.id in doomed]
            expunge_rows(session, actor.user_id, batch, gone)
            audit_action(session, actor, DELETE_MAIL, kept, targets)
            audit_action(session, actor, DELETE_FOR_GOOD, gone)
        self._remember(actor, moved)
        return ActionResult(len(moved) + len(gone), _pids(rows), undoable=bool(moved))

    @gated(READ, target="messages")
    def set_flags(
        self,
        actor: SignedInUser,
        message_ids: Sequence[int],
        *,
        seen: bool | None = None,
        flagged: bool | None = None,
    ) -> ActionResult:
        """Mark read/unread and flag/unflag; the flag push tells each server."""
        asked = (("seen", seen), ("flagged", flagged))
        values = {name: value for name, value in asked if value is not None}
        if not values:
            return ActionResult(0)
        self._check(actor, message_ids)
        with unit_of_work(self._session_factory) as session:
            rows = owned_rows(session, actor.user_id, message_ids)
            changed = 0
            for start in range(0, len(rows), 500):
                ids = [row.id for row in rows[start : start + 500]]
                differs = [getattr(Message, name) != value for name, value in values.items()]
                result = session.execute(
                    update(Message)
                    .where(Message.id.in_(ids), or_(*differs))
                    .values(flags_dirty=Message.uid.is_not(None), **values)
                )
                changed += result.rowcount or 0  # type: ignore[attr-defined]
            for code in flag_actions(seen, flagged):
                audit_action(session, actor, code, rows)
        for pid in _pids([row for row in rows if row.on_server]):
            self._mail_sync.push_flags(actor, pid)
        return ActionResult(changed, _pids(rows))

    @gated(READ, target="messages")
    def refused(self, actor: SignedInUser, message_ids: Sequence[int]) -> dict[int, str]:
        """Which of these the actor may not act on, and why, so the rest can still be done
        (the command line names each); a message of another user is audited as refused."""
        with read_only(self._session_factory) as session:
            own = {row.id for row in owned_rows(session, actor.user_id, message_ids, lock=False)}
            others = set(message_ids) - own
            known = set(session.scalars(select(Message.id).where(Message.id.in_(others))))
        reasons = {}
        for message_id in sorted(others):
            if message_id not in known:
                reasons[message_id] = f"Message {message_id} does not exist."
                continue
            try:
                self._authorizer.deny(
                    actor,
                    READ,
                    f"message {message_id}",
                    f"Message {message_id} belongs to another user.",
                )
            except PermissionDeniedError as error:
                reasons[message_id] = str(error)
        return reasons

    @gated(READ, target="messages")
    def can_undo(self, actor: SignedInUser) -> bool:
        with self._lock:
            return bool(self._undo.get(actor.user_id))

    @gated(READ, target="messages")
    def undo(self, actor: SignedInUser) -> ActionResult:
        """Move the messages of the actor's last move, archive or delete back where they were."""
        with self._lock:
            last = self._undo.pop(actor.user_id, [])
        back: dict[int, str] = dict(last)
        batch = uuid.uuid4().hex
        with self._acting(actor, back, refuse=False) as (session, rows):
            by_folder: dict[str, list[Row]] = defaultdict(list)
            for row in rows:
                by_folder[back[row.id]].append(row)
            moved = []
            for folder, group in by_folder.items():
                targets = dict.fromkeys(_pids(group), folder)
                moved += move_rows(session, actor.user_id, batch, group, targets)
                audit_action(session, actor, UNDO_MAIL, group, targets)
        return ActionResult(len(moved), _pids(rows))

    def _move(
        self,
        actor: SignedInUser,
        message_ids: Sequence[int],
        audit: str,
        target_of: _TargetOf,
    ) -> ActionResult:
        batch = uuid.uuid4().hex
        with self._acting(actor, message_ids) as (session, rows):
            targets = {pid: target_of(session, pid) for pid in _pids(rows)}
            moved = move_rows(session, actor.user_id, batch, rows, targets)
            audit_action(session, actor, audit, rows, targets)
        self._remember(actor, moved)
        return ActionResult(len(moved), _pids(rows), undoable=bool(moved))

    def _check(self, actor: SignedInUser, message_ids: Sequence[int]) -> None:
        refuse_unowned(self._session_factory, self._authorizer, actor, message_ids)

    def _refuse(self, actor: SignedInUser, missing: set[int]) -> None:
        """Raise for the first of ``missing`` (unknown, or another user's: audited), after the
        write that found them rolled back, so the audit entry does not wait for its lock."""
        refuse_unowned(self._session_factory, self._authorizer, actor, missing)

    def _remember(self, actor: SignedInUser, moved: list[tuple[int, str]]) -> None:
        if moved:
            with self._lock:
                self._undo[actor.user_id] = moved

    @contextmanager
    def _acting(
        self, actor: SignedInUser, message_ids: Iterable[int], *, refuse: bool = True
    ) -> Iterator[tuple[Session, list[Row]]]:
        """The write of an action on the actor's messages among ``message_ids``, which each
        profile's queue then tells its server.

        With ``refuse`` a message that is not the actor's, or unknown, refuses the whole
        request: the write is rolled back first and the refusal audited after it. Once the
        messages are read, the queue of each of their profiles signs in while the write goes
        on, and replays once it ends (:meth:`MailSync.apply_actions_after`); a queue that
        cannot take that step is told after the write.
        """
        wanted = set(message_ids)
        written = threading.Event()
        ahead: set[int] = set()
        missing: set[int] = set()
        try:
            with unit_of_work(self._session_factory) as session:
                rows = owned_rows(session, actor.user_id, wanted)
                missing = wanted - {row.id for row in rows} if refuse else set()
                if missing:
                    raise _Refused
                ahead = {
                    pid
                    for pid in _pids([row for row in rows if row.on_server])
                    if self._mail_sync.apply_actions_after(actor, pid, written)
                }
                yield session, rows
        except _Refused:
            self._refuse(actor, missing)
            raise
        finally:
            written.set()
        for pid in _pids([row for row in rows if row.on_server]):
            if pid not in ahead:
                self._mail_sync.apply_actions(actor, pid)


class _Refused(Exception):
    """Inside :meth:`MailActions._acting`: end the write, then refuse the request."""


def _named(session: Session, profile_id: int, folder: str) -> str:
    if folder_role(session, profile_id, folder) is None:
        raise NotFoundError(f"There is no folder named {folder!r} in this account.")
    return folder


def _in_trash(session: Session, rows: Sequence[Row]) -> set[int]:
    trash = {pid: existing_role_folder(session, pid, FolderRole.TRASH) for pid in _pids(rows)}
    return {row.id for row in rows if trash[row.profile_id] == row.folder}


def _pids(rows: Sequence[Row]) -> tuple[int, ...]:
    return tuple(sorted({row.profile_id for row in rows}))
