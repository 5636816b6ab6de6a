"""Writing parsed messages into the store in bulk.

Import and sync both land thousands of messages at a time; one executemany per batch (with
RETURNING only to attach attachments to their message) keeps that bound by SQLite, not by the ORM.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from desktop.services.mail.parse import ParsedMessage
from desktop.store.models import Attachment, Message

_MESSAGES = cast(Table, Message.__table__)
_ATTACHMENTS = cast(Table, Attachment.__table__)


@dataclass(frozen=True)
class Placement:
    """Where a message sits: its folder and, for synced mail, its IMAP identity and flags."""

    folder: str
    uidvalidity: int | None = None
    uid: int | None = None
    seen: bool = False
    flagged: bool = False
    body_loaded: bool = True


def message_row(profile_id: int, parsed: ParsedMessage, placement: Placement) -> dict[str, Any]:
    return {
        "profile_id": profile_id,
        "folder": placement.folder,
        "uidvalidity": placement.uidvalidity,
        "uid": placement.uid,
        "message_id": parsed.message_id,
        "sender": parsed.sender,
        "to_addrs": parsed.to_addrs,
        "cc_addrs": parsed.cc_addrs,
        "subject": parsed.subject,
        "date": parsed.date,
        "date_guessed": parsed.date_guessed,
        "text": parsed.text,
        "html": parsed.html,
        "seen": placement.seen,
        "flagged": placement.flagged,
        "flags_dirty": False,
        "body_loaded": placement.body_loaded,
        "size": parsed.size,
        "content_hash": parsed.content_hash,
        "parse_error": parsed.parse_error,
        "raw": parsed.raw,
    }


def insert_messages(
    session: Session, profile_id: int, items: Sequence[tuple[ParsedMessage, Placement]]
) -> None:
    if not items:
        return
    rows = [message_row(profile_id, parsed, placement) for parsed, placement in items]
    with_files = [i for i, (parsed, _) in enumerate(items) if parsed.attachments]
    if not with_files:
        session.execute(insert(_MESSAGES), rows)
        return
    ids = session.scalars(
        insert(_MESSAGES).returning(_MESSAGES.c.id, sort_by_parameter_order=True), rows
    ).all()
    store_attachments(session, [(ids[i], items[i][0]) for i in with_files])


def store_attachments(session: Session, owners: Sequence[tuple[int, ParsedMessage]]) -> None:
    rows = [
        {
            "message_id": message_id,
            "filename_sent": attachment.filename_sent,
            "filename": attachment.filename,
            "content_type": attachment.content_type,
            "size": len(attachment.content),
            "content": attachment.content,
        }
        for message_id, parsed in owners
        for attachment in parsed.attachments
    ]
    if rows:
        session.execute(insert(_ATTACHMENTS), rows)
