"""What is being written: drafts with their attachments, and each profile's signature.

A draft is saved while the person types (at most every few seconds, and on close), each save in
its own committed transaction, so that it survives a crash of the app. Its attachments are kept
here as bytes, not as paths: the file chosen yesterday may be gone or changed when the draft is
reopened. ``key`` is chosen by the writer when the draft is started, so saving the same draft
twice updates one row whoever saves first; ``fingerprint`` is a hash of everything saved, so a
save that changes nothing writes nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desktop.store.models.base import Base, UTCDateTime, utcnow


class Draft(Base):
    __tablename__ = "drafts"
    __table_args__ = (Index("ix_drafts_profile_updated", "profile_id", "updated_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("profiles.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    recipients: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    subject: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    is_html: Mapped[bool] = mapped_column(Boolean, default=False)
    in_reply_to: Mapped[str | None] = mapped_column(String(998), default=None)
    reference_ids: Mapped[str] = mapped_column(Text, default="")
    original_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("messages.id", ondelete="SET NULL"), default=None
    )
    origin_profile_id: Mapped[int | None] = mapped_column(
        ForeignKey("profiles.id", ondelete="SET NULL"), default=None
    )
    organization_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    attachments: Mapped[list[DraftAttachment]] = relationship(
        back_populates="draft",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="DraftAttachment.position",
    )


class DraftAttachment(Base):
    __tablename__ = "draft_attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(Text)
    content_type: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(Integer)
    digest: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)

    draft: Mapped[Draft] = relationship(back_populates="attachments")


class DraftUpload(Base):
    """One copy of a draft in a profile's Drafts folder on the server, or one being appended.

    Not a child of ``drafts``: the row must outlive the draft (sent or discarded) until its
    server copy is deleted. ``message_id`` is written, committed, before the APPEND, and ``uid``
    after it; a row without a ``uid`` is an APPEND the app may have died in, found again by
    that Message-ID, so a restart neither loses track of a copy nor appends it twice.
    """

    __tablename__ = "draft_uploads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    profile_id: Mapped[int] = mapped_column(
        ForeignKey("profiles.id", ondelete="CASCADE"), index=True
    )
    draft_key: Mapped[str] = mapped_column(String(64))
    fingerprint: Mapped[str] = mapped_column(String(64))
    folder: Mapped[str] = mapped_column(Text)
    message_id: Mapped[str] = mapped_column(String(998))
    uidvalidity: Mapped[int | None] = mapped_column(BigInteger, default=None)
    uid: Mapped[int | None] = mapped_column(BigInteger, default=None)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Signature(Base):
    """The text under ``-- `` in the profile's new messages and answers."""

    __tablename__ = "signatures"

    profile_id: Mapped[int] = mapped_column(
        ForeignKey("profiles.id", ondelete="CASCADE"), primary_key=True
    )
    text: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
