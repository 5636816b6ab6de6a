"""The outbox: what the user sent, kept in the store until it has left, and what became of it.

Queueing commits the message before any network, so a crash, a lost connection or a closed
laptop never loses it. Delivery (:mod:`desktop.services.mail.sending`, on the profile's queue)
moves a row through the states below; the person decides about the two that need a person:
``failed`` (the server refused: fix and retry, or discard) and ``may-have-been-sent`` (the app
stopped during the SMTP transaction: look in the recipient's mail, then mark it sent or send it
again). Nothing here ever resends a message on its own.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from desktop.core.roles import Action
from desktop.services.audit_events import add_event
from desktop.services.authorization import Authorizer, SignedInUser, gated
from desktop.services.errors import AccountError, NotFoundError
from desktop.store.models import OutboxMessage, Profile
from desktop.store.models.base import utcnow
from desktop.store.session import SessionFactory, unit_of_work

_UNSAFE = re.compile(r"[\s<>]")


class OutboxState(enum.StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    MAY_HAVE_BEEN_SENT = "may-have-been-sent"


class OutboxError(AccountError):
    """A message that cannot be queued, or an outbox action that does not fit the entry."""


@dataclass(frozen=True)
class OutboxEntry:
    id: int
    profile_id: int
    state: OutboxState
    reason: str
    subject: str
    recipients: tuple[str, ...]
    message_id: str | None
    attempts: int
    queued_at: datetime
    updated_at: datetime
    sent_at: datetime | None


class Outbox:
    """The outbox entry points; delivery itself runs on the profile's queue (``MailSync``)."""

    def __init__(self, session_factory: SessionFactory, authorizer: Authorizer) -> None:
        self._session_factory = session_factory
        self._authorizer = authorizer

    @gated(Action.SEND_OWN_MAIL, profile="profile_id")
    def queue_message(
        self,
        actor: SignedInUser,
        profile_id: int,
        message: EmailMessage,
        recipients: Sequence[str],
    ) -> int:
        """Keep ``message`` for delivery to ``recipients`` (Bcc included); committed on return.

        The message must carry no Bcc header (the Bcc recipients are only in ``recipients``).
        Composing checks addresses properly (email-validator); here each envelope address only
        has to be one that SMTP can carry, so a line break can never smuggle in a command.
        """
        if "Bcc" in message:
            raise OutboxError(
                "The message still has a Bcc header, which every recipient would see."
            )
        envelope = _checked_recipients(recipients)
        data = message.as_bytes(policy=SMTP)
        with unit_of_work(self._session_factory) as session:
            profile = session.get_one(Profile, profile_id)
            row = OutboxMessage(
                profile_id=profile_id,
                state=OutboxState.QUEUED,
                data=data,
                envelope_sender=profile.email,
                recipients=envelope,
                message_id=(message["Message-ID"] or "").strip() or None,
                subject=str(message["Subject"] or ""),
                reason="",
                attempts=0,
                copy_saved=False,
            )
            session.add(row)
            session.flush()
            add_event(
                session,
                user_id=actor.user_id,
                profile_id=profile_id,
                action="queue message",
                target=f"outbox entry {row.id} ({len(envelope)} recipients)",
            )
            return row.id

    @gated(Action.SEND_OWN_MAIL)
    def list_outbox(self, actor: SignedInUser, *, include_sent: bool = True) -> list[OutboxEntry]:
        """The outbox of every profile of the actor, oldest first."""
        with unit_of_work(self._session_factory) as session:
            query = (
                select(OutboxMessage)
                .join(Profile, OutboxMessage.profile_id == Profile.id)
                .where(Profile.user_id == actor.user_id)
                .order_by(OutboxMessage.queued_at, OutboxMessage.id)
            )
            if not include_sent:
                query = query.where(OutboxMessage.state != OutboxState.SENT)
            return [_entry(row) for row in session.scalars(query)]

    @gated(Action.SEND_OWN_MAIL)
    def retry(self, actor: SignedInUser, entry_id: int) -> None:
        """Put a failed message back in the queue (after the person fixed what was refused)."""
        self._move(actor, entry_id, {OutboxState.FAILED}, OutboxState.QUEUED, "retry message")

    @gated(Action.SEND_OWN_MAIL)
    def send_again(self, actor: SignedInUser, entry_id: int) -> None:
        """The person checked: a message that may have been sent was not; queue it again."""
        self._move(
            actor, entry_id, {OutboxState.MAY_HAVE_BEEN_SENT}, OutboxState.QUEUED, "send again"
        )

    @gated(Action.SEND_OWN_MAIL)
    def mark_sent(self, actor: SignedInUser, entry_id: int) -> None:
        """The person checked: a message that may have been sent did arrive."""
        self._move(actor, entry_id, {OutboxState.MAY_HAVE_BEEN_SENT}, OutboxState.SENT, "mark sent")

    @gated(Action.SEND_OWN_MAIL)
    def discard(self, actor: SignedInUser, entry_id: int) -> None:
        """Remove an entry that is not on its way out right now."""
        with unit_of_work(self._session_factory) as session:
            row = _own_row(session, actor, entry_id)
            if row.state == OutboxState.SENDING:
                raise OutboxError("The message is being sent right now; wait for the result.")
            session.delete(row)
            add_event(
                session,
                user_id=actor.user_id,
                profile_id=row.profile_id,
                action="discard message",
                target=f"outbox entry {entry_id}",
            )

    def _move(
        self,
        actor: SignedInUser,
        entry_id: int,
        allowed: set[OutboxState],
        to: OutboxState,
        action: str,
    ) -> None:
        with unit_of_work(self._session_factory) as session:
            row = _own_row(session, actor, entry_id)
            if row.state not in allowed:
                raise OutboxError(f"The message is {row.state}, so it cannot be changed that way.")
            moved = session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == entry_id, OutboxMessage.state == row.state)
                .values(
                    state=to,
                    reason="",
                    updated_at=utcnow(),
                    sent_at=utcnow() if to == OutboxState.SENT else None,
                    copy_saved=True if to == OutboxState.SENT else row.copy_saved,
                )
            )
            if moved.rowcount != 1:  # type: ignore[attr-defined]
                raise OutboxError("The message changed meanwhile; look at the outbox again.")
            add_event(
                session,
                user_id=actor.user_id,
                profile_id=row.profile_id,
                action=action,
                target=f"outbox entry {entry_id}",
            )


