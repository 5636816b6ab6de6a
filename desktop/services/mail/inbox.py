"""The unified views (Inbox, Sent, ... of every profile of one user) read a page at a time.

API (all methods take the signed-in ``user_id`` and never return mail of another user's profile)::

    inbox = Inbox(session_factory)
    inbox.page(user_id, profile_ids=None, search=None, after=None, limit=100, sort=Sort.NEWEST,
               view=INBOX_VIEW)                         # MailView: a role, or one folder
    inbox.count(user_id, profile_ids=None, search=None, view=INBOX_VIEW) -> int
    inbox.unread_counts(user_id) -> dict[int, int]          # profile id -> unread messages
    inbox.get(user_id, message_id) -> MessageDetail | None
    inbox.open(user_id, message_id, check, mark_read=True) -> OpenedMessage | None  # get (+ seen)
    inbox.mark_seen(user_id, message_id, seen=True) -> FlagChange | None  # None: not the user's
    inbox.set_flagged(user_id, message_id, flagged=True) -> FlagChange | None

Paging is by keyset, never by OFFSET: ``after`` is the ``key_for(sort)`` of the last row already
shown (``(date, id)`` by date; ``(sender or subject, date, id)`` by sender or subject), so page
500 costs what page 1 costs and rows arriving during a sync do not shift what the user is
scrolling through. A lazy Qt model calls ``page(..., after=rows[-1].key_for(sort))`` from
``fetchMore``.

Each folder of the view (``desktop.services.mail.views``: each profile's INBOX and imported
mail for the Inbox, its Sent for Sent, ...) gives its first rows in the chosen order from its own
range of an index that starts with ``(profile_id, folder)`` (migration 0119; flagged mail has a
partial index of its own; by sender or subject the expression indexes of migration 0114 are read
and filtered by folder) and the arms are merged (``UNION ALL`` of per-arm ``LIMIT`` queries), so
opening a view reads at most ``limit`` rows per arm whatever the mailbox sizes. ``search``
is full-text over subject, sender and body (FTS5 on SQLite, ``to_tsvector('simple', ...)`` with
its GIN index on PostgreSQL); every word must match, the last one also as a prefix so results
follow typing.

Changes of seen/flagged made here to synced mail set ``flags_dirty``; the next sync of that
profile pushes them to the server (so opening a message marks it ``\\Seen`` there too).

Opening a message is what the user waits for after every click, so it is one transaction of two
statements: one SELECT of the message, its attachments (aggregated as JSON) and the active role,
then an UPDATE only when it was unread. It says whether it was unread, so that the window adjusts
that profile's count instead of counting the whole store again. With ``mark_read=False`` (the
window, which marks a message read only once it has stayed open a moment) it is the SELECT alone,
in a read-only transaction; :meth:`Inbox.mark_seen` later says in the same way whether the flag
changed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    ColumnElement,
    bindparam,
    false,
    func,
    literal_column,
    null,
    select,
    text,
    tuple_,
    union_all,
    update,
)
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable

from desktop.core.mail_views import INBOX_VIEW, MailView
from desktop.services.authorization import RoleCheck, internal
from desktop.services.mail.views import (
    Arm,
    arm_condition,
    arm_params,
    in_arms,
    is_flagged,
    view_arms,
)
from desktop.store.models import Attachment, Message, Profile
from desktop.store.session import SessionFactory, read_only, unit_of_work
from desktop.store.side_writes import QUICK_LOCK_WAIT, side_writes_for

DEFAULT_PAGE = 100
MAX_PAGE = 1000
# PostgreSQL has no accent folding without the unaccent extension (which needs a superuser), so
# the document folds the common Latin accents with translate(); search words are folded the same
# way in Python. "@", ".", "<" and ">" become spaces, or the parser would keep "ada@example.org"
# as one token and skip "<ada@example.org>" as a tag. Must stay identical to the GIN index
# (migration 0110).
ACCENTED = "àáâãäåāăąçćčďđèéêëēėęěìíîïīįłñńňòóôõöøōőŕřśšşťùúûüūůűųýÿźżž@.<>"
UNACCENTED = "aaaaaaaaacccddeeeeeeeeiiiiiilnnnoooooooorrssstuuuuuuuuyyzzz    "
FOLD_ACCENTS = str.maketrans(ACCENTED, UNACCENTED)
POSTGRES_DOCUMENT = (
    "to_tsvector('simple', translate(lower(coalesce(messages.subject, '') || ' ' || "
    "coalesce(messages.sender, '') || ' ' || left(coalesce(messages.text, ''), 100000)), "
    f"'{ACCENTED}', '{UNACCENTED}'))"
)
COMMON_MATCHES = 5000
_FTS_MATCH = text("messages_fts MATCH :search_query")
_WORD = re.compile(r"\w+", re.UNICODE)


class Sort(StrEnum):
    """The orders of the inbox list. By sender or subject, a group reads oldest first, as a
    conversation does, so one index per order serves every page in both directions."""

    NEWEST = "newest"
    OLDEST = "oldest"
    SENDER = "sender"
    SUBJECT = "subject"


PageKey = tuple[datetime, int] | tuple[str, datetime, int]
# A page statement is built once per (dialect, arms, flagged, searching, paging, common, sort).
_Shape = tuple[str, int, bool, bool, bool, bool, Sort]


@dataclass(frozen=True, slots=True)
class InboxRow:
    """Its content is left out of its repr, like every record holding mail (see MessageDetail)."""

    id: int
    profile_id: int
    profile_email: str
    sender: str = field(repr=False)
    subject: str = field(repr=False)
    date: datetime
    seen: bool
    flagged: bool

    @property
    def key(self) -> tuple[datetime, int]:
        """Pass as ``after`` to get the page that follows this row, newest or oldest first."""
        return (self.date, self.id)

    def key_for(self, sort: Sort) -> PageKey:
        """Pass as ``after`` to get the page that follows this row in ``sort`` order.

        The raw sender or subject is passed; the query folds it with the very expression it sorts
        by, so the key is exact whatever the database's idea of lower case is.
        """
        if sort is Sort.SENDER:
            return (self.sender, self.date, self.id)
        if sort is Sort.SUBJECT:
            return (self.subject, self.date, self.id)
        return self.key


@dataclass(frozen=True, slots=True)
class AttachmentInfo:
    id: int
    filename: str = field(repr=False)
    content_type: str
    size: int


@dataclass(frozen=True, slots=True)
class MessageDetail:
    """The content is left out of the repr: a repr lands in tracebacks, so in the log, which
    never holds mail."""

    id: int
    profile_id: int
    profile_email: str
    folder: str
    sender: str = field(repr=False)
    to: str = field(repr=False)
    cc: str = field(repr=False)
    subject: str = field(repr=False)
    date: datetime
    date_guessed: bool
    text: str = field(repr=False)
    html: str | None = field(repr=False)
    seen: bool
    flagged: bool
    body_loaded: bool
    parse_error: str | None = field(repr=False)
    attachments: tuple[AttachmentInfo, ...]


@dataclass(frozen=True, slots=True)
class OpenedMessage:
    """A message opened for reading; ``newly_seen`` when this open marked it read."""

    message: MessageDetail
    newly_seen: bool


@dataclass(frozen=True, slots=True)
class FlagChange:
    """A flag set on one of the user's messages; ``changed`` is False when it already was so.

    Returned rather than a bare yes or no so that the window moves that profile's unread count
    by exactly what the store did, without counting again, and knows whether a server has a copy
    to tell (``on_server``: the message came by IMAP).
    """

    profile_id: int
    changed: bool
    on_server: bool


_DETAIL_COLUMNS = (
    Message.id,
    Message.profile_id,
    Profile.email,
    Message.folder,
    Message.sender,
    Message.to_addrs,
    Message.cc_addrs,
    Message.subject,
    Message.date,
    Message.date_guessed,
    Message.text,
    Message.html,
    Message.seen,
    Message.flagged,
    Message.body_loaded,
    Message.parse_error,
)

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
        # Built once per shape (dialect, arms, flagged, searching, paging, common, sort) with bound
        # parameters: constructing the per-profile UNION cost several times more than running it.
        self._statements: dict[_Shape, Executable] = {}
        self._compiled: dict[_Shape, tuple[str, tuple[str, ...], dict[str, Any]]] = {}

    @internal("the queries behind Mailbox, which checks the role and ownership first")
    def page(
        self,
        user_id: int,
        profile_ids: Sequence[int] | None = None,
        search: str | None = None,
        after: PageKey | None = None,
        limit: int = DEFAULT_PAGE,
        *,
        sort: Sort = Sort.NEWEST,
        view: MailView = INBOX_VIEW,
    ) -> list[InboxRow]:
        """Up to ``limit`` rows of ``view`` that follow ``after`` in ``sort`` order."""
        limit = max(1, min(limit, MAX_PAGE))
        with read_only(self._session_factory) as session:
            emails = self._profiles(session, user_id, profile_ids)
            dialect = session.get_bind().dialect.name
            query = _search_query(dialect, search)
            if not emails or (search is not None and query is None):
                return []
            arms = view_arms(session, view, emails)
            if not arms:
                return []
            common = query is not None and _is_common(session, dialect, query)
            flagged = is_flagged(view)
            searching, paging = query is not None, after is not None
            shape = (dialect, len(arms), flagged, searching, paging, common, sort)
            statement = self._statements.get(shape)
            if statement is None:
                statement = self._statements[shape] = _page_statement(shape)
            params = _page_params(arms, query, after, limit, sort)
            if dialect == "sqlite" and query is None:
                rows = self._run_sqlite(session, shape, statement, params)
            else:
                rows = [tuple(row) for row in session.execute(statement, params)]
        return [
            InboxRow(
                id=row_id,
                profile_id=profile_id,
                profile_email=emails[profile_id],
                sender=sender,
                subject=subject,
                date=date,
                seen=bool(seen),
                flagged=bool(flagged),
            )
            for row_id, profile_id, sender, subject, date, seen, flagged in rows
        ]

    def _run_sqlite(
        self,
        session: Session,
        shape: _Shape,
        statement: Executable,
        params: dict[str, Any],
    ) -> list[tuple[Any, ...]]:
        """The page query straight to the driver, compiled once per shape.

        Measured on 1,000,000 messages, SQLAlchemy's per-call work (cache key of a ten-arm
        UNION, parameter and result processing) added about a third to the query itself; here
        only the dates are converted, exactly as UTCDateTime stores them.
        """
        compiled = self._compiled.get(shape)
        if compiled is None:
            done = statement.compile(dialect=session.get_bind().dialect)  # type: ignore[attr-defined]
            compiled = self._compiled[shape] = (str(done), tuple(done.positiontup), done.params)
        sql, names, defaults = compiled
        if "after_date" in params:
            # Only paging needs it; the first page (a command's usual one) skips loading the
            # writer, its PostgreSQL dialect and the mail parser.
            from desktop.store.bulk import sqlite_timestamp

            params["after_date"] = sqlite_timestamp(params["after_date"])
        values = tuple(params[name] if name in params else defaults[name] for name in names)
        cursor = session.connection().exec_driver_sql(sql, values)
        return [
            (*row[:4], datetime.fromisoformat(row[4]).replace(tzinfo=UTC), *row[5:])
            for row in cursor
        ]

    @internal("the queries behind Mailbox, which checks the role and ownership first")
    def count(
        self,
        user_id: int,
        profile_ids: Sequence[int] | None = None,
        search: str | None = None,
        *,
        view: MailView = INBOX_VIEW,
    ) -> int:
        with read_only(self._session_factory) as session:
            emails = self._profiles(session, user_id, profile_ids)
            dialect = session.get_bind().dialect.name
            query = _search_query(dialect, search)
            if not emails or (search is not None and query is None):
                return 0
            arms = view_arms(session, view, emails)
            if not arms:
                return 0
            statement = select(func.count()).where(in_arms(len(arms), is_flagged(view)))
            if query is not None:
                statement = statement.where(_match(dialect))
            params = {"search_query": query, **arm_params(arms)}
            return int(session.scalar(statement, params) or 0)

    @internal("the queries behind Mailbox, which checks the role and ownership first")
    def unread_counts(self, user_id: int) -> dict[int, int]:
        """Unread messages in each profile's Inbox (its INBOX and its imported mail), the same
        mail the unified Inbox lists; every profile is present, zero included."""
        with read_only(self._session_factory) as session:
            emails = self._profiles(session, user_id, None)
            counts = dict.fromkeys(emails, 0)
            arms = view_arms(session, INBOX_VIEW, emails)
            if not arms:
                return counts
            rows = session.execute(
                select(Message.profile_id, func.count())
                .where(
                    tuple_(Message.profile_id, Message.folder).in_(
                        [(arm.profile_id, arm.folder) for arm in arms]
                    ),
                    Message.seen == false(),
                )
                .group_by(Message.profile_id)
            )
            for profile_id, unread in rows:
                counts[profile_id] = unread
            return counts

    @internal("the queries behind Mailbox, which checks the role and ownership first")
    def get(self, user_id: int, message_id: int) -> MessageDetail | None:
        with read_only(self._session_factory) as session:
            return self._detail(session, user_id, message_id)

    @internal("the queries behind Mailbox, which checks the role and ownership first")
    def open(
        self,
        user_id: int,
        message_id: int,
        check: RoleCheck | None = None,
        *,
        mark_read: bool = True,
    ) -> OpenedMessage | None:
        """The message for reading, marked seen here (and, at the next sync, on the server).

        ``check`` is the gate's (see ``Mailbox.open``): the active role is then read in the same
        SELECT and settled before anything is returned or written. One write transaction that
        waits at most :data:`QUICK_LOCK_WAIT` for SQLite's lock; when a sync or another process
        holds it, the message is read from a snapshot instead and the seen flag follows as a
        side write, so opening never waits behind a writer. Without ``mark_read`` nothing is
        written, so the snapshot is all it takes.
        """
        if not mark_read:
            with read_only(self._session_factory) as session:
                return self._open(session, user_id, message_id, check, write=False, mark=False)
        try:
            with unit_of_work(self._session_factory, lock_wait=QUICK_LOCK_WAIT) as session:
                return self._open(session, user_id, message_id, check, write=True, mark=True)
        except OperationalError as error:
            if not _is_busy(error):
                raise
        with read_only(self._session_factory) as session:
            opened = self._open(session, user_id, message_id, check, write=False, mark=True)
        if opened is not None and opened.newly_seen:
            side_writes_for(self._session_factory).write(
                lambda later: _mark_read(later, message_id), f"seen flag of message {message_id}"
            )
        return opened

    def _open(
        self,
        session: Session,
        user_id: int,
        message_id: int,
        check: RoleCheck | None,
        *,
        write: bool,
        mark: bool,
    ) -> OpenedMessage | None:
        """``mark``: the open marks the message read (``write``: here, else as a side write)."""
        dialect = session.get_bind().dialect.name
        role = check.role_column() if check is not None else null()
        row = session.execute(
            select(
                role.label("active_role"),
                *_DETAIL_COLUMNS,
                _attachments_json(dialect).label("files"),
            )
            .join_from(Message, Profile, Profile.id == Message.profile_id)
            .where(Message.id == message_id, Profile.user_id == user_id)
        ).first()
        if row is None:
            # Not this user's message (or none): the role still decides refused or not found.
            if check is not None:
                check.settle(session.scalar(select(check.role_column())))
            return None
        if check is not None:
            check.settle(row.active_role)
        newly_seen = mark and not row.seen
        if newly_seen and write:
            _mark_read(session, message_id)
        files = row.files if not isinstance(row.files, str) else json.loads(row.files)
        detail = MessageDetail(
            id=row.id,
            profile_id=row.profile_id,
            profile_email=row.email,
            folder=row.folder,
            sender=row.sender,
            to=row.to_addrs,
            cc=row.cc_addrs,
            subject=row.subject,
            date=row.date,
            date_guessed=bool(row.date_guessed),
            text=row.text,
            html=row.html,
            seen=mark or bool(row.seen),
            flagged=bool(row.flagged),
            body_loaded=bool(row.body_loaded),
            parse_error=row.parse_error,
            attachments=tuple(AttachmentInfo(*file) for file in sorted(files or [])),
        )
        return OpenedMessage(detail, newly_seen)

    @internal("the queries behind Mailbox, which checks the role and ownership first")
    def mark_seen(self, user_id: int, message_id: int, seen: bool = True) -> FlagChange | None:
        return self._set_flag(user_id, message_id, seen=seen)

    @internal("the queries behind Mailbox, which checks the role and ownership first")
    def set_flagged(self, user_id: int, message_id: int, flagged: bool = True) -> FlagChange | None:
        return self._set_flag(user_id, message_id, flagged=flagged)

    def _set_flag(self, user_id: int, message_id: int, **values: bool) -> FlagChange | None:
        """Change a flag; None when the message is not one of this user's."""
        with unit_of_work(self._session_factory) as session:
            owned = self._profiles(session, user_id, None)
            current = session.execute(
                select(Message.profile_id, Message.uid, Message.seen, Message.flagged).where(
                    Message.id == message_id
                )
            ).first()
            if current is None or current.profile_id not in owned:
                return None
            changed = any(getattr(current, name) != value for name, value in values.items())
            if changed:
                # Only mail that came by IMAP has a server copy to tell; imported mail has no UID.
                session.execute(
                    update(Message)
                    .where(Message.id == message_id)
                    .values(flags_dirty=Message.uid.is_not(None), **values)
                )
            return FlagChange(current.profile_id, changed, on_server=current.uid is not None)

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
        """The user's profiles (optionally narrowed to ``profile_ids``) as id -> email.

        Asked on every page, so on SQLite it goes to the driver directly (see ``_run_sqlite``).
        """
        rows: Any
        if session.get_bind().dialect.name == "sqlite":
            rows = session.connection().exec_driver_sql(
                "SELECT id, email FROM profiles WHERE user_id = ? ORDER BY id", (user_id,)
            )
        else:
            rows = session.execute(
                select(Profile.id, Profile.email)
                .where(Profile.user_id == user_id)
                .order_by(Profile.id)
            )
        wanted = None if profile_ids is None else set(profile_ids)
        return {pid: email for pid, email in rows if wanted is None or pid in wanted}


