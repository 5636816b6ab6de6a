"""Opening an IMAP connection the safe way, and accounting for everything it sends and receives.

* TLS with certificate and host name verification by default (``ssl`` or ``starttls``); a profile
  may name its own CA file (a hospital's internal CA), never switch verification off.
* Plain IMAP only to a loopback address, or with the profile's explicit ``allow_plaintext``
  opt-in, which is logged as a warning at every connection.
* Every connection attempt, even a refused one, leaves an :class:`EgressEvent`: host, port, TLS
  version, bytes in and out (IMAP bytes above TLS), and the names of the IMAP commands sent. The
  recorder sees each command line, so it keeps the command name only: never arguments, so never
  a password, a search text or a folder name.
* An opt-in protocol log (``protocol_log``) writes the conversation to the app log with LOGIN and
  AUTHENTICATE arguments (and any literal or continuation that follows them) redacted, and message
  literals reduced to their size.

The byte counting sits on imaplib's ``read``/``readline``/``send`` (the three calls imaplib uses
for all I/O), so it survives STARTTLS swapping the socket underneath.

Cancelling must not wait for a socket timeout (30 s: a slow server is not a dead one), so every
connection has a :class:`Hangup`: the connect polls it in short slices, and from then on cutting it
shuts the socket down from the cancelling thread, which wakes a blocked read or TLS handshake at
once. A session in the clear is recorded as ``plain`` in the egress audit, never left blank.
"""

from __future__ import annotations

import errno
import imaplib
import ipaddress
import logging
import os
import re
import select
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from imapclient import IMAPClient
from imapclient.imapclient import seq_to_parenstr_upper
from imapclient.response_parser import parse_fetch_response

from desktop.services.authorization import internal
from desktop.services.mail.egress import record_egress
from desktop.services.oauth_sasl import Bearer, imap_sign_in
from desktop.store.models import EgressEvent
from desktop.store.models.base import utcnow
from desktop.store.session import SessionFactory

log = logging.getLogger(__name__)
protocol_log = logging.getLogger("desktop.mail.protocol")

SECURITY_MODES = ("ssl", "starttls", "none")
DEFAULT_PORTS = {"ssl": 993, "starttls": 143, "none": 143}
DEFAULT_TIMEOUT = 30.0
PLAIN = "plain"
"""What the egress audit records as the TLS version of a session that had none."""
CUT_SLICE = 0.05
"""How often a connect in progress looks whether it was cut (seconds)."""
_TAGGED = re.compile(rb"^([A-Za-z0-9]+) ([A-Za-z]+)(?: ([A-Za-z]+))?")
_SECRET_COMMANDS = {"LOGIN", "AUTHENTICATE"}


class PlaintextRefusedError(ValueError):
    """Plain IMAP to a non-loopback host without the profile's explicit opt-in."""


class ConnectionCutError(ConnectionAbortedError):
    """The connection was cut from another thread (its work was cancelled)."""


