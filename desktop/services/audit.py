"""Reading the audit log: who did what to which profile, and whether it was allowed.

Writing events lives in :mod:`desktop.services.audit_events`, below the authorizer, so that the
authorizer can record refusals and this service can read behind the authorizer without an
import circle. There is no public "record" here: each service writes its own events inside its
gated action, so no caller can put words in someone else's mouth.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from desktop.core.roles import Action
from desktop.services.authorization import Authorizer, SignedInUser, gated
from desktop.store.models import AuditEvent, User
from desktop.store.session import SessionFactory, read_only


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    login: str | None
    profile_id: int | None
    action: str
    target: str
    outcome: str


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
