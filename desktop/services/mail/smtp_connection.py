"""Opening an SMTP connection the safe way, and accounting for it in the egress audit.

The same rules as IMAP (:mod:`desktop.services.mail.connection`): the certificate and host name
verified (the profile's own CA file if it names one), TLS 1.2 at least, plain SMTP only to
loopback or with the profile's opt-in, and a :class:`~desktop.services.mail.connection.Hangup` so
that cancelling never waits for a socket timeout. Every connection, refused ones too, leaves one
egress row: host, port, TLS version, bytes each way, command names, and the envelope (sender,
how many recipients and their domains, the Message-IDs); never an address of a recipient, a
subject or a body. Bytes are counted above TLS, on smtplib's ``send`` and reply reading.
"""

from __future__ import annotations

import logging
import smtplib
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from desktop.services.authorization import internal
from desktop.services.mail.connection import (
    DEFAULT_TIMEOUT,
    PLAIN,
    Hangup,
    PlaintextRefusedError,
    is_loopback,
    tls_context,
)
from desktop.services.mail.egress import record_egress
from desktop.services.mail.smtp_settings import SmtpSettings
from desktop.services.oauth_sasl import Bearer, smtp_sign_in
from desktop.store.models import EgressEvent
from desktop.store.models.base import utcnow
from desktop.store.session import SessionFactory

if TYPE_CHECKING:  # the type smtplib's stub names; nothing to import at run time
    from typing_extensions import Buffer

log = logging.getLogger(__name__)


@dataclass
class Envelopes:
    """What the egress row says about the messages of one connection (no addresses but one)."""

    sender: str | None = None
    recipients: int = 0
    domains: set[str] = field(default_factory=set)
    message_ids: list[str] = field(default_factory=list)

    def add(self, sender: str, recipients: list[str], message_id: str | None) -> None:
        self.sender = sender
        self.recipients += len(recipients)
        self.domains.update(address.rpartition("@")[2].lower() for address in recipients)
        if message_id:
            self.message_ids.append(message_id)


@dataclass
class SmtpMeter:
    bytes_in: int = 0
    bytes_out: int = 0
    commands: list[str] = field(default_factory=list)


class _CountingReader:
    """smtplib's reply file, counting what it reads."""

    def __init__(self, wrapped: Any, meter: SmtpMeter) -> None:
        self._wrapped = wrapped
        self._meter = meter

    def readline(self, limit: int = -1) -> bytes:
        line: bytes = self._wrapped.readline(limit)
        self._meter.bytes_in += len(line)
        return line

    def close(self) -> None:
        self._wrapped.close()


class _CuttableSMTPContext:
    """An SSL context whose handshake a Hangup can cut (smtplib's STARTTLS and SMTP_SSL use it)."""

    def __init__(self, context: ssl.SSLContext, hangup: Hangup) -> None:
        self._context = context
        self._hangup = hangup

    def wrap_socket(self, sock: socket.socket, server_hostname: str | None = None) -> ssl.SSLSocket:
        wrapped = self._context.wrap_socket(
            sock, server_hostname=server_hostname, do_handshake_on_connect=False
        )
        self._hangup.track(wrapped)
        wrapped.do_handshake()
        return wrapped