class Hangup:
    """Lets another thread end a connection's connect, handshake or read within a moment."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._socket: socket.socket | None = None
        self._cut = False

    @property
    def is_cut(self) -> bool:
        return self._cut

    def cut(self) -> None:
        with self._lock:
            self._cut = True
            sock = self._socket
        if sock is not None:
            _shut(sock)

    def connect(self, host: str, port: int, timeout: float | None) -> socket.socket:
        """``socket.create_connection``, but a cut ends it within :data:`CUT_SLICE`."""
        deadline = time.monotonic() + (timeout if timeout is not None else DEFAULT_TIMEOUT)
        failure: OSError = OSError(f"no address found for {host}")
        for family, kind, proto, _name, address in socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM
        ):
            sock = socket.socket(family, kind, proto)
            try:
                self._connect_one(sock, address, deadline)
            except ConnectionCutError:
                sock.close()
                raise
            except OSError as error:
                sock.close()
                failure = error
                continue
            sock.settimeout(timeout)
            self.track(sock)
            return sock
        raise failure

    def track(self, sock: socket.socket) -> None:
        """From now on a cut shuts ``sock`` down (a TLS wrapper replaces the plain socket)."""
        with self._lock:
            self._socket = sock
            cut = self._cut
        if cut:
            _shut(sock)
            raise ConnectionCutError("connection cut")

    def _connect_one(self, sock: socket.socket, address: Any, deadline: float) -> None:
        sock.setblocking(False)
        code = sock.connect_ex(address)
        while code in (errno.EINPROGRESS, errno.EALREADY, errno.EWOULDBLOCK):
            if self._cut:
                raise ConnectionCutError("connection cut while connecting")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(errno.ETIMEDOUT, "timed out connecting")
            _, writable, _ = select.select([], [sock], [], min(remaining, CUT_SLICE))
            if writable:
                code = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        if code:
            raise OSError(code, os.strerror(code))


def _shut(sock: socket.socket) -> None:
    try:
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:
        log.debug("socket already closed")


class _CuttableContext:
    """An SSL context whose handshakes a :class:`Hangup` can cut (imaplib's STARTTLS uses it)."""

    def __init__(self, context: ssl.SSLContext, hangup: Hangup) -> None:
        self._context = context
        self._hangup = hangup

    def wrap_socket(self, sock: socket.socket, server_hostname: str) -> ssl.SSLSocket:
        wrapped = self._context.wrap_socket(
            sock, server_hostname=server_hostname, do_handshake_on_connect=False
        )
        self._hangup.track(wrapped)
        wrapped.do_handshake()
        return wrapped


@dataclass(frozen=True)
class ServerSettings:
    host: str
    port: int
    security: str
    user: str
    ca_file: str | None = None
    allow_plaintext: bool = False
    protocol_log: bool = False
    auth: str = "password"
    """``password``, or ``oauth2``: a bearer token through SASL (``oauth_sasl``)."""


def is_loopback(host: str) -> bool:
    if host.lower() in {"localhost", "localhost.localdomain"}:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def tls_context(ca_file: str | None) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=ca_file)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


@dataclass
class Meter:
    """What one connection sent and received; becomes an EgressEvent when the connection ends."""

    log_protocol: bool = False
    bytes_in: int = 0
    bytes_out: int = 0
    commands: list[str] = field(default_factory=list)
    _redacting: bool = False

    def received(self, data: bytes, literal: bool) -> None:
        self.bytes_in += len(data)
        if self.log_protocol and data:
            shown = f"{{{len(data)} bytes}}" if literal else _printable(data)
            protocol_log.debug("S: %s", shown)

    def sent(self, data: bytes) -> None:
        self.bytes_out += len(data)
        match = _TAGGED.match(data)
        if match:
            name = match.group(2).decode().upper()
            if name == "UID" and match.group(3):
                name = f"UID {match.group(3).decode().upper()}"
            if name not in self.commands:
                self.commands.append(name)
            self._redacting = name in _SECRET_COMMANDS
            if self.log_protocol:
                shown = (
                    f"{match.group(1).decode()} {name} [redacted]"
                    if self._redacting
                    else _printable(data)
                )
                protocol_log.debug("C: %s", shown)
        elif self.log_protocol and data.strip():
            protocol_log.debug("C: %s", "[redacted]" if self._redacting else f"{{{len(data)} b}}")


def _printable(data: bytes) -> str:
    text = data.decode("ascii", "replace").rstrip("\r\n")
    return text if len(text) <= 200 else f"{text[:200]}... ({len(text)} chars)"


class _Metered:
    """Mixin for imaplib.IMAP4 classes: every byte in and out goes through the meter."""

    _sb_meter: Meter

    def read(self, size: int) -> bytes:
        data: bytes = super().read(size)  # type: ignore[misc]
        self._sb_meter.received(data, literal=True)
        return data

    def readline(self) -> bytes:
        line: bytes = super().readline()  # type: ignore[misc]
        self._sb_meter.received(line, literal=False)
        return line

    def send(self, data: bytes) -> None:
        self._sb_meter.sent(data)
        super().send(data)  # type: ignore[misc]


class _MeteredTLS(_Metered, imaplib.IMAP4):  # type: ignore[misc]
    def __init__(
        self,
        meter: Meter,
        hangup: Hangup,
        address: tuple[str, int],
        context: Any,
        timeout: float | None,
    ) -> None:
        self._sb_meter = meter
        self._sb_hangup = hangup
        self._sb_context = _CuttableContext(context, hangup)
        super().__init__(*address, timeout)

    def _create_socket(self, timeout: float | None = None) -> socket.socket:
        sock = self._sb_hangup.connect(self.host, self.port, timeout)
        return self._sb_context.wrap_socket(sock, server_hostname=self.host)


