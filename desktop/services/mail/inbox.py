"""The unified inbox: every profile of one user, newest first, read a page at a time.

API (all methods take the signed-in ``user_id`` and never return mail of another user's profile)::

    inbox = Inbox(session_factory)
    inbox.page(user_id, profile_ids=None, search=None, after=None, limit=100) -> list[InboxRow]
    inbox.count(user_id, profile_ids=None, search=None) -> int
    inbox.unread_counts(user_id) -> dict[int, int]          # profile id -> unread messages
    inbox.get(user_id, message_id) -> MessageDetail | None
    inbox.open(user_id, message_id) -> MessageDetail | None  # get + mark seen (pushed by sync)
    inbox.mark_seen(user_id, message_id, seen=True) -> bool
    inbox.set_flagged(user_id, message_id, flagged=True) -> bool

Paging is by keyset, never by OFFSET: ``after`` is the ``key`` of the last row already shown (the
``(date, id)`` pair), so page 500 costs what page 1 costs and rows arriving during a sync do not
shift what the user is scrolling through. A lazy Qt model calls ``page(..., after=rows[-1].key)``
from ``fetchMore``.

Each profile's newest rows come from its own range of the ``(profile_id, date, id)`` index and
are merged (``UNION ALL`` of per-profile ``LIMIT`` queries), so opening the inbox reads at most
``limit`` rows per profile whatever the mailbox sizes. ``search`` is full-text over subject,
sender and body (FTS5 on SQLite, ``to_tsvector('simple', ...)`` with its GIN index on PostgreSQL);
every word must match, the last one also as a prefix so results follow typing.

Changes of seen/flagged made here set ``flags_dirty``; the next sync of that profile pushes them
to the server (so opening a message marks it ``\\Seen`` there too).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    false,
    func,
    literal_column,
    select,
    text,
    tuple_,
    union_all,
    update,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable

from desktop.store.models import Attachment, Message, Profile
from desktop.store.session import SessionFactory, unit_of_work

DEFAULT_PAGE = 100
MAX_PAGE = 1000
# Must stay identical to the expression of the GIN index made by the mail migration.
POSTGRES_DOCUMENT = (
    "to_tsvector('simple', coalesce(messages.subject, '') || ' ' || coalesce(messages.sender, '')"
    " || ' ' || left(coalesce(messages.text, ''), 100000))"
)
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class InboxRow:
    id: int
    profile_id: int
    profile_email: str
    sender: str
    subject: str
    date: datetime
    seen: bool
    flagged: bool

    @property
    def key(self) -> tuple[datetime, int]:
        """Pass as ``after`` to get the page that follows this row."""
        return (self.date, self.id)


@dataclass(frozen=True, slots=True)
class AttachmentInfo:
    id: int
    filename: str
    content_type: str
    size: int


@dataclass(frozen=True, slots=True)
class MessageDetail:
    id: int
    profile_id: int
    profile_email: str
    folder: str
    sender: str
    to: str
    cc: str
    subject: str
    date: datetime
    date_guessed: bool
    text: str
    html: str | None
    seen: bool
    flagged: bool
    body_loaded: bool
    parse_error: str | None
    attachments: tuple[AttachmentInfo, ...]


_ROW_COLUMNS = (
    Message.id,
    Message.profile_id,
    Message.sender,
    Message.subject,
    Message.date,
    Message.seen,
    Message.flagged,
)


class Inbox:
    def __init__(self, session_factory: SessionFactory) -> None:
        self._session_factory = session_factory

    def page(
        self,
        user_id: int,
        profile_ids: Sequence[int] | None = None,
        search: str | None = None,
        after: tuple[datetime, int] | None = None,
        limit: int = DEFAULT_PAGE,
    ) -> list[InboxRow]:
        """Up to ``limit`` rows older than ``after`` (all from the newest when None)."""
        limit = max(1, min(limit, MAX_PAGE))
        with self._session_factory() as session:
            emails = self._profiles(session, user_id, profile_ids)
            if not emails:
                return []
            match = _search_condition(session, search)
            if search is not None and match is None:
                return []
            statement = _page_statement(list(emails), match, after, limit)
            rows = session.execute(statement).all()
        return [
            InboxRow(
                id=row.id,
                profile_id=row.profile_id,
                profile_email=emails[row.profile_id],
                sender=row.sender,
                subject=row.subject,
                date=row.date,
                seen=bool(row.seen),
                flagged=bool(row.flagged),
            )
            for row in rows
        ]

    def count(
        self, user_id: int, profile_ids: Sequence[int] | None = None, search: str | None = None
    ) -> int:
        with self._session_factory() as session:
            emails = self._profiles(session, user_id, profile_ids)
            match = _search_condition(session, search)
            if not emails or (search is not None and match is None):
                return 0
            statement = select(func.count()).where(Message.profile_id.in_(list(emails)))
            if match is not None:
                statement = statement.where(match)
            return int(session.scalar(statement) or 0)

    def unread_counts(self, user_id: int) -> dict[int, int]:
        """Unread messages per profile of the user; every profile is present, zero included."""
        with self._session_factory() as session:
            emails = self._profiles(session, user_id, None)
            counts = dict.fromkeys(emails, 0)
            rows = session.execute(
                select(Message.profile_id, func.count())
                .where(Message.profile_id.in_(list(emails)), Message.seen == false())
                .group_by(Message.profile_id)
            )
            for profile_id, unread in rows:
                counts[profile_id] = unread
            return counts

    def get(self, user_id: int, message_id: int) -> MessageDetail | None:
        with self._session_factory() as session:
            return self._detail(session, user_id, message_id)

    def open(self, user_id: int, message_id: int) -> MessageDetail | None:
        """The message for reading; marks it seen here and, at the next sync, on the server."""
        if not self.mark_seen(user_id, message_id):
            return None
        return self.get(user_id, message_id)

    def mark_seen(self, user_id: int, message_id: int, seen: bool = True) -> bool:
        return self._set_flag(user_id, message_id, seen=seen)

    def set_flagged(self, user_id: int, message_id: int, flagged: bool = True) -> bool:
        return self._set_flag(user_id, message_id, flagged=flagged)

    def _set_flag(self, user_id: int, message_id: int, **values: bool) -> bool:
        """Change a flag; returns False when the message is not one of this user's."""
        with unit_of_work(self._session_factory) as session:
            owned = self._profiles(session, user_id, None)
            current = session.execute(
                select(Message.profile_id, Message.seen, Message.flagged).where(
                    Message.id == message_id
                )
            ).first()
            if current is None or current.profile_id not in owned:
                return False
            changed = any(getattr(current, name) != value for name, value in values.items())
            if changed:
                session.execute(
                    update(Message)
                    .where(Message.id == message_id)
                    .values(flags_dirty=True, **values)
                )
            return True

    def _detail(self, session: Session, user_id: int, message_id: int) -> MessageDetail | None:
        emails = self._profiles(session, user_id, None)
        message = session.get(Message, message_id)
        if message is None or message.profile_id not in emails:
            return None
        files = session.execute(
            select(Attachment.id, Attachment.filename, Attachment.content_type, Attachment.size)
            .where(Attachment.message_id == message_id)
            .order_by(Attachment.id)
        )
        return MessageDetail(
            id=message.id,
            profile_id=message.profile_id,
            profile_email=emails[message.profile_id],
            folder=message.folder,
            sender=message.sender,
            to=message.to_addrs,
            cc=message.cc_addrs,
            subject=message.subject,
            date=message.date,
            date_guessed=message.date_guessed,
            text=message.text,
            html=message.html,
            seen=message.seen,
            flagged=message.flagged,
            body_loaded=message.body_loaded,
            parse_error=message.parse_error,
            attachments=tuple(AttachmentInfo(*row) for row in files),
        )

    @staticmethod
    def _profiles(
        session: Session, user_id: int, profile_ids: Sequence[int] | None
    ) -> dict[int, str]:
        """The user's profiles (optionally narrowed to ``profile_ids``) as id -> email."""
        statement = select(Profile.id, Profile.email).where(Profile.user_id == user_id)
        if profile_ids is not None:
            statement = statement.where(Profile.id.in_(list(profile_ids)))
        return {row.id: row.email for row in session.execute(statement.order_by(Profile.id))}


