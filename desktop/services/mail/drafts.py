"""Drafts in the store: saved while typing, listed, reopened whole, deleted once sent.

A save is one short write transaction of its own, committed at once, so what was typed five
seconds before a crash is there after it. It costs one SELECT when nothing changed (the
fingerprint is compared first) and otherwise an UPDATE of the draft plus only the attachments
that were added or removed: a 20 MB attachment is written once, not at every save.
"""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from desktop.core.compose.identity import Kind
from desktop.services.authorization import internal
from desktop.services.errors import NotFoundError
from desktop.services.mail.draft import Draft, DraftAttachment, DraftSummary
from desktop.store.models import Draft as DraftRow
from desktop.store.models import DraftAttachment as DraftAttachmentRow
from desktop.store.models import Profile
from desktop.store.models.base import utcnow


@internal("the drafts queries behind Composer, which checks the role and the profile first")
def save(session: Session, user_id: int, draft: Draft) -> DraftSummary:
    """Insert or update the draft named by ``draft.key``; a save that changes nothing is free."""
    fingerprint = draft.fingerprint()
    row = _found(session, user_id, draft.key)
    if row is not None and row.fingerprint == fingerprint:
        return _summary(row, _email(session, row.profile_id))
    if row is None:
        row = DraftRow(key=draft.key, fingerprint=fingerprint)
        session.add(row)
    row.profile_id = draft.from_profile_id
    row.kind = draft.kind.value
    row.recipients = {"to": list(draft.to), "cc": list(draft.cc), "bcc": list(draft.bcc)}
    row.subject = draft.subject
    row.body = draft.body
    row.is_html = draft.html
    row.in_reply_to = draft.in_reply_to
    row.reference_ids = " ".join(draft.references)
    row.original_message_id = draft.original_message_id
    row.origin_profile_id = draft.origin_profile_id
    row.organization_confirmed = draft.organization_confirmed
    row.fingerprint = fingerprint
    row.updated_at = utcnow()
    session.flush()
    _save_attachments(session, row.id, draft.attachments)
    return _summary(row, _email(session, row.profile_id))


def _save_attachments(
    session: Session, draft_id: int, attachments: tuple[DraftAttachment, ...]
) -> None:
    """Write only what changed: rows are matched by (name, type, content digest), and the
    bytes already stored are never read back."""
    columns = (
        DraftAttachmentRow.id,
        DraftAttachmentRow.filename,
        DraftAttachmentRow.content_type,
        DraftAttachmentRow.digest,
        DraftAttachmentRow.position,
    )
    stored = {
        (row.filename, row.content_type, row.digest): row
        for row in session.execute(select(*columns).where(DraftAttachmentRow.draft_id == draft_id))
    }
    for position, attachment in enumerate(attachments):
        kept = stored.pop((attachment.filename, attachment.content_type, attachment.digest), None)
        if kept is not None:
            if kept.position != position:
                session.execute(
                    update(DraftAttachmentRow)
                    .where(DraftAttachmentRow.id == kept.id)
                    .values(position=position)
                )
            continue
        session.add(
            DraftAttachmentRow(
                draft_id=draft_id,
                position=position,
                filename=attachment.filename,
                content_type=attachment.content_type,
                size=attachment.size,
                digest=attachment.digest,
                content=attachment.content,
            )
        )
    if stored:
        ids = [row.id for row in stored.values()]
        session.execute(delete(DraftAttachmentRow).where(DraftAttachmentRow.id.in_(ids)))


@internal("the drafts queries behind Composer, which checks the role and the profile first")
def listed(session: Session, user_id: int, profile_id: int | None) -> list[DraftSummary]:
    """The user's drafts (of one profile, or all), the most recently saved first."""
    query = (
        select(DraftRow, Profile.email)
        .join(Profile, Profile.id == DraftRow.profile_id)
        .where(Profile.user_id == user_id)
        .order_by(DraftRow.updated_at.desc(), DraftRow.id.desc())
    )
    if profile_id is not None:
        query = query.where(DraftRow.profile_id == profile_id)
    return [_summary(row, email) for row, email in session.execute(query)]


@internal("the drafts queries behind Composer, which checks the role and the profile first")
def reopened(session: Session, user_id: int, key: str) -> Draft:
    row = _owned(session, user_id, key)
    files = session.scalars(
        select(DraftAttachmentRow)
        .where(DraftAttachmentRow.draft_id == row.id)
        .order_by(DraftAttachmentRow.position)
    )
    recipients = row.recipients or {}
    return Draft(
        key=row.key,
        kind=Kind(row.kind),
        from_profile_id=row.profile_id,
        to=tuple(recipients.get("to", ())),
        cc=tuple(recipients.get("cc", ())),
        bcc=tuple(recipients.get("bcc", ())),
        subject=row.subject,
        body=row.body,
        html=row.is_html,
        attachments=tuple(
            DraftAttachment(file.filename, file.content_type, file.content) for file in files
        ),
        in_reply_to=row.in_reply_to,
        references=tuple(row.reference_ids.split()),
        original_message_id=row.original_message_id,
        origin_profile_id=row.origin_profile_id,
        organization_confirmed=row.organization_confirmed,
    )


@internal("the drafts queries behind Composer, which checks the role and the profile first")
def deleted(session: Session, user_id: int, key: str) -> bool:
    """Whether a draft was there to delete (sending deletes it; a second delete is harmless)."""
    row = _found(session, user_id, key)
    if row is None:
        return False
    session.delete(row)
    return True


def _found(session: Session, user_id: int, key: str) -> DraftRow | None:
    """The user's draft of that key; another user's draft looks absent."""
    return session.scalar(
        select(DraftRow)
        .join(Profile, Profile.id == DraftRow.profile_id)
        .where(DraftRow.key == key, Profile.user_id == user_id)
    )


def _owned(session: Session, user_id: int, key: str) -> DraftRow:
    row = _found(session, user_id, key)
    if row is None:
        raise NotFoundError("There is no such draft: it was sent or deleted.")
    return row


def _email(session: Session, profile_id: int) -> str:
    return session.scalar(select(Profile.email).where(Profile.id == profile_id)) or ""


def _summary(row: DraftRow, email: str) -> DraftSummary:
    return DraftSummary(
        key=row.key,
        kind=Kind(row.kind),
        profile_id=row.profile_id,
        profile_email=email,
        subject=row.subject,
        to=tuple((row.recipients or {}).get("to", ())),
        updated_at=row.updated_at,
    )