class MeteredSMTP(smtplib.SMTP):
    """smtplib.SMTP over a cuttable socket, counting bytes and command names."""

    def __init__(
        self,
        hangup: Hangup,
        meter: SmtpMeter,
        *,
        implicit_tls: ssl.SSLContext | None,
        timeout: float,
    ) -> None:
        self.hangup = hangup
        self.meter = meter
        self._implicit_tls = implicit_tls
        super().__init__(timeout=timeout)

    def connect(
        self, host: str = "localhost", port: int = 0, source_address: Any = None
    ) -> tuple[int, bytes]:
        self._host = host  # smtplib keeps it only when given to __init__; TLS checks against it
        reply: tuple[int, bytes] = super().connect(host, port, source_address)
        return reply

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        sock = self.hangup.connect(host, port, timeout)
        if self._implicit_tls is None:
            return sock
        return _CuttableSMTPContext(self._implicit_tls, self.hangup).wrap_socket(
            sock, server_hostname=host
        )

    def starttls(self, *args: Any, context: Any = None, **kwargs: Any) -> tuple[int, bytes]:
        cuttable: Any = _CuttableSMTPContext(context, self.hangup)  # smtplib calls wrap_socket
        reply: tuple[int, bytes] = super().starttls(context=cuttable)
        return reply

    def putcmd(self, cmd: str, args: str = "") -> None:
        name = cmd.split(maxsplit=1)[0].upper() if cmd.strip() else cmd
        if name not in self.meter.commands:
            self.meter.commands.append(name)
        super().putcmd(cmd, args)

    def send(self, s: Buffer | str) -> None:
        data = s.encode(self.command_encoding) if isinstance(s, str) else bytes(s)
        self.meter.bytes_out += len(data)
        super().send(data)

    def getreply(self) -> tuple[int, bytes]:
        if self.file is None and self.sock is not None:
            self.file = _CountingReader(self.sock.makefile("rb"), self.meter)
        return super().getreply()

    def tls_version(self) -> str:
        sock = self.sock
        return (sock.version() or PLAIN) if isinstance(sock, ssl.SSLSocket) else PLAIN


def refuse_plain_smtp(settings: SmtpSettings) -> None:
    if settings.security == "none" and not is_loopback(settings.host):
        if not settings.allow_plaintext:
            raise PlaintextRefusedError(
                f"refusing plain SMTP to {settings.host}: the password and mail would cross the "
                "network readable; use ssl or starttls, or opt in with --allow-plaintext"
            )
        log.warning("PLAINTEXT SMTP to %s:%s (explicit opt-in)", settings.host, settings.port)


@internal("the per-profile queue opens SMTP connections after its gated request")
@contextmanager
def open_smtp(
    session_factory: SessionFactory,
    profile_id: int,
    settings: SmtpSettings,
    password: str | Bearer,
    envelopes: Envelopes,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    hangup: Hangup | None = None,
) -> Iterator[MeteredSMTP]:
    """A logged-in SMTP client; QUITs and records the egress (with ``envelopes``) at the end.

    ``password`` is the server password, or for an OAuth2 profile its bearer token source.
    """
    refuse_plain_smtp(settings)
    meter = SmtpMeter()
    started = utcnow()
    client: MeteredSMTP | None = None
    tls: str | None = None
    outcome = "ok"
    try:
        context = tls_context(settings.ca_file) if settings.security != "none" else None
        client = MeteredSMTP(
            hangup or Hangup(),
            meter,
            implicit_tls=context if settings.security == "ssl" else None,
            timeout=timeout,
        )
        client.connect(settings.host, settings.port)
        client.ehlo()
        if settings.security == "starttls":
            client.starttls(context=context)
            client.ehlo()
        tls = client.tls_version()
        if isinstance(password, str):
            client.login(settings.user, password)
        else:
            smtp_sign_in(client, settings.user, password)
        yield client
    except BaseException as error:
        outcome = f"failed: {type(error).__name__}"
        raise
    finally:
        if client is not None:
            tls = tls or client.tls_version()
            _quit(client)
        _record(
            session_factory,
            profile_id,
            settings,
            meter=meter,
            envelopes=envelopes,
            tls=tls,
            outcome=outcome,
            started=started,
        )


def _quit(client: MeteredSMTP) -> None:
    try:
        client.quit()
    except (smtplib.SMTPException, OSError):  # the server or the network already went away
        client.close()


def _record(
    session_factory: SessionFactory,
    profile_id: int,
    settings: SmtpSettings,
    *,
    meter: SmtpMeter,
    envelopes: Envelopes,
    tls: str | None,
    outcome: str,
    started: Any,
) -> None:
    record_egress(
        session_factory,
        EgressEvent(
            at=started,
            profile_id=profile_id,
            host=settings.host,
            port=settings.port,
            tls_version=tls,
            bytes_in=meter.bytes_in,
            bytes_out=meter.bytes_out,
            commands=",".join(meter.commands),
            outcome=outcome[:200],
            envelope_sender=envelopes.sender or settings.envelope_sender,
            recipient_count=envelopes.recipients,
            recipient_domains=",".join(sorted(envelopes.domains)),
            message_ids=" ".join(envelopes.message_ids),
        ),
    )
