"""Delivering a profile's outbox over one SMTP connection, without ever sending a message twice.

Each message goes MAIL FROM, RCPT TO (every recipient must be accepted, or nothing is sent and
the refusal is kept as the reason), then its row is moved from ``queued`` to ``sending`` and
committed, and only then DATA. The move is a compare-and-set on ``queued``, so two copies of
the app can never both send one row. A row still in ``sending`` when a batch starts belongs to a
transaction that ended with the app (a kill, a power cut): the server may have accepted it, so
it becomes ``may-have-been-sent`` and waits for the person. A connection lost during DATA counts
the same way; a definite reply to DATA never does.

Transient trouble (the server unreachable, a 4xx reply) leaves messages ``queued`` with the
reason, for the queue's back-off to try again; a 5xx reply (sender refused, a recipient refused,
too large) or a refused login marks them ``failed`` with the server's words.
"""

from __future__ import annotations

import logging
import smtplib
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select, update

from desktop.services.authorization import internal
from desktop.services.mail.connection import AuditedClient, Hangup, PlaintextRefusedError
from desktop.services.mail.outbox import OutboxState
from desktop.services.mail.sent_copies import save_sent_copies, skip_sent_copies
from desktop.services.mail.smtp_connection import Envelopes, MeteredSMTP, open_smtp
from desktop.services.mail.smtp_settings import SmtpSettings
from desktop.services.mail.sync_events import DeliveryReport
from desktop.services.oauth_sasl import Bearer
from desktop.services.sign_in_needed import SignInNeededError
from desktop.store.models import OutboxMessage
from desktop.store.models.base import utcnow
from desktop.store.session import SessionFactory, unit_of_work

log = logging.getLogger(__name__)

INTERRUPTED = (
    "Switchboard stopped while this message was being handed to the server, so it may have "
    "been sent. Check the recipient's mail or your Sent folder, then mark it as sent or send it "
    "again."
)


class _Transient(Exception):
    """The connection is gone or the server asked to wait: the rest waits for a retry."""


@dataclass
class _Batch:
    sent: int = 0
    failed: int = 0
    waiting: int = 0
    reason: str = ""


@internal("run on the profile's queue after the gated deliver request")
def deliver_outbox(
    session_factory: SessionFactory,
    profile_id: int,
    settings: SmtpSettings,
    password: str | Bearer,
    imap: Callable[[], AuditedClient] | None,
    *,
    timeout: float,
    hangup: Hangup,
) -> DeliveryReport:
    """Send every queued message of the profile, then save the Sent copies (``imap``)."""
    _recover_interrupted(session_factory, profile_id)
    ids = _queued(session_factory, profile_id)
    batch = _Batch()
    if ids:
        run = _Run(session_factory, profile_id, settings, batch)
        run.send_all(password, ids, timeout=timeout, hangup=hangup)
    if settings.server_saves_sent:
        skip_sent_copies(session_factory, profile_id)
    elif imap is not None:
        save_sent_copies(session_factory, profile_id, imap)
    return DeliveryReport(batch.sent, batch.failed, batch.waiting, batch.reason)


@internal("run on the profile's queue after the gated deliver request")
def outbox_waiting(session_factory: SessionFactory, profile_id: int, reason: str) -> DeliveryReport:
    """Nothing can be sent yet (no server or password set): the queued messages say why."""
    batch = _Batch()
    _wait(session_factory, _queued(session_factory, profile_id), reason, batch)
    return DeliveryReport(waiting=batch.waiting, reason=reason)


