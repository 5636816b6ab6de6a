"""The stored message being answered or forwarded, read for the signed-in user only.

The store does not keep a message's raw bytes (only those of mail it could not parse), so a
forward as attachment rebuilds the original from what is stored: its From, To, Cc, Reply-To,
Subject, Date, Message-ID and References headers, its text and HTML bodies and its attachments.
Headers the store never kept (Received, DKIM signatures, list headers) are not in the copy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import format_datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.core.compose.identity import SenderProfile
from desktop.services.authorization import internal
from desktop.services.mail.draft import DraftAttachment
from desktop.services.mail.html_body import plain_text
from desktop.store.models import Attachment, Message, Profile, User


@dataclass(frozen=True)
class Original:
    id: int
    profile_id: int
    message_id: str | None
    sender: str
    to: str
    cc: str
    reply_to: str
    references: str
    subject: str
    date: datetime
    text: str
    html: str | None
    raw: bytes | None

    @property
    def readable_text(self) -> str:
        """The text body, or the words of the HTML body for mail that has only HTML."""
        if self.text.strip() or not self.html:
            return self.text
        return plain_text(self.html)


@dataclass(frozen=True)
class UserProfiles:
    """The user's name and every profile of theirs: who may be From, whose addresses are own."""

    display_name: str
    profiles: dict[int, SenderProfile]

    @property
    def addresses(self) -> set[str]:
        return {profile.email for profile in self.profiles.values()}


@internal("reads behind Composer, which checks the role first and passes the user")
def user_profiles(session: Session, user_id: int) -> UserProfiles:
    name = session.scalar(select(User.display_name).where(User.id == user_id)) or ""
    rows = session.execute(
        select(Profile.id, Profile.email, Profile.organization).where(Profile.user_id == user_id)
    )
    return UserProfiles(
        name, {row.id: SenderProfile(row.id, row.email, row.organization) for row in rows}
    )


@internal("reads behind Composer, which checks the role first and passes the user")
def load_original(session: Session, user_id: int, message_id: int) -> Original | None:
    """The message if it is one of ``user_id``'s, else None (another user's looks absent)."""
    row = session.execute(
        select(
            Message.id,
            Message.profile_id,
            Message.message_id,
            Message.sender,
            Message.to_addrs,
            Message.cc_addrs,
            Message.reply_to,
            Message.reference_ids,
            Message.subject,
            Message.date,
            Message.text,
            Message.html,
            Message.raw,
        )
        .join(Profile, Profile.id == Message.profile_id)
        .where(Message.id == message_id, Profile.user_id == user_id)
    ).first()
    if row is None:
        return None
    return Original(
        id=row.id,
        profile_id=row.profile_id,
        message_id=row.message_id,
        sender=row.sender,
        to=row.to_addrs,
        cc=row.cc_addrs,
        reply_to=row.reply_to,
        references=row.reference_ids,
        subject=row.subject,
        date=row.date,
        text=row.text,
        html=row.html,
        raw=row.raw,
    )


@internal("reads behind Composer, which checks the role first and passes the user")
def original_attachments(session: Session, message_id: int) -> tuple[DraftAttachment, ...]:
    rows = session.execute(
        select(Attachment.filename, Attachment.content_type, Attachment.content)
        .where(Attachment.message_id == message_id)
        .order_by(Attachment.id)
    )
    return tuple(DraftAttachment(*row) for row in rows)


def rebuilt(original: Original, attachments: tuple[DraftAttachment, ...]) -> bytes:
    """The original as a message of its own, for forwarding as ``message/rfc822``.

    The bytes as received when the store has them (mail it could not parse); otherwise rebuilt
    from the stored headers, bodies and attachments (see the module's docstring).
    """
    if original.raw is not None:
        return original.raw
    copy = EmailMessage(policy=default_policy)
    for name, value in (
        ("From", original.sender),
        ("To", original.to),
        ("Cc", original.cc),
        ("Reply-To", original.reply_to),
        ("Subject", original.subject),
        ("Message-ID", original.message_id or ""),
        ("References", original.references),
    ):
        if value:
            copy[name] = value
    copy["Date"] = format_datetime(original.date)
    copy.set_content(original.text or "")
    if original.html:
        copy.add_alternative(original.html, subtype="html")
    for attachment in attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        copy.add_attachment(
            attachment.content,
            maintype=maintype or "application",
            subtype=subtype or "octet-stream",
            filename=attachment.filename,
        )
    return copy.as_bytes()
