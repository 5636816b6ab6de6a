"""Reading the audit log: who did what to which profile, and whether it was allowed.

Writing events lives in :mod:`desktop.services.audit_events`, below the authorizer, so that the
authorizer can record refusals and this service can read behind the authorizer without an
import circle. There is no public "record" here: each service writes its own events inside its
gated action, so no caller can put words in someone else's mouth.

Rows come back with names, not ids: the users and profiles an event mentions are joined in the
same statement (a page costs two statements, the rows and their count, whatever its size). The
count is of every row that matches the filter, not of the rows returned, so that a screen can
say how many there are while it shows only the newest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import func, select

from desktop.core.roles import Action
from desktop.services import audit_words as words
from desktop.services.audit_queries import (
    ActingProfile,
    ActingUser,
    AnySelect,
    AuditQuery,
    Owner,
    TargetOwner,
    TargetProfile,
    TargetUser,
    connection_filters,
    connections_from,
    event_filters,
    events_from,
)
from desktop.services.audit_words import CONNECTION_KINDS, EVENT_KINDS, Kind
from desktop.services.authorization import Authorizer, SignedInUser, gated
from desktop.store.models import AuditEvent, EgressEvent, Profile
from desktop.store.session import SessionFactory, read_only

__all__ = [
    "CONNECTION_KINDS",
    "EVENT_KINDS",
    "PAGE_LIMIT",
    "AuditEntry",
    "AuditQuery",
    "AuditService",
    "ConnectionEntry",
    "Kind",
    "Page",
]
"""With the event types and the query, what a screen showing the audit needs, in one place."""

PAGE_LIMIT = 1000
E = TypeVar("E")


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    login: str | None
    profile_id: int | None
    action: str
    target: str
    outcome: str
    user_name: str
    """The display name of who acted, or "Deleted user"."""
    profile_name: str
    """The acting profile's organization, "Deleted profile", or empty when none. Not its role:
    that is today's, and the log is of what happened then."""
    what: str
    """The action in plain words, e.g. "Switched to profile"."""
    about: str
    """What the action was about, with names, e.g. "Riverside Clinic, Bob Stone"."""
    result: str
    """The outcome in plain words: "Done", "Refused", "Failed"."""


@dataclass(frozen=True)
class ConnectionEntry:
    id: int
    at: datetime
    user_name: str
    profile_name: str
    summary: str
    """One sentence, e.g. "Connected to imap.example.org"."""
    security: str
    bytes_in: int
    bytes_out: int
    commands: tuple[str, ...]
    failed: bool


@dataclass(frozen=True)
class Page(Generic[E]):
    entries: list[E]
    matching: int
    """How many rows match the query in the whole log; ``entries`` holds the newest of them."""