def _mark_read(session: Session, message_id: int) -> None:
    # Only mail that came by IMAP has a server copy to tell; imported mail has no UID.
    session.execute(
        update(Message)
        .where(Message.id == message_id, Message.seen == false())
        .values(seen=True, flags_dirty=Message.uid.is_not(None))
    )


def _attachments_json(dialect: str) -> Any:
    """The message's attachments as one JSON array of ``[id, filename, type, size]``."""
    columns = (Attachment.id, Attachment.filename, Attachment.content_type, Attachment.size)
    if dialect == "sqlite":
        aggregated = func.json_group_array(func.json_array(*columns))
    else:
        aggregated = func.json_agg(func.json_build_array(*columns))
    return select(aggregated).where(Attachment.message_id == Message.id).scalar_subquery()


def _is_busy(error: OperationalError) -> bool:
    message = str(error.orig).lower()
    return "locked" in message or "busy" in message


def _page_statement(shape: _Shape) -> Executable:
    dialect, arms, flagged, searching, paging, common, sort = shape

    def narrowed(statement: Any) -> Any:
        return _in_order(statement.where(_match(dialect)) if searching else statement, paging, sort)

    owned = in_arms(arms, flagged)
    hits: Any = select(literal_column("rowid")).select_from(text("messages_fts"))
    common_hit = literal_column("+messages.id").in_(hits.where(_FTS_MATCH))
    if common and sort in (Sort.NEWEST, Sort.OLDEST):
        # Many matches: walk all mail by date and stop at the first page of matches (the
        # matches are gathered once; "+" keeps SQLite from driving the query by them instead).
        walk = (
            select(*_ROW_COLUMNS)
            .with_hint(Message, "INDEXED BY ix_messages_date", "sqlite")
            .where(owned)
            .where(common_hit)
        )
        walked: Executable = _in_order(walk, paging, sort)
        return walked
    if searching and not common:
        # Few matches: the query is driven by them (from the full-text index), then sorted.
        single: Executable = narrowed(select(*_ROW_COLUMNS).where(owned))
        return single

    def arm(i: int) -> Any:
        """One folder's first rows in order, from its own range of the order's index."""
        statement = select(*_ROW_COLUMNS).where(arm_condition(i, flagged))
        if common:
            # Many matches, by sender or subject: walk each profile in that order instead.
            return _in_order(statement.where(common_hit), paging, sort)
        return narrowed(statement)

    if arms == 1:
        one: Executable = arm(0)
        return one
    merged = union_all(*(select(arm(i).subquery()) for i in range(arms))).subquery()
    return (
        select(*(merged.c[column.key] for column in _ROW_COLUMNS))
        .order_by(*_order_terms(sort, merged.c.date, merged.c.id, _sort_key(sort, merged.c)))
        .limit(bindparam("page_limit"))
    )


