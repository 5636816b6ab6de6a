"""The threaded inbox: each profile's conversations, newest first, a page at a time.

Read from ``threads``, whose counts, latest date and participants the writer and the triggers
keep (``desktop.store.thread_upkeep``), so a page costs one seek per profile on
``ix_threads_page`` and a merge of at most ``limit`` rows each, like the plain inbox
(``desktop.services.mail.inbox``), whatever the mailbox size. Paging is by keyset on
``(latest_date, id)``: a thread that gets a new message moves to the top and is not shown twice
on the pages already read, since its key only grows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import parseaddr
from typing import Any

from sqlalchemy import Integer, Text, bindparam, select, text
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import TextualSelect

from desktop.services.authorization import internal
from desktop.services.mail.inbox import DEFAULT_PAGE, MAX_PAGE, Inbox, InboxRow
from desktop.store.models import Message
from desktop.store.models.base import UTCDateTime
from desktop.store.models.threads import PARTICIPANTS_SEPARATOR
from desktop.store.session import SessionFactory, read_only

ThreadKey = tuple[datetime, int]
_COLUMNS = "id, profile_id, subject, message_count, unread_count, participants, latest_date"


@dataclass(frozen=True, slots=True)
class ThreadRow:
    """One conversation as the threaded list shows it; ``participants`` are display names."""

    id: int
    profile_id: int
    profile_email: str
    subject: str
    message_count: int
    unread_count: int
    participants: tuple[str, ...]
    latest_date: datetime

    @property
    def key(self) -> ThreadKey:
        """Pass as ``after`` to get the page that follows this row."""
        return (self.latest_date, self.id)


def display_name(sender: str) -> str:
    """The name a sender goes by in a list: the display name, else the address's local part."""
    name, address = parseaddr(sender)
    return name or address.split("@")[0] or sender


def _arm(i: int, paging: bool) -> str:
    """One profile's newest conversations, from its own range of ``ix_threads_page``."""
    after = " AND (latest_date, id) < (:after_date, :after_id)" if paging else ""
    return (
        f"SELECT * FROM (SELECT {_COLUMNS} FROM threads WHERE profile_id = :profile_{i}{after} "
        f"ORDER BY latest_date DESC, id DESC LIMIT :page_limit) AS arm_{i}"
    )


def _page_statement(profiles: int, paging: bool) -> TextualSelect:
    arms = " UNION ALL ".join(_arm(i, paging) for i in range(profiles))
    sql = f"SELECT {_COLUMNS} FROM ({arms}) AS merged ORDER BY latest_date DESC, id DESC "
    statement = text(sql + "LIMIT :page_limit")
    if paging:
        statement = statement.bindparams(bindparam("after_date", type_=UTCDateTime()))
    return statement.columns(
        id=Integer,
        profile_id=Integer,
        subject=Text,
        message_count=Integer,
        unread_count=Integer,
        participants=Text,
        latest_date=UTCDateTime(),
    )


class ThreadList:
    def __init__(self, session_factory: SessionFactory) -> None:
        self._session_factory = session_factory
        self._statements: dict[tuple[int, bool], TextualSelect] = {}

    @internal("the queries behind Threads, which checks the role and ownership first")
    def page(
        self,
        user_id: int,
        profile_ids: Sequence[int] | None = None,
        after: ThreadKey | None = None,
        limit: int = DEFAULT_PAGE,
    ) -> list[ThreadRow]:
        """Up to ``limit`` conversations whose latest message follows ``after``, newest first."""
        limit = max(1, min(limit, MAX_PAGE))
        with read_only(self._session_factory) as session:
            emails = _profiles(session, user_id, profile_ids)
            if not emails:
                return []
            shape = (len(emails), after is not None)
            statement = self._statements.get(shape)
            if statement is None:
                statement = self._statements[shape] = _page_statement(*shape)
            params: dict[str, Any] = {"page_limit": limit}
            params.update({f"profile_{i}": pid for i, pid in enumerate(emails)})
            if after is not None:
                params["after_date"], params["after_id"] = after
            rows = session.execute(statement, params).all()
        return [
            ThreadRow(
                id=row_id,
                profile_id=profile_id,
                profile_email=emails[profile_id],
                subject=subject,
                message_count=count,
                unread_count=unread,
                participants=tuple(
                    display_name(sender)
                    for sender in participants.split(PARTICIPANTS_SEPARATOR)
                    if sender
                ),
                latest_date=latest,
            )
            for row_id, profile_id, subject, count, unread, participants, latest in rows
        ]

    @internal("the queries behind Threads, which checks the role and ownership first")
    def messages(self, user_id: int, thread_id: int) -> list[InboxRow]:
        """The messages of one of the user's conversations, oldest first (none if not theirs)."""
        with read_only(self._session_factory) as session:
            emails = _profiles(session, user_id, None)
            rows = session.execute(
                select(
                    Message.id,
                    Message.profile_id,
                    Message.sender,
                    Message.subject,
                    Message.date,
                    Message.seen,
                    Message.flagged,
                )
                .where(Message.thread_id == thread_id, Message.profile_id.in_(list(emails)))
                .order_by(Message.date, Message.id)
            )
            return [
                InboxRow(row_id, pid, emails[pid], sender, subject, date, seen, flagged)
                for row_id, pid, sender, subject, date, seen, flagged in rows
            ]


def _profiles(session: Session, user_id: int, profile_ids: Sequence[int] | None) -> dict[int, str]:
    return Inbox._profiles(session, user_id, profile_ids)
