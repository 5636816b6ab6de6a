"""Each sync starts here: the server's folder list, written to the ``folders`` table.

The list (LIST with the SPECIAL-USE flags, LSUB for what the person subscribed to) decides the
roles (:func:`desktop.core.folders.assign_roles`) and which folders the sync fetches: every
subscribed selectable one, INBOX always, never a virtual one (Gmail's All Mail would list every
message twice). Folders the server no longer lists take their messages and sync state with them,
so a folder deleted in another client disappears here too; but a folder renamed elsewhere must
not cost a refetch of everything in it. A rename looks, to LIST, like one name gone and one new:
when the new one has the UIDVALIDITY the old one was synced with, its UIDs are the same
messages (RFC 3501 keeps UIDVALIDITY across RENAME on the servers that matter), so the rows and
the sync state simply take the new name.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from imapclient.exceptions import IMAPClientAbortError, IMAPClientError
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from desktop.core.folders import UNSELECTABLE_FLAGS, VIRTUAL_ROLES, FolderRole, assign_roles
from desktop.services.authorization import internal
from desktop.services.mail.connection import AuditedClient
from desktop.store.models import Folder, MailSyncState, Message
from desktop.store.models.mail import IMPORTED_FOLDER
from desktop.store.session import SessionFactory, unit_of_work


@dataclass(frozen=True, slots=True)
class ListedFolder:
    name: str
    delimiter: str | None
    role: FolderRole
    subscribed: bool
    selectable: bool

    @property
    def synced(self) -> bool:
        """Whether the sync keeps a copy of this folder's mail."""
        if not self.selectable or self.role in VIRTUAL_ROLES:
            return False
        return self.subscribed or self.role is FolderRole.INBOX


def list_server_folders(client: AuditedClient) -> list[ListedFolder]:
    """What LIST and LSUB say now, with each folder's role."""
    listed = [
        ([_text(flag) for flag in flags], _text(delimiter) if delimiter else None, _text(name))
        for flags, delimiter, name in client.list_folders()
    ]
    subscribed = {_text(name) for _flags, _delimiter, name in client.list_sub_folders()}
    roles = assign_roles(listed)
    return [
        ListedFolder(
            name=name,
            delimiter=delimiter,
            role=roles[name],
            subscribed=name in subscribed or roles[name] is FolderRole.INBOX,
            selectable=not {flag.casefold() for flag in flags} & UNSELECTABLE_FLAGS,
        )
        for flags, delimiter, name in listed
    ]


@internal("run by the per-profile sync owner on its connection after its gated request")
def refresh_folders(
    session_factory: SessionFactory, profile_id: int, client: AuditedClient
) -> list[str]:
    """Write the server's folder list to the store; the names to sync, INBOX first.

    Renames are followed before anything is deleted, so that a renamed folder's mail stays.
    """
    folders = list_server_folders(client)
    synced = {folder.name for folder in folders if folder.synced}
    with unit_of_work(session_factory) as session:
        states: dict[str, int] = dict(
            session.execute(
                select(MailSyncState.folder, MailSyncState.uidvalidity).where(
                    MailSyncState.profile_id == profile_id
                )
            ).all()
        )
    vanished = {name: validity for name, validity in states.items() if name not in synced}
    fresh = [name for name in synced if name not in states]
    renames = _renames(client, vanished, fresh)
    with unit_of_work(session_factory) as session:
        for old, new in renames.items():
            _rename(session, profile_id, old, new)
        _forget(session, profile_id, [name for name in vanished if name not in renames])
        _write_rows(session, profile_id, folders)
    return sorted(synced, key=lambda name: (name.upper() != "INBOX", name))


def _renames(
    client: AuditedClient, vanished: dict[str, int], fresh: Iterable[str]
) -> dict[str, str]:
    """Old name -> new name for each new folder whose UIDVALIDITY a vanished one had."""
    if not vanished:
        return {}
    by_validity: dict[int, list[str]] = {}
    for name, validity in vanished.items():
        by_validity.setdefault(validity, []).append(name)
    renames: dict[str, str] = {}
    for name in fresh:
        status = client.folder_status(name, [b"UIDVALIDITY"])
        olds = by_validity.get(int(status[b"UIDVALIDITY"]), [])
        # Two vanished folders with one UIDVALIDITY cannot be told apart: refetch instead.
        if len(olds) == 1 and olds[0] not in renames:
            renames[olds[0]] = name
    return renames


def _rename(session: Session, profile_id: int, old: str, new: str) -> None:
    session.execute(
        update(Message)
        .where(Message.profile_id == profile_id, Message.folder == old)
        .values(folder=new)
    )
    session.execute(
        update(MailSyncState)
        .where(MailSyncState.profile_id == profile_id, MailSyncState.folder == old)
        .values(folder=new)
    )


def _forget(session: Session, profile_id: int, names: list[str]) -> None:
    """Drop the copies of folders the sync no longer keeps (deleted, unsubscribed, virtual)."""
    names = [name for name in names if name != IMPORTED_FOLDER]
    if not names:
        return
    session.execute(
        delete(Message).where(
            Message.profile_id == profile_id,
            Message.folder.in_(names),
            Message.uid.is_not(None),
        )
    )
    session.execute(
        delete(MailSyncState).where(
            MailSyncState.profile_id == profile_id, MailSyncState.folder.in_(names)
        )
    )


def _write_rows(session: Session, profile_id: int, folders: list[ListedFolder]) -> None:
    rows = {
        row.name: row
        for row in session.scalars(select(Folder).where(Folder.profile_id == profile_id))
    }
    listed = {folder.name for folder in folders}
    for name, row in rows.items():
        if name not in listed:
            session.delete(row)
    session.flush()
    for folder in folders:
        row = rows.get(folder.name) or Folder(profile_id=profile_id, name=folder.name)
        row.delimiter = folder.delimiter
        row.role = folder.role.value
        row.subscribed = folder.subscribed
        row.selectable = folder.selectable
        session.add(row)


def _text(value: str | bytes) -> str:
    return value if isinstance(value, str) else value.decode("utf-8", "replace")


def select_existing(client: AuditedClient, folder: str) -> dict[bytes, Any] | None:
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
