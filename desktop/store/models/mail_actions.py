"""Moves and permanent deletes made in the app that the server has not been told of yet.

The store shows an action at once (a moved message is listed in its new folder, a permanently
deleted one is gone); the server learns of it from the profile's queue, maybe much later (the
app was offline, or closed). Each row is one message's pending server work, with the server
identity it had *before* the action (``folder``, ``uidvalidity``, ``uid``), since that is what
``UID MOVE`` or ``UID EXPUNGE`` must name. Rows are replayed in ``id`` order, so a restart or a
reconnect does the person's actions in the order they were made; ``batch`` keeps the messages of
one request together, so that a thousand moved at once become one server command.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from desktop.store.models.base import Base, UTCDateTime, utcnow

MOVE = "move"
EXPUNGE = "expunge"
APPEND = "append"


class MailAction(Base):
    __tablename__ = "mail_actions"
    __table_args__ = (Index("ix_mail_actions_profile", "profile_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("profiles.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    batch: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))  # MOVE | EXPUNGE | APPEND
    # The message row the move is shown on; None once it is deleted here (EXPUNGE).
    message_id: Mapped[int | None] = mapped_column(
        ForeignKey("messages.id", ondelete="SET NULL"), default=None, index=True
    )
    # Where the message is on the server before this action. 0/0 while an earlier action of
    # the same message (``after``) has not run: its result (COPYUID) fills them in.
    folder: Mapped[str] = mapped_column(String(255))
    uidvalidity: Mapped[int] = mapped_column(BigInteger)
    uid: Mapped[int] = mapped_column(BigInteger)
    after: Mapped[int | None] = mapped_column(Integer, default=None)
    target: Mapped[str | None] = mapped_column(String(255), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