class _MeteredPlain(_Metered, imaplib.IMAP4):  # type: ignore[misc]
    def __init__(
        self, meter: Meter, hangup: Hangup, host: str, port: int, timeout: float | None
    ) -> None:
        self._sb_meter = meter
        self._sb_hangup = hangup
        super().__init__(host, port, timeout)

    def _create_socket(self, timeout: float | None = None) -> socket.socket:
        return self._sb_hangup.connect(self.host, self.port, timeout)


class AuditedClient(IMAPClient):  # type: ignore[misc]
    """IMAPClient whose transport is metered, plus a FETCH over a compact UID set string."""

    def __init__(self, meter: Meter, hangup: Hangup, *args: Any, **kwargs: Any) -> None:
        self.meter = meter
        self.hangup = hangup
        self.condstore_enabled = False  # ENABLE is allowed once, before a folder is selected
        super().__init__(*args, **kwargs)
        self.normalise_times = False  # keep INTERNALDATE aware instead of local naive time
        # imapclient turns on imaplib's per-line debug formatting; our Meter logs when asked.
        self._imap.debug = 0

    def _create_IMAP4(self) -> imaplib.IMAP4:
        timeout = getattr(self._timeout, "connect", None)
        if self.ssl:
            return _MeteredTLS(
                self.meter, self.hangup, (self.host, self.port), self.ssl_context, timeout
            )
        return _MeteredPlain(self.meter, self.hangup, self.host, self.port, timeout)

    def starttls(self, ssl_context: Any = None) -> Any:
        return super().starttls(_CuttableContext(ssl_context or tls_context(None), self.hangup))

    def tls_version(self) -> str:
        sock = self._imap.sock
        return (sock.version() or PLAIN) if isinstance(sock, ssl.SSLSocket) else PLAIN

    def fetch_uid_set(
        self, uid_set: str, data: list[str], modifiers: list[str] | None = None
    ) -> dict[int, dict[bytes, Any]]:
        """``UID FETCH`` of a set such as ``1:20000`` without listing every UID.

        imapclient's ``fetch`` needs every UID spelled out (and chokes on ranges), which makes
        a flag check of a 20,000-message folder a command line longer than servers accept.
        """
        tag = self._imap._command(
            "UID",
            "FETCH",
            uid_set,
            seq_to_parenstr_upper(data),
            seq_to_parenstr_upper(modifiers) if modifiers else None,
        )
        typ, response = self._imap._command_complete("FETCH", tag)
        self._checkok("fetch", typ, response)
        typ, response = self._imap._untagged_response(typ, response, "FETCH")
        parsed: dict[int, dict[bytes, Any]] = parse_fetch_response(response, False, True)
        return parsed

    def fetch_messages(self, uids: list[int], part: str) -> list[Fetched]:
        """``UID FETCH`` of flags, arrival time, size and one body part, read without a lexer.

        imapclient's general response parser handles every shape of response but costs about
        as much as parsing the messages themselves; this reads the one shape asked for (one
        literal per message) straight from imaplib's untagged responses.
        """
        if not uids:
            return []
        tag = self._imap._command(
            "UID", "FETCH", ",".join(map(str, uids)), f"(UID FLAGS INTERNALDATE RFC822.SIZE {part})"
        )
        typ, response = self._imap._command_complete("FETCH", tag)
        self._checkok("fetch", typ, response)
        _, items = self._imap._untagged_response(typ, response, "FETCH")
        fetched = []
        for item in items:
            if not isinstance(item, tuple):
                continue  # the closing ")" of a message, or an unsolicited flag update
            prefix, literal = item
            uid = _UID.search(prefix)
            if uid is None:
                continue
            flags = _FLAGS.search(prefix)
            size = _SIZE.search(prefix)
            internal = _INTERNALDATE.search(prefix)
            fetched.append(
                Fetched(
                    uid=int(uid.group(1)),
                    flags=tuple(flags.group(1).split()) if flags else (),
                    internal_date=_internal_date(internal.group(1)) if internal else None,
                    size=int(size.group(1)) if size else len(literal),
                    data=literal,
                )
            )
        return fetched


@dataclass(frozen=True)
class Fetched:
    uid: int
    flags: tuple[bytes, ...]
    internal_date: datetime | None
    size: int
    data: bytes


_UID = re.compile(rb"UID (\d+)")
_FLAGS = re.compile(rb"FLAGS \(([^)]*)\)")
_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")
_INTERNALDATE = re.compile(rb'INTERNALDATE "([^"]+)"')


