"""Conversations of each profile: one row per thread, with what the threaded list shows.

A message's ``thread_id`` names its thread (:class:`~desktop.store.models.Message`). The counts,
the latest date and the participants are kept on the thread row rather than counted when the
list is read, so that the threaded first page reads one index range per profile however big
the mailbox: the writer sets them when mail is inserted (``desktop.store.thread_upkeep``), and
triggers keep them when a seen flag changes or a message is deleted (migration 0120).

``thread_refs`` maps every Message-ID a thread holds or references (parents that never arrived
included) to the thread, so that a new message finds the thread it answers, or the thread that
already answered it, by an index seek instead of reading References of every message.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from desktop.store.models.base import Base, UTCDateTime

PARTICIPANTS_SEPARATOR = "\n"  # never inside a header value once it is unfolded
MAX_PARTICIPANTS = 10


class Thread(Base):
    __tablename__ = "threads"
    __table_args__ = (
        # The threaded list, newest first, a seek per profile (as ix_messages_inbox for mail).
        Index("ix_threads_page", "profile_id", "latest_date", "id"),
        Index("ix_threads_subject", "profile_id", "subject_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("profiles.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(Text, default="")
    # The subject without Re:/Fwd: prefixes, case folded (desktop.core.subjects).
    subject_key: Mapped[str] = mapped_column(Text, default="")
    message_count: Mapped[int] = mapped_column(Integer, default=0)
    unread_count: Mapped[int] = mapped_column(Integer, default=0)
    # Senders in the order they first wrote, at most MAX_PARTICIPANTS, one a line.
    participants: Mapped[str] = mapped_column(Text, default="")
    latest_date: Mapped[datetime] = mapped_column(UTCDateTime())


class ThreadRef(Base):
    __tablename__ = "thread_refs"

    profile_id: Mapped[int] = mapped_column(
        ForeignKey("profiles.id", ondelete="CASCADE"), primary_key=True
    )
    ref_id: Mapped[str] = mapped_column(String(998), primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"), index=True)
