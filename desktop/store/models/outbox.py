"""Sending mail: each profile's SMTP server, and the outbox of messages waiting to leave.

An outbox row is written (and committed) before any network, so a message the user sent is never
only in memory. Its ``state`` is the one source of truth about delivery: ``sending`` is committed
before the SMTP DATA command, so a row found in ``sending`` after a crash may already have been
delivered, and is never sent again without the user's word.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from desktop.store.models.base import Base, UTCDateTime, utcnow


class SmtpServer(Base):
    """Where a profile sends from. The password is the IMAP one unless ``own_password``."""

    __tablename__ = "smtp_servers"

    profile_id: Mapped[int] = mapped_column(
        ForeignKey("profiles.id", ondelete="CASCADE"), primary_key=True
    )
    host: Mapped[str] = mapped_column(String(255))
    port: Mapped[int] = mapped_column(Integer)
    security: Mapped[str] = mapped_column(String(16), default="starttls")
    user: Mapped[str | None] = mapped_column(String(320), default=None)
    ca_file: Mapped[str | None] = mapped_column(Text, default=None)
    own_password: Mapped[bool] = mapped_column(Boolean, default=False)
    server_saves_sent: Mapped[bool] = mapped_column(Boolean, default=False)


class OutboxMessage(Base):
    """One message on its way out: the exact bytes, the envelope, and where delivery stands."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    profile_id: Mapped[int] = mapped_column(
        ForeignKey("profiles.id", ondelete="CASCADE"), index=True
    )
    state: Mapped[str] = mapped_column(String(24), index=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    envelope_sender: Mapped[str] = mapped_column(String(320))
    recipients: Mapped[list[str]] = mapped_column(JSON)
    message_id: Mapped[str | None] = mapped_column(String(998), default=None)
    subject: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    copy_saved: Mapped[bool] = mapped_column(Boolean, default=False)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