def _internal_date(value: bytes) -> datetime | None:
    """INTERNALDATE (``" 1-Jan-2024 10:00:00 +0100"``), without strptime's locale-bound %b."""
    match = _DATE_TIME.match(value.strip())
    if match is None or match.group(2).lower() not in _MONTHS:
        return None
    day, month, year, hour, minute, second, sign, zone_h, zone_m = match.groups()
    offset = timedelta(hours=int(zone_h), minutes=int(zone_m))
    try:
        return datetime(
            int(year),
            _MONTHS[month.lower()],
            int(day),
            int(hour),
            int(minute),
            int(second),
            tzinfo=timezone(-offset if sign == b"-" else offset),
        )
    except ValueError:
        return None


_DATE_TIME = re.compile(rb"(\d{1,2})-([A-Za-z]{3})-(\d{4}) (\d\d):(\d\d):(\d\d) ([+-])(\d\d)(\d\d)")
_MONTHS = {
    name: number
    for number, name in enumerate(
        (b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov",
         b"dec"),
        start=1,
    )
}  # fmt: skip


def refuse_plaintext(settings: ServerSettings) -> None:
    """:class:`PlaintextRefusedError` for plain IMAP off this machine without the opt-in."""
    if settings.security not in SECURITY_MODES:
        raise ValueError(f"unknown security mode {settings.security!r}")
    plain_remote = settings.security == "none" and not is_loopback(settings.host)
    if plain_remote and not settings.allow_plaintext:
        raise PlaintextRefusedError(
            f"refusing plain IMAP to {settings.host}: the password and mail would cross the "
            "network readable; use ssl or starttls, or opt in with --allow-plaintext"
        )


@internal("the per-profile sync owner opens connections after its gated request")
@contextmanager
def open_connection(
    session_factory: SessionFactory,
    profile_id: int,
    settings: ServerSettings,
    password: str | Bearer,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    hangup: Hangup | None = None,
) -> Iterator[AuditedClient]:
    """A logged-in client; logs out and records the egress event however the block ends.

    ``password`` is the server password, or for an OAuth2 profile its :class:`Bearer`.
    """
    refuse_plaintext(settings)
    if settings.security == "none" and not is_loopback(settings.host):
        log.warning(
            "PLAINTEXT IMAP to %s:%s for profile %s (explicit opt-in): password and mail are "
            "readable on the network",
            settings.host,
            settings.port,
            profile_id,
        )
    _keep_library_protocol_log_quiet()
    if settings.protocol_log:
        protocol_log.setLevel(logging.DEBUG)  # the app logs at INFO; this profile asked for more
    meter = Meter(log_protocol=settings.protocol_log)
    started = utcnow()
    client: AuditedClient | None = None
    tls: str | None = None
    outcome = "ok"
    try:
        context = tls_context(settings.ca_file) if settings.security != "none" else None
        client = AuditedClient(
            meter,
            hangup or Hangup(),
            settings.host,
            port=settings.port,
            ssl=settings.security == "ssl",
            ssl_context=context,
            timeout=timeout,
        )
        if settings.security == "starttls":
            client.starttls(context)
        tls = client.tls_version()
        if isinstance(password, str):
            client.login(settings.user, password)
        else:
            imap_sign_in(client, settings.user, password)
        yield client
    except BaseException as error:
        outcome = f"failed: {type(error).__name__}"
        raise
    finally:
        if client is not None:
            tls = tls or client.tls_version()
            _close(client)
        _record(
            session_factory,
            profile_id,
            settings,
            meter=meter,
            tls=tls,
            outcome=outcome,
            started=started,
        )


def _close(client: AuditedClient) -> None:
    try:
        client.logout()
    except Exception:  # the connection may already be gone; nothing left to tidy
        try:
            client.shutdown()
        except Exception:  # closing a dead socket may fail again
            log.debug("socket already closed")


def _record(
    session_factory: SessionFactory,
    profile_id: int,
    settings: ServerSettings,
    *,
    meter: Meter,
    tls: str | None,
    outcome: str,
    started: datetime,
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
        ),
    )


def _keep_library_protocol_log_quiet() -> None:
    """imapclient logs whole FETCH responses (message content) at DEBUG: keep it above that."""
    for name in ("imapclient", "imapclient.imaplib"):
        library = logging.getLogger(name)
        if library.level in (logging.NOTSET, logging.DEBUG):
            library.setLevel(logging.INFO)
