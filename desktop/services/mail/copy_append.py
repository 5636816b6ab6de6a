"""The server half of a copy from another profile: one APPEND per copy, never two.

Run by :mod:`~desktop.services.mail.action_replay` on the target profile's queue, over its
connection, when it reaches an APPEND row (:mod:`~desktop.services.mail.profile_copy` queued
it). The bytes are rebuilt from the copy's own row, so a copy moved, flagged or read here
before the server heard of it goes with its flags as they are now.

Before each APPEND the folder is searched for the copy's Message-ID (every copy has one): an
APPEND the app died in, after the server stored it and before the store recorded that, is then
found instead of being sent again. A folder that already held the same message gets no second
one either; the copy's row then takes the place of the one the sync stored. The UID comes from
the server's APPENDUID answer (UIDPLUS, RFC 4315) or, without one, from the same search.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.parser import BytesHeaderParser
from email.policy import compat32
from typing import Any

from imapclient.imapclient import FLAGGED, SEEN
from sqlalchemy import select

from desktop.services.authorization import internal
from desktop.services.mail.connection import AuditedClient
from desktop.services.mail.folder_listing import select_existing
from desktop.services.mail.originals import load_original, original_attachments, rebuilt
from desktop.store.models import Message, Profile
from desktop.store.session import SessionFactory, read_only

PENDING_UID = 0
"""The UID of a copy's row until the server has given it one (no real UID is 0, RFC 3501)."""
_APPENDUID = re.compile(rb"\[APPENDUID (\d+) (\d+)\]", re.IGNORECASE)


@dataclass(frozen=True)
class Appended:
    """What the server holds now: each copy's UID (None: stored, UID not known) by its row."""

    validity: int
    uids: dict[int, int | None]


@dataclass(frozen=True)
class _Copy:
    data: bytes
    message_id: str | None
    flags: tuple[bytes, ...]
    date: datetime


def message_id_of(data: bytes) -> str | None:
    found = BytesHeaderParser(policy=compat32).parsebytes(data).get("Message-ID")
    return str(found).strip() or None if found is not None else None


@internal("run by the per-profile sync owner on its connection after a gated request")
def append_copies(
    session_factory: SessionFactory, client: AuditedClient, folder: str, copy_ids: Sequence[int]
) -> Appended:
    """APPEND the copies (rows of the queue's profile) to ``folder``, made if it is missing.

    A copy deleted here before its turn is not in the answer: there is nothing to send.
    """
    validity = int(_selected(client, folder)[b"UIDVALIDITY"])
    uids: dict[int, int | None] = {}
    for copy_id in copy_ids:
        copy = _load(session_factory, copy_id)
        if copy is None:
            continue
        uid = _search(client, copy.message_id)
        if uid is None:
            answer = client.append(folder, copy.data, flags=copy.flags, msg_time=copy.date)
            matched = _APPENDUID.search(answer or b"")
            if matched:
                validity, uid = int(matched[1]), int(matched[2])
            else:
                uid = _search(client, copy.message_id)
        uids[copy_id] = uid
    return Appended(validity, uids)


def _selected(client: AuditedClient, folder: str) -> dict[bytes, Any]:
    """The folder selected (for the searches), created first when the server lacks it.

    As for a move's source: a dropped connection or a refusal of a folder that exists fails
    the step, which keeps the copies for the next attempt.
    """
    status = select_existing(client, folder)
    if status is None:
        client.create_folder(folder)
        status = client.select_folder(folder)
    return status


def _search(client: AuditedClient, message_id: str | None) -> int | None:
    if message_id is None:
        return None
    found = client.search(["HEADER", "Message-ID", message_id])
    return max(int(uid) for uid in found) if found else None


def _load(session_factory: SessionFactory, copy_id: int) -> _Copy | None:
    with read_only(session_factory) as session:
        row = session.execute(
            select(Profile.user_id, Message.seen, Message.flagged)
            .join(Profile, Profile.id == Message.profile_id)
            .where(Message.id == copy_id)
        ).first()
        if row is None:
            return None
        original = load_original(session, row.user_id, copy_id)
        assert original is not None
        data = rebuilt(original, original_attachments(session, copy_id))
    flags = (SEEN,) * row.seen + (FLAGGED,) * row.flagged
    return _Copy(data, message_id_of(data), flags, original.date)
