"""The audit log: who did what to which profile, and whether it was allowed.

Events name identifiers only (logins, profile ids, support IDs), never message content or
secrets. A denial is recorded in its own transaction because the refused action's transaction
is rolled back.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.core.roles import Action
from desktop.services.authorization import SignedInUser, require
from desktop.store.models import AuditEvent, User
from desktop.store.session import SessionFactory, read_only, unit_of_work
from desktop.store.side_writes import side_writes_for


class Outcome(enum.StrEnum):
    OK = "ok"
    DENIED = "denied"
    FAILED = "failed"


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    login: str | None
    profile_id: int | None
    action: str
    target: str
    outcome: str


def add_event(
    session: Session,
    *,
    user_id: int | None,
    profile_id: int | None,
    action: str,
    target: str = "",
    outcome: Outcome = Outcome.OK,
) -> None:
    """Record an event inside the caller's unit of work, so it commits or rolls back with it."""
    session.add(
        AuditEvent(
            user_id=user_id, profile_id=profile_id, action=action, target=target, outcome=outcome
        )
    )


class AuditService:
    def __init__(self, session_factory: SessionFactory) -> None:
        self._session_factory = session_factory
        self._side_writes = side_writes_for(session_factory)

    def record(
        self,
        *,
        user_id: int | None,
        profile_id: int | None,
        action: str,
        target: str = "",
        outcome: Outcome = Outcome.OK,
    ) -> None:
        """Record an event in its own transaction (for outcomes whose action was rolled back)."""
        with unit_of_work(self._session_factory) as session:
            add_event(
                session,
                user_id=user_id,
                profile_id=profile_id,
                action=action,
                target=target,
                outcome=outcome,
            )

    def record_soon(
        self,
        *,
        user_id: int | None,
        profile_id: int | None,
        action: str,
        target: str = "",
        outcome: Outcome = Outcome.OK,
    ) -> None:
        """Record what a read must leave (a look-up, a denial) without making the read wait:
        committed at once when the store is free, else queued behind the busy write lock."""
        self._side_writes.write(
            lambda session: add_event(
                session,
                user_id=user_id,
                profile_id=profile_id,
                action=action,
                target=target,
                outcome=outcome,
            ),
            f"{outcome} {action} on {target}",
        )

    def record_denial(
        self, *, user_id: int, profile_id: int | None, action: str, target: str
    ) -> None:
        self.record_soon(
            user_id=user_id,
            profile_id=profile_id,
            action=action,
            target=target,
            outcome=Outcome.DENIED,
        )

    def list_events(
        self, actor: SignedInUser, *, everyone: bool = False, limit: int | None = None
    ) -> list[AuditEntry]:
        """The actor's own events, or with ``everyone`` all events (admins only), newest first."""
        action = Action.READ_AUDIT_LOG if everyone else Action.READ_OWN_ACTIVITY
        require(self._session_factory, self, actor, action, target="audit log")
        with read_only(self._session_factory) as session:
            query = (
                select(AuditEvent, User.login)
                .outerjoin(User, AuditEvent.user_id == User.id)
                .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
            )
            if not everyone:
                query = query.where(AuditEvent.user_id == actor.user_id)
            if limit is not None:
                query = query.limit(limit)
            return [
                AuditEntry(
                    id=event.id,
                    at=event.at,
                    login=login,
                    profile_id=event.profile_id,
                    action=event.action,
                    target=event.target,
                    outcome=event.outcome,
                )
                for event, login in session.execute(query).all()
            ]