@dataclass
class _Run:
    """One batch over one SMTP connection."""

    session_factory: SessionFactory
    profile_id: int
    settings: SmtpSettings
    batch: _Batch
    envelopes: Envelopes = field(default_factory=Envelopes)

    def send_all(
        self, password: str | Bearer, ids: list[int], *, timeout: float, hangup: Hangup
    ) -> None:
        factory, settings, batch = self.session_factory, self.settings, self.batch
        pending = list(ids)
        try:
            with open_smtp(
                factory, self.profile_id, settings, password, self.envelopes, timeout=timeout,
                hangup=hangup,
            ) as client:  # fmt: skip
                limit = _size_limit(client)
                while pending:
                    self._send_one(client, pending[0], limit)
                    pending.pop(0)
        except _Transient as error:
            _wait(factory, pending, str(error), batch)
        except SignInNeededError as error:  # the grant went while sending: wait for a sign-in
            _wait(factory, pending, str(error), batch)
        except smtplib.SMTPAuthenticationError as error:
            _fail(factory, pending, _login_refused(settings, error), batch)
        except (PlaintextRefusedError, ssl.SSLError) as error:
            _fail(factory, pending, _tls_refused(settings, error), batch)
        except smtplib.SMTPResponseException as error:
            reason = f"The sending server {settings.host} answered: {_text(error)}."
            if error.smtp_code >= 500:
                _fail(factory, pending, reason, batch)
            else:
                _wait(factory, pending, reason, batch)
        except (OSError, smtplib.SMTPException) as error:
            _wait(factory, pending, _unreachable(settings, error), batch)

    def _send_one(self, client: MeteredSMTP, entry_id: int, limit: int | None) -> None:
        factory, batch = self.session_factory, self.batch
        with unit_of_work(factory) as session:
            row = session.get(OutboxMessage, entry_id)
            if row is None or row.state != OutboxState.QUEUED:
                return  # discarded or taken meanwhile
            data, sender, recipients = row.data, row.envelope_sender, list(row.recipients)
            message_id = row.message_id
        if limit is not None and len(data) > limit:
            reason = (
                f"The message is {_kb(len(data))} kB, more than the {_kb(limit)} kB the server "
                "accepts; remove attachments or send them another way."
            )
            _fail(factory, [entry_id], reason, batch)
            return
        try:
            if not self._envelope(
                client, entry_id, data=data, sender=sender, recipients=recipients, limit=limit
            ):
                return
        except (OSError, smtplib.SMTPServerDisconnected) as error:
            raise _Transient(f"The connection to the sending server broke off: {error}.") from error
        self.envelopes.add(sender, recipients, message_id)
        try:
            code, reply = client.data(data)
        except smtplib.SMTPDataError as error:
            code, reply = error.smtp_code, _encoded(error.smtp_error)
        except (OSError, smtplib.SMTPServerDisconnected):
            _set(factory, [entry_id], OutboxState.MAY_HAVE_BEEN_SENT, INTERRUPTED)
            batch.failed += 1
            raise _Transient("The connection to the sending server broke off.") from None
        if code == 250:
            _sent(factory, entry_id)
            batch.sent += 1
            return
        _set(factory, [entry_id], OutboxState.QUEUED, "")  # a definite "no" to DATA
        self._refused(client, entry_id, code, reply, what="The server refused the message")

    def _envelope(
        self,
        client: MeteredSMTP,
        entry_id: int,
        *,
        data: bytes,
        sender: str,
        recipients: list[str],
        limit: int | None,
    ) -> bool:
        """MAIL FROM and every RCPT TO accepted, and the row claimed: ready for DATA."""
        code, reply = client.mail(sender, _mail_options(client, data, limit))
        if code != 250:
            self._refused(
                client, entry_id, code, reply, what=f"The server refused the sender {sender}"
            )
            return False
        refused = []
        for address in recipients:
            code, reply = client.rcpt(address)
            if code not in (250, 251):
                refused.append((address, code, reply))
        if refused:
            words = "; ".join(f"{address}: {_decode(reply)}" for address, _, reply in refused)
            what = "a recipient" if len(refused) == 1 else "some recipients"
            worst = max(code for _, code, _ in refused)
            self._refused(
                client, entry_id, worst, words.encode(), what=f"The server refused {what}"
            )
            return False
        if not _claim(self.session_factory, entry_id):
            client.rset()
            return False
        return True

    def _refused(
        self, client: MeteredSMTP, entry_id: int, code: int, reply: bytes, *, what: str
    ) -> None:
        """A refusal of one message: 5xx fails it for good, 4xx lets it wait for the retry."""
        client.rset()
        reason = f"{what}: {_decode(reply)}"
        if code >= 500:
            _fail(self.session_factory, [entry_id], _sentence(reason), self.batch)
        else:
            later = _sentence(f"{reason} (the server asks to try later)")
            _wait(self.session_factory, [entry_id], later, self.batch)