class AuditService:
    def __init__(self, session_factory: SessionFactory, authorizer: Authorizer) -> None:
        self._session_factory = session_factory
        self._authorizer = authorizer

    @gated(Action.READ_OWN_ACTIVITY, when={"everyone": Action.READ_AUDIT_LOG}, target="audit log")
    def list_events(
        self, actor: SignedInUser, *, everyone: bool = False, limit: int | None = None
    ) -> list[AuditEntry]:
        """The actor's own events, or with ``everyone`` all events (admins only), newest first."""
        with read_only(self._session_factory) as session:
            query = events_from(_event_columns()).where(
                *event_filters(actor, AuditQuery(), everyone)
            )
            query = _newest_first(query, AuditEvent, limit)
            return [_entry(row) for row in session.execute(query).all()]

    @gated(Action.READ_OWN_ACTIVITY, when={"everyone": Action.READ_AUDIT_LOG}, target="audit log")
    def find_events(
        self,
        actor: SignedInUser,
        query: AuditQuery | None = None,
        *,
        everyone: bool = False,
        limit: int = PAGE_LIMIT,
    ) -> Page[AuditEntry]:
        """The newest events matching ``query`` and how many match in all: the actor's own
        (every role may read its own activity), or with ``everyone`` every user's (admins)."""
        query = query or AuditQuery()
        filters = event_filters(actor, query, everyone)
        rows = _newest_first(events_from(_event_columns()).where(*filters), AuditEvent, limit)
        count = select(func.count(AuditEvent.id))
        count = (events_from(count) if query.text.strip() else count).where(*filters)
        with read_only(self._session_factory) as session:
            entries = [_entry(row) for row in session.execute(rows).all()]
            return Page(entries, session.scalar(count) or 0)

    @gated(Action.READ_OWN_ACTIVITY, when={"everyone": Action.READ_AUDIT_LOG}, target="egress log")
    def find_connections(
        self,
        actor: SignedInUser,
        query: AuditQuery | None = None,
        *,
        everyone: bool = False,
        limit: int = PAGE_LIMIT,
    ) -> Page[ConnectionEntry]:
        """The newest connections to servers matching ``query``, and how many match in all:
        for the actor's own profiles, or with ``everyone`` for every profile (admins)."""
        query = query or AuditQuery()
        filters = connection_filters(actor, query, everyone)
        columns = select(
            EgressEvent,
            Profile.organization.label("organization"),
            Owner.display_name.label("owner"),
        )
        rows = _newest_first(connections_from(columns).where(*filters), EgressEvent, limit)
        count = connections_from(select(func.count(EgressEvent.id))).where(*filters)
        with read_only(self._session_factory) as session:
            entries = [_connection(row) for row in session.execute(rows).all()]
            return Page(entries, session.scalar(count) or 0)


def _event_columns() -> AnySelect:
    return select(
        AuditEvent,
        ActingUser.login.label("login"),
        ActingUser.display_name.label("user_name"),
        ActingProfile.organization.label("organization"),
        TargetProfile.organization.label("target_organization"),
        TargetProfile.user_id.label("target_user_id"),
        TargetOwner.display_name.label("target_owner"),
        TargetUser.display_name.label("target_user"),
    )


def _newest_first(query: AnySelect, table: Any, limit: int | None) -> AnySelect:
    query = query.order_by(table.at.desc(), table.id.desc())
    return query.limit(limit) if limit is not None else query


def _entry(row: Any) -> AuditEntry:
    event: AuditEvent = row[0]
    if row.user_name is not None:
        user = row.user_name
    elif event.action == "create first user":  # refused before anyone was there to act
        user = words.NOBODY
    else:
        user = words.DELETED_USER
    if row.organization is not None:
        profile = row.organization
    elif event.action == "switch profile":  # a switch always names its profile
        profile = words.DELETED_PROFILE
    else:
        profile = ""
    about = words.target_words(
        event.target,
        profile=row.target_organization,
        profile_owner=row.target_owner if row.target_user_id != event.user_id else None,
        user=row.target_user,
        outcome=event.outcome,
    )
    return AuditEntry(
        id=event.id,
        at=event.at,
        login=row.login,
        profile_id=event.profile_id,
        action=event.action,
        target=event.target,
        outcome=event.outcome,
        user_name=user,
        profile_name=profile,
        what=words.event_words(event.action),
        about=about,
        result=words.outcome_words(event.outcome),
    )


def _connection(row: Any) -> ConnectionEntry:
    event: EgressEvent = row[0]
    commands = tuple(c for c in event.commands.split(",") if c)
    profile = row.organization if row.organization is not None else words.DELETED_PROFILE
    return ConnectionEntry(
        id=event.id,
        at=event.at,
        user_name=row.owner or "",
        profile_name=profile,
        summary=words.connection_words(event.host, commands, event.outcome),
        security=words.security_words(event.tls_version),
        bytes_in=event.bytes_in,
        bytes_out=event.bytes_out,
        commands=commands,
        failed=event.outcome.startswith("failed"),
    )
