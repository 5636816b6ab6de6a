"""Reading the egress audit: every connection the app opened to a mail server.

A user sees the connections made for their own profiles; ``everyone`` (for admins, like the
activity log of every user) lists all of them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from desktop.core.roles import Action
from desktop.services.authorization import Authorizer, SignedInUser, gated, internal
from desktop.store.models import EgressEvent, Profile
from desktop.store.session import SessionFactory, unit_of_work


@dataclass(frozen=True)
class EgressRow:
    id: int
    at: datetime
    profile_email: str | None
    host: str
    port: int
    tls_version: str | None
    bytes_in: int
    bytes_out: int
    commands: tuple[str, ...]
    outcome: str
    # For a sending (SMTP) connection only: the envelope, never a subject or a body.
    envelope_sender: str | None = None
    recipient_count: int | None = None
    recipient_domains: tuple[str, ...] = ()
    message_ids: tuple[str, ...] = ()


log = logging.getLogger(__name__)


@internal("written by the connection that was just made, for the person who asked for it")
def record_egress(session_factory: SessionFactory, event: EgressEvent) -> None:
    """Keep one connection in the audit. A row that cannot be written is logged instead: the
    mail work it describes has already happened and must not be undone by its record."""
    try:
        with unit_of_work(session_factory) as session:
            session.add(event)
    except Exception:
        log.exception("could not record a connection of profile %s", event.profile_id)


@gated(Action.READ_OWN_ACTIVITY, when={"everyone": Action.READ_AUDIT_LOG}, target="egress log")
def list_egress(
    authorizer: Authorizer,
    session_factory: SessionFactory,
    actor: SignedInUser,
    *,
    everyone: bool = False,
    limit: int | None = None,
) -> list[EgressRow]:
    """Connections newest first: the user's profiles', or with ``everyone`` all of them."""
    with unit_of_work(session_factory) as session:
        query = (
            select(EgressEvent, Profile.email)
            .outerjoin(Profile, EgressEvent.profile_id == Profile.id)
            .order_by(EgressEvent.at.desc(), EgressEvent.id.desc())
        )
        if not everyone:
            query = query.where(Profile.user_id == actor.user_id)
        if limit is not None:
            query = query.limit(limit)
        return [
            EgressRow(
                id=event.id,
                at=event.at,
                profile_email=email,
                host=event.host,
                port=event.port,
                tls_version=event.tls_version,
                bytes_in=event.bytes_in,
                bytes_out=event.bytes_out,
                commands=tuple(c for c in event.commands.split(",") if c),
                outcome=event.outcome,
                envelope_sender=event.envelope_sender,
                recipient_count=event.recipient_count,
                recipient_domains=_listed(event.recipient_domains),
                message_ids=_listed(event.message_ids),
            )
            for event, email in session.execute(query).all()
        ]


def _listed(stored: str | None) -> tuple[str, ...]:
    return tuple(part for part in (stored or "").replace(",", " ").split() if part)
