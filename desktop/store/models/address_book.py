"""The addresses a user's mail names, counted, for completing To, Cc and Bcc as they type.

Completion must answer at every key press, so it never reads the messages: ``address_book``
holds one row per address per user (folded to lower case, with the last display name seen and
how often it came), and ``address_book_scans`` how far into ``messages`` it has been brought.
The services bring it up to date from the messages added since, a few at a time, before they
answer.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from desktop.store.models.base import Base


class KnownAddress(Base):
    __tablename__ = "address_book"
    # The user's addresses, most used first: a completion walks this and stops at the first
    # matches, so a common prefix costs a few rows and a rare one at most the user's addresses.
    __table_args__ = (Index("ix_address_book_uses", "user_id", "uses"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    address: Mapped[str] = mapped_column(String(320), primary_key=True)
    name: Mapped[str] = mapped_column(Text, default="")
    name_key: Mapped[str] = mapped_column(Text, default="")
    uses: Mapped[int] = mapped_column(Integer, default=0)


class AddressBookScan(Base):
    """The highest message id already counted into the user's address book."""

    __tablename__ = "address_book_scans"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    last_message_id: Mapped[int] = mapped_column(Integer, default=0)
