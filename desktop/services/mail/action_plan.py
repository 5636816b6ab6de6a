"""The store's half of an action: the message shows in its new folder (or is gone) at once.

Each change is made inside the caller's transaction together with the :class:`MailAction` rows
that tell the profile's queue what the server must do, so the two cannot disagree after a crash.
A moved row keeps its UID but loses its UIDVALIDITY until the server has moved it: the sync of
either folder then neither deletes it nor takes it for another message, and its seen/flagged
changes wait for the new UID. A message moved again before the server heard of the first move
gets a row that follows the first (``after``): the first one's COPYUID answer tells it where the
message is.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, delete, func, insert, select, update
from sqlalchemy.orm import Session

from desktop.core.folders import WELL_KNOWN_NAMES, FolderRole
from desktop.core.roles import Action
from desktop.services.authorization import Authorizer, SignedInUser, internal
from desktop.services.errors import NotFoundError
from desktop.store.models import Folder, MailAction, Message, Profile
from desktop.store.models.mail_actions import EXPUNGE, MOVE
from desktop.store.session import SessionFactory, read_only

_MESSAGES = cast(Table, Message.__table__)
_ACTIONS = cast(Table, MailAction.__table__)


@dataclass(frozen=True)
class Row:
    """A message as an action sees it: where it is shown and where the server has it."""

    id: int
    profile_id: int
    folder: str
    uidvalidity: int | None
    uid: int | None

    @property
    def on_server(self) -> bool:
        return self.uid is not None

    @property
    def pending(self) -> bool:
        """A move of it waits for the server (its UID in the new folder is not known yet)."""
        return self.uid is not None and self.uidvalidity is None


@internal("read behind MailActions, which checks the role and passes the acting user")
def owned_rows(
    session: Session, user_id: int, message_ids: Iterable[int], *, lock: bool = True
) -> list[Row]:
    """The actor's messages among ``message_ids``, locked for the change (PostgreSQL)."""
    wanted = sorted(set(message_ids))
    rows: list[Row] = []
    for start in range(0, len(wanted), 500):
        query = (
            select(Message.id, Message.profile_id, Message.folder, Message.uidvalidity, Message.uid)
            .join(Profile, Profile.id == Message.profile_id)
            .where(Profile.user_id == user_id, Message.id.in_(wanted[start : start + 500]))
            .order_by(Message.id)
        )
        found = session.execute(query.with_for_update(of=Message) if lock else query)
        rows.extend(Row(*row) for row in found)
    return rows


@internal("a check of MailActions and ProfileCopy, after the gate and before their write")
def refuse_unowned(
    session_factory: SessionFactory,
    authorizer: Authorizer,
    actor: SignedInUser,
    message_ids: Iterable[int],
) -> None:
    """Refuse the whole request if a message is not the actor's (audited), or is unknown.

    Runs in a read of its own before the write begins: a refusal inside the write would
    hold SQLite's write lock while the audit entry waits for it, so the entry would be
    written only after the request had failed, or lost with the process.
    """
    wanted = set(message_ids)
    with read_only(session_factory) as session:
        rows = owned_rows(session, actor.user_id, wanted, lock=False)
        missing = wanted - {row.id for row in rows}
        if not missing:
            return
        first = min(missing)
        exists = session.scalar(select(Message.id).where(Message.id == first)) is not None
    if not exists:
        raise NotFoundError(f"Message {first} does not exist.")
    authorizer.deny(
        actor, Action.READ_OWN_MAIL, f"message {first}", f"Message {first} belongs to another user."
    )


@internal("read behind MailActions, which checks the role and passes the acting user")
def folder_role(session: Session, profile_id: int, name: str) -> FolderRole | None:
    """The role of the profile's folder ``name``; None when the profile has no such folder."""
    role = session.scalar(
        select(Folder.role).where(Folder.profile_id == profile_id, Folder.name == name)
    )
    return None if role is None else FolderRole(role)


@internal("read behind MailActions, which checks the role and passes the acting user")
def existing_role_folder(session: Session, profile_id: int, role: FolderRole) -> str | None:
    return session.scalar(
        select(Folder.name).where(Folder.profile_id == profile_id, Folder.role == role.value)
    )


