"""Writing audit events: the bottom of the audit, below the authorizer that records refusals.

Events name identifiers only (logins, profile ids, support IDs), never message content or
secrets. This module writes and nothing else, so that the authorizer (which records denials) and
the audit service (which reads, behind the authorizer) both build on it without importing each
other.
"""

from __future__ import annotations

import enum

from sqlalchemy.orm import Session

from desktop.store.models import AuditEvent
from desktop.store.session import SessionFactory, unit_of_work
from desktop.store.side_writes import side_writes_for


class Outcome(enum.StrEnum):
    OK = "ok"
    DENIED = "denied"
    FAILED = "failed"


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


def record_event(
    session_factory: SessionFactory,
    *,
    user_id: int | None,
    profile_id: int | None,
    action: str,
    target: str = "",
    outcome: Outcome = Outcome.OK,
) -> None:
    """Record an event in its own transaction: for outcomes whose action was rolled back."""
    with unit_of_work(session_factory) as session:
        add_event(
            session,
            user_id=user_id,
            profile_id=profile_id,
            action=action,
            target=target,
            outcome=outcome,
        )


def record_event_soon(
    session_factory: SessionFactory,
    *,
    user_id: int | None,
    profile_id: int | None,
    action: str,
    target: str = "",
    outcome: Outcome = Outcome.OK,
) -> None:
    """Record what a read must leave (a look-up, a denial) without making the read wait:
    committed at once when the store is free, else queued behind the busy write lock."""
    side_writes_for(session_factory).write(
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
