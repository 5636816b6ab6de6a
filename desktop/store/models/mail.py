"""Mail of a profile: messages, their attachments, IMAP sync state and the egress audit.

Every message belongs to a profile (never to a user directly), so two accounts of the same person
stay apart while the unified inbox still reads them together through the profiles of one user.

Full-text search lives outside these mapped tables: on SQLite an FTS5 table, filled by the store
writer when messages are inserted (``desktop.services.mail.storing``; every insert goes through
it) and kept in step by triggers on update and delete; on PostgreSQL a GIN expression index. See
``desktop.services.mail.inbox`` for the queries that use them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Connection,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desktop.store.models.base import Base, UTCDateTime, utcnow

IMPORTED_FOLDER = "Imported"
UNIQUE_MESSAGE_ID_WHERE = "uid IS NULL AND message_id IS NOT NULL"
UNIQUE_HASH_WHERE = "uid IS NULL AND message_id IS NULL"
# The sort keys of the inbox's sender and subject orders, the same SQL on SQLite and PostgreSQL:
# case folded, and a quoted display name ("Müller, Zoë" <...>) sorts by the name.
SENDER_SORT_KEY = "ltrim(lower(sender), '\" ')"
SUBJECT_SORT_KEY = "lower(subject)"


class Message(Base):
    """One message as received.

    ``uidvalidity``/``uid`` are set only for mail that came by IMAP; imported mail has neither and
    lives in :data:`IMPORTED_FOLDER`. ``body_loaded`` is false while only the headers have been
    fetched (a first sync shows the inbox before the bodies arrive). ``flags_dirty`` marks a
    seen/flagged change made here that the next sync must push to the server. A message that could
    not be parsed keeps its ``raw`` bytes and the ``parse_error`` reason instead of being dropped.

    The store itself keeps mail from being stored twice, so that two imports (or an import and a
    sync) writing at the same moment cannot duplicate it: synced mail is one row per IMAP
    identity (folder, UIDVALIDITY, UID), and mail held outside IMAP is one row per Message-ID
    or, for a message without one, per exact bytes (``content_hash``), in each profile. Messages
    without a Message-ID are therefore allowed many times, as long as their bytes differ. IMAP
    copies are left out of the Message-ID rule on purpose: a message filed in two folders is two
    server objects with their own UIDs and flags, and refusing the second would make every sync
    fetch it again. Writers insert with ``ON CONFLICT DO NOTHING`` (``services.mail.storing``).
    """

    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("profile_id", "folder", "uidvalidity", "uid", name="uq_messages_imap_uid"),
        Index("ix_messages_inbox", "profile_id", "date", "id"),
        # Newest first over every profile: a search for a common word walks this and stops at
        # the first page of matches instead of sorting every match (see services.mail.inbox).
        Index("ix_messages_date", "date", "id"),
        # Mail held outside IMAP is one row per Message-ID, or without one per exact bytes, in
        # each profile, whoever writes it at the same moment (see the class docstring).
        Index(
            "uq_messages_profile_message_id",
            "profile_id",
            "message_id",
            unique=True,
            sqlite_where=text(UNIQUE_MESSAGE_ID_WHERE),
        ),
        Index(
            "uq_messages_profile_hash",
            "profile_id",
            "content_hash",
            unique=True,
            sqlite_where=text(UNIQUE_HASH_WHERE),
        ),
        # The inbox by sender or by subject, a page per seek in each profile (migration 0114).
        Index("ix_messages_sender_order", "profile_id", text(SENDER_SORT_KEY), "date", "id"),
        Index("ix_messages_subject_order", "profile_id", text(SUBJECT_SORT_KEY), "date", "id"),
        # Unread counts per profile and per folder read only the unread rows (a small part of a
        # big mailbox; the folder since migration 0119).
        Index("ix_messages_unread", "profile_id", "folder", sqlite_where=text("seen = 0")),
        # One folder of a profile newest first, and flagged mail alone: the folder views and the
        # unified Flagged read a page per seek (migration 0119, services.mail.views).
        Index("ix_messages_folder", "profile_id", "folder", "date", "id"),
        Index("ix_messages_flagged", "profile_id", "date", "id", sqlite_where=text("flagged = 1")),
        # The messages of one thread, oldest first (its latest date after a delete, 0120).
        Index("ix_messages_thread", "thread_id", "date", "id"),
        # On PostgreSQL the partial indexes have the WHERE of POSTGRESQL_WHERE, see below.
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("profiles.id", ondelete="CASCADE"))
    folder: Mapped[str] = mapped_column(String(255))
    uidvalidity: Mapped[int | None] = mapped_column(BigInteger, default=None)
    uid: Mapped[int | None] = mapped_column(BigInteger, default=None)
    message_id: Mapped[str | None] = mapped_column(String(998), default=None)
    sender: Mapped[str] = mapped_column(Text, default="")
    to_addrs: Mapped[str] = mapped_column(Text, default="")
    cc_addrs: Mapped[str] = mapped_column(Text, default="")
    # Kept for answering: where replies go, and the thread the message belongs to (0116).
    reply_to: Mapped[str] = mapped_column(Text, default="", server_default="")
    reference_ids: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Its conversation (desktop.store.models.threads), set by the writer as it is inserted.
    thread_id: Mapped[int | None] = mapped_column(Integer, default=None)
    subject: Mapped[str] = mapped_column(Text, default="")
    date: Mapped[datetime] = mapped_column(UTCDateTime())
    date_guessed: Mapped[bool] = mapped_column(Boolean, default=False)
    text: Mapped[str] = mapped_column(Text, default="")
    html: Mapped[str | None] = mapped_column(Text, default=None)
    seen: Mapped[bool] = mapped_column(Boolean, default=False)
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    flags_dirty: Mapped[bool] = mapped_column(Boolean, default=False)
    body_loaded: Mapped[bool] = mapped_column(Boolean, default=True)
    size: Mapped[int] = mapped_column(Integer, default=0)
    content_hash: Mapped[str] = mapped_column(String(64))
    parse_error: Mapped[str | None] = mapped_column(Text, default=None)
    raw: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)

    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="message",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Attachment.id",
    )


POSTGRESQL_WHERE = {
    "uq_messages_profile_message_id": UNIQUE_MESSAGE_ID_WHERE,
    "uq_messages_profile_hash": UNIQUE_HASH_WHERE,
    "ix_messages_unread": "NOT seen",
    "ix_messages_flagged": "flagged",
}
"""The WHERE of each partial index of ``messages`` on PostgreSQL (migrations 0101, 0113, 0119)."""


@event.listens_for(Message.__table__, "before_create")
def _postgresql_where(table: Table, connection: Connection, **_: Any) -> None:
    """Give the partial indexes their PostgreSQL WHERE when PostgreSQL is about to create them.

    Declared with each index as ``postgresql_where``, it would make SQLAlchemy import its
    PostgreSQL dialect while the models load, some 20 ms of every command's start on a SQLite
    store. The migrations create these indexes themselves; this is for ``create_all``.
    """
    if connection.dialect.name != "postgresql":
        return
    for index in table.indexes:
        if index.name in POSTGRESQL_WHERE:
            index.dialect_kwargs["postgresql_where"] = text(POSTGRESQL_WHERE[index.name])


class Attachment(Base):
    """An attachment kept in the store; ``filename`` is safe to show and to save under the home."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), index=True
    )
    filename_sent: Mapped[str] = mapped_column(Text, default="")
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)

    message: Mapped[Message] = relationship(back_populates="attachments")