def _sort_key(sort: Sort, columns: Any = Message) -> ColumnElement[Any] | None:
    """The folded sender or subject of ``columns`` (the messages table or a subquery's)."""
    if sort is Sort.SENDER:
        return _fold(sort, columns.sender)
    if sort is Sort.SUBJECT:
        return _fold(sort, columns.subject)
    return None


def _fold(sort: Sort, value: Any) -> ColumnElement[Any]:
    """The store's ``SENDER_SORT_KEY`` or ``SUBJECT_SORT_KEY`` of a column or a parameter.

    Written out again here, as expressions, because the planner uses an expression index only
    for the very same expression (``tests/services/test_inbox_sort.py`` checks that it does).
    """
    if sort is Sort.SENDER:
        return func.ltrim(func.lower(value), literal_column("'\" '"))
    return func.lower(value)


def _order_terms(sort: Sort, date: Any, row_id: Any, key: Any) -> list[Any]:
    terms = [date, row_id] if key is None else [key, date, row_id]
    if sort is Sort.NEWEST:
        return [term.desc() for term in terms]
    return [term.asc() for term in terms]


def _in_order(statement: Any, paging: bool, sort: Sort) -> Any:
    """``statement`` in ``sort`` order, after the ``after_*`` key when paging, ``page_limit`` rows.

    One row-value comparison in the index's own direction, so the page starts by a seek.
    """
    key = _sort_key(sort)
    if paging:
        position: list[Any] = [
            bindparam("after_date", type_=Message.date.type),
            bindparam("after_id"),
        ]
        columns: list[Any] = [Message.date, Message.id]
        if key is not None:
            position.insert(0, _fold(sort, bindparam("after_text", type_=Message.subject.type)))
            columns.insert(0, key)
        here, there = tuple_(*columns), tuple_(*position)
        statement = statement.where(here < there if sort is Sort.NEWEST else here > there)
    return statement.order_by(*_order_terms(sort, Message.date, Message.id, key)).limit(
        bindparam("page_limit")
    )