def _own_row(session: Session, actor: SignedInUser, entry_id: int) -> OutboxMessage:
    row = session.execute(
        select(OutboxMessage)
        .join(Profile, OutboxMessage.profile_id == Profile.id)
        .where(OutboxMessage.id == entry_id, Profile.user_id == actor.user_id)
    ).scalar_one_or_none()
    if row is None:
        raise NotFoundError(f"There is no outbox entry {entry_id} of yours.")
    return row


def _checked_recipients(recipients: Sequence[str]) -> list[str]:
    if not recipients:
        raise OutboxError("The message has no recipient.")
    bad: list[str] = []
    checked: list[str] = []
    for address in recipients:
        local, at, domain = address.strip().rpartition("@")
        if not at or not local or "." not in domain or _UNSAFE.search(address.strip()):
            bad.append(address)
        else:
            checked.append(f"{local}@{domain.lower()}")
    if bad:
        raise OutboxError(f"These addresses are not valid: {', '.join(bad)}.")
    return list(dict.fromkeys(checked))


def _entry(row: OutboxMessage) -> OutboxEntry:
    return OutboxEntry(
        id=row.id,
        profile_id=row.profile_id,
        state=OutboxState(row.state),
        reason=row.reason,
        subject=row.subject,
        recipients=tuple(row.recipients),
        message_id=row.message_id,
        attempts=row.attempts,
        queued_at=row.queued_at,
        updated_at=row.updated_at,
        sent_at=row.sent_at,
    )