def _recover_interrupted(session_factory: SessionFactory, profile_id: int) -> None:
    with unit_of_work(session_factory) as session:
        session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.profile_id == profile_id,
                OutboxMessage.state == OutboxState.SENDING,
            )
            .values(state=OutboxState.MAY_HAVE_BEEN_SENT, reason=INTERRUPTED, updated_at=utcnow())
        )


def _queued(session_factory: SessionFactory, profile_id: int) -> list[int]:
    with unit_of_work(session_factory) as session:
        return list(
            session.scalars(
                select(OutboxMessage.id)
                .where(
                    OutboxMessage.profile_id == profile_id,
                    OutboxMessage.state == OutboxState.QUEUED,
                )
                .order_by(OutboxMessage.id)
            )
        )


def _claim(session_factory: SessionFactory, entry_id: int) -> bool:
    """Committed before DATA: from here on a crash means "may have been sent"."""
    with unit_of_work(session_factory) as session:
        moved = session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == entry_id, OutboxMessage.state == OutboxState.QUEUED)
            .values(
                state=OutboxState.SENDING,
                attempts=OutboxMessage.attempts + 1,
                updated_at=utcnow(),
            )
        )
        return moved.rowcount == 1  # type: ignore[attr-defined, no-any-return]


def _sent(session_factory: SessionFactory, entry_id: int) -> None:
    with unit_of_work(session_factory) as session:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == entry_id)
            .values(state=OutboxState.SENT, reason="", sent_at=utcnow(), updated_at=utcnow())
        )


def _set(session_factory: SessionFactory, ids: list[int], state: str, reason: str) -> int:
    """Move the rows still queued or sending; how many moved (one may be past that already)."""
    with unit_of_work(session_factory) as session:
        moved = session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id.in_(ids),
                OutboxMessage.state.in_([OutboxState.QUEUED, OutboxState.SENDING]),
            )
            .values(state=state, reason=reason, updated_at=utcnow())
        )
        return moved.rowcount  # type: ignore[attr-defined, no-any-return]


def _fail(session_factory: SessionFactory, ids: list[int], reason: str, batch: _Batch) -> None:
    batch.failed += _set(session_factory, ids, OutboxState.FAILED, reason)


def _wait(session_factory: SessionFactory, ids: list[int], reason: str, batch: _Batch) -> None:
    batch.waiting += _set(session_factory, ids, OutboxState.QUEUED, reason)
    batch.reason = reason


def _size_limit(client: MeteredSMTP) -> int | None:
    size = client.esmtp_features.get("size", "").strip()
    return int(size) if size.isdecimal() and int(size) > 0 else None


def _mail_options(client: MeteredSMTP, data: bytes, limit: int | None) -> list[str]:
    options = [f"SIZE={len(data)}"] if limit is not None else []
    if not data.isascii() and client.has_extn("8bitmime"):
        options.append("BODY=8BITMIME")
    return options


def _login_refused(settings: SmtpSettings, error: smtplib.SMTPResponseException) -> str:
    return (
        f"The sending server {settings.host} refused the login of {settings.user} "
        f"({_text(error)}); set the right password, then retry."
    )


def _tls_refused(settings: SmtpSettings, error: Exception) -> str:
    if isinstance(error, PlaintextRefusedError):
        return _sentence(str(error))
    if isinstance(error, ssl.SSLCertVerificationError):
        return (
            f"The certificate of the sending server {settings.host} is not trusted "
            f"({error.verify_message}), so Switchboard did not send it your password."
        )
    return f"A secure connection to the sending server {settings.host} failed ({error})."


def _unreachable(settings: SmtpSettings, error: BaseException) -> str:
    if isinstance(error, socket.gaierror):
        why = "its name could not be found"
    elif isinstance(error, ConnectionRefusedError):
        why = "nothing answers on that port"
    elif isinstance(error, TimeoutError):
        why = "it did not answer in time"
    else:
        why = "the connection broke off"
    return (
        f"The sending server {settings.host}:{settings.port} could not be reached ({why}); "
        "the message waits and is sent when it can be."
    )


def _text(error: smtplib.SMTPResponseException) -> str:
    return f"{error.smtp_code} {_decode(error.smtp_error)}"


def _encoded(reply: bytes | str) -> bytes:
    return reply.encode() if isinstance(reply, str) else reply


def _decode(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
    return " ".join(text.split())


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else f"{text}."


def _kb(size: int) -> int:
    return (size + 1023) // 1024