def _page_statement(
    profile_ids: list[int],
    match: ColumnElement[bool] | None,
    after: tuple[datetime, int] | None,
    limit: int,
) -> Executable:
    def arm(profile_id: int) -> Any:
        statement = select(*_ROW_COLUMNS).where(Message.profile_id == profile_id)
        if after is not None:
            statement = statement.where(tuple_(Message.date, Message.id) < tuple_(*after))
        if match is not None:
            statement = statement.where(match)
        return statement.order_by(Message.date.desc(), Message.id.desc()).limit(limit)

    if len(profile_ids) == 1:
        single: Executable = arm(profile_ids[0])
        return single
    if match is not None:
        # A search is driven by its matches (few, from the full-text index), not by date order.
        searched = select(*_ROW_COLUMNS).where(Message.profile_id.in_(profile_ids), match)
        if after is not None:
            searched = searched.where(tuple_(Message.date, Message.id) < tuple_(*after))
        return searched.order_by(Message.date.desc(), Message.id.desc()).limit(limit)
    merged = union_all(*(select(arm(pid).subquery()) for pid in profile_ids)).subquery()
    return (
        select(*(merged.c[column.key] for column in _ROW_COLUMNS))
        .order_by(merged.c.date.desc(), merged.c.id.desc())
        .limit(limit)
    )


def _search_condition(session: Session, search: str | None) -> ColumnElement[bool] | None:
    """A WHERE condition for the full-text search, or None when the text has no words in it."""
    if search is None:
        return None
    words = _WORD.findall(search)
    if not words:
        return None
    if session.get_bind().dialect.name == "sqlite":
        query = " ".join(f'"{word}"' for word in words) + "*"
        return Message.id.in_(
            select(literal_column("rowid"))
            .select_from(text("messages_fts"))
            .where(text("messages_fts MATCH :fts_query").bindparams(fts_query=query))
        )
    query = " & ".join(f"{word}:*" if i == len(words) - 1 else word for i, word in enumerate(words))
    document: ColumnElement[Any] = literal_column(POSTGRES_DOCUMENT)
    return document.op("@@", is_comparison=True)(func.to_tsquery(literal_column("'simple'"), query))