@internal("read behind MailActions, which checks the role and passes the acting user")
def role_folder(session: Session, profile_id: int, role: FolderRole) -> str:
    """The profile's folder with ``role``, added here when the server has none yet.

    A new one gets the well-known name under the prefix the server puts its folders under
    ("INBOX.Archive" on a server whose folders all live under INBOX), and the queue creates it
    on the server when the first message goes there (TRYCREATE).
    """
    found = existing_role_folder(session, profile_id, role)
    if found is not None:
        return found
    folders = session.execute(
        select(Folder.name, Folder.delimiter).where(Folder.profile_id == profile_id)
    ).all()
    name = WELL_KNOWN_NAMES[role][0]
    delimiter = next((d for _n, d in folders if d), None)
    others = [n for n, _d in folders if n.casefold() != "inbox"]
    if delimiter and others and all(n.upper().startswith("INBOX" + delimiter) for n in others):
        name = f"INBOX{delimiter}{name}"
    session.add(Folder(profile_id=profile_id, name=name, delimiter=delimiter, role=role.value))
    session.flush()
    return name


@internal("a step of MailActions, inside its transaction after its checks")
def move_rows(
    session: Session, user_id: int, batch: str, rows: Sequence[Row], targets: dict[int, str]
) -> list[tuple[int, str]]:
    """Show each row in its profile's target folder; (message, old folder) of those moved."""
    moving = [row for row in rows if row.folder != targets[row.profile_id]]
    if not moving:
        return []
    earlier = _latest_actions(session, [row.id for row in moving if row.pending])
    actions: list[dict[str, Any]] = []
    for row in moving:
        if not row.on_server or (row.pending and row.id not in earlier):
            continue
        actions.append(
            _action(
                user_id, batch, MOVE, row, after=earlier.get(row.id), target=targets[row.profile_id]
            )
        )
    if actions:
        session.execute(insert(_ACTIONS), actions)
    by_target: dict[str, list[int]] = defaultdict(list)
    for row in moving:
        by_target[targets[row.profile_id]].append(row.id)
    for target, ids in by_target.items():
        for start in range(0, len(ids), 500):
            session.execute(
                update(_MESSAGES)
                .where(_MESSAGES.c.id.in_(ids[start : start + 500]))
                .values(folder=target, uidvalidity=None)
            )
    return [(row.id, row.folder) for row in moving]


@internal("a step of MailActions, inside its transaction after its checks")
def expunge_rows(session: Session, user_id: int, batch: str, rows: Sequence[Row]) -> None:
    """Delete the rows here; the server's copies are expunged from the profile's queue."""
    earlier = _latest_actions(session, [row.id for row in rows if row.pending])
    actions = [
        _action(user_id, batch, EXPUNGE, row, after=earlier.get(row.id), target=None)
        for row in rows
        if row.on_server and (not row.pending or row.id in earlier)
    ]
    if actions:
        session.execute(insert(MailAction), actions)
    ids = [row.id for row in rows]
    for start in range(0, len(ids), 500):
        session.execute(delete(Message).where(Message.id.in_(ids[start : start + 500])))


def _action(
    user_id: int, batch: str, kind: str, row: Row, *, after: int | None, target: str | None
) -> dict[str, Any]:
    known = after is None
    return {
        "profile_id": row.profile_id,
        "user_id": user_id,
        "batch": batch,
        "kind": kind,
        "message_id": row.id if kind == MOVE else None,
        "folder": row.folder,
        "uidvalidity": row.uidvalidity if known else 0,
        "uid": row.uid if known else 0,
        "after": after,
        "target": target,
    }


def _latest_actions(session: Session, message_ids: list[int]) -> dict[int, int]:
    """The last pending action of each message: the one a new action must follow."""
    latest: dict[int, int] = {}
    for start in range(0, len(message_ids), 500):
        rows = session.execute(
            select(MailAction.message_id, func.max(MailAction.id))
            .where(MailAction.message_id.in_(message_ids[start : start + 500]))
            .group_by(MailAction.message_id)
        )
        latest.update((message_id, action_id) for message_id, action_id in rows if message_id)
    return latest