def _is_common(session: Session, dialect: str, query: str) -> bool:
    """Whether a search matches so much mail that walking by date beats sorting the matches.

    Counting stops at :data:`COMMON_MATCHES`, so asking costs a few milliseconds at most.
    PostgreSQL's planner weighs this itself from its statistics.
    """
    if dialect != "sqlite":
        return False
    counted = session.scalar(
        text(
            "SELECT count(*) FROM (SELECT 1 FROM messages_fts WHERE messages_fts MATCH "
            ":search_query LIMIT :enough)"
        ),
        {"search_query": query, "enough": COMMON_MATCHES},
    )
    return bool(counted == COMMON_MATCHES)


def _page_params(
    arms: list[Arm], query: str | None, after: PageKey | None, limit: int, sort: Sort
) -> dict[str, Any]:
    params: dict[str, Any] = {"page_limit": limit, **arm_params(arms)}
    if after is not None:
        if len(after) == 3:
            params["after_text"], params["after_date"], params["after_id"] = after
        else:
            params["after_date"], params["after_id"] = after
    if query is not None:
        params["search_query"] = query
    return params


def _match(dialect: str) -> ColumnElement[bool]:
    """The full-text condition; its query text is the ``search_query`` parameter."""
    if dialect == "sqlite":
        return Message.id.in_(
            select(literal_column("rowid")).select_from(text("messages_fts")).where(_FTS_MATCH)
        )
    document: ColumnElement[Any] = literal_column(POSTGRES_DOCUMENT)
    return document.op("@@", is_comparison=True)(
        func.to_tsquery(literal_column("'simple'"), bindparam("search_query"))
    )


def _search_query(dialect: str, search: str | None) -> str | None:
    """The dialect's full-text query for what the user typed, or None without any word in it.

    Every word must match; the last also as a prefix, so results follow typing. Words are
    quoted (FTS5) or reduced to letters and digits (tsquery), so no text is query syntax.
    """
    if search is None:
        return None
    words = _WORD.findall(search)
    if not words:
        return None
    if dialect == "sqlite":
        return " ".join(f'"{word}"' for word in words) + "*"
    folded = [word.lower().translate(FOLD_ACCENTS) for word in words]
    return " & ".join([*folded[:-1], f"{folded[-1]}:*"])