class MailSyncState(Base):
    """Where the last sync of one folder of one profile stopped (RFC 3501 UIDVALIDITY/UID, 7162)."""

    __tablename__ = "mail_sync_states"
    __table_args__ = (UniqueConstraint("profile_id", "folder", name="uq_mail_sync_states_folder"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("profiles.id", ondelete="CASCADE"))
    folder: Mapped[str] = mapped_column(String(255))
    uidvalidity: Mapped[int] = mapped_column(BigInteger)
    highest_uid: Mapped[int] = mapped_column(BigInteger, default=0)
    highest_modseq: Mapped[int | None] = mapped_column(BigInteger, default=None)
    synced_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class MailServerOption(Base):
    """Per-profile choices that loosen safety and so must be stored explicitly, never implied."""

    __tablename__ = "mail_server_options"

    profile_id: Mapped[int] = mapped_column(
        ForeignKey("profiles.id", ondelete="CASCADE"), primary_key=True
    )
    allow_plaintext: Mapped[bool] = mapped_column(Boolean, default=False)
    protocol_log: Mapped[bool] = mapped_column(Boolean, default=False)


class EgressEvent(Base):
    """One connection that left the machine: where, how protected, how much, which commands.

    Never credentials, never message content: ``commands`` holds command names only. An SMTP
    connection also names its envelope (sender, how many recipients and their domains, never
    their addresses) and the Message-IDs it carried, so a leak can be traced to a message.
    """

    __tablename__ = "egress_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    profile_id: Mapped[int | None] = mapped_column(
        ForeignKey("profiles.id", ondelete="SET NULL"), index=True
    )
    host: Mapped[str] = mapped_column(String(255))
    port: Mapped[int] = mapped_column(Integer)
    tls_version: Mapped[str | None] = mapped_column(String(32), default=None)
    bytes_in: Mapped[int] = mapped_column(BigInteger, default=0)
    bytes_out: Mapped[int] = mapped_column(BigInteger, default=0)
    commands: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str] = mapped_column(String(200), default="")
    envelope_sender: Mapped[str | None] = mapped_column(String(320), default=None)
    recipient_count: Mapped[int | None] = mapped_column(Integer, default=None)
    recipient_domains: Mapped[str | None] = mapped_column(Text, default=None)
    message_ids: Mapped[str | None] = mapped_column(Text, default=None)
