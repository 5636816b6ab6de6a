"""The HTTP that OAuth2 needs (discovery, token, device and revocation endpoints), audited.

authlib's client speaks to "a requests-like session"; this is one over the standard library's
``http.client``, so that no HTTP stack joins the app for four kinds of POST, and so that every
request leaves an egress row like an IMAP connection does: the host, port, TLS version, bytes
each way and the method. Never a URL path's query, a form field or a header: the bodies carry
authorization codes and refresh tokens. HTTPS is verified like the mail servers (TLS 1.2 at
least, the system's CAs or the profile's CA file); plain HTTP only to this machine.
"""

from __future__ import annotations

import http.client
import json
import socket
import ssl
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

from desktop.core.oauth_providers import is_loopback_name
from desktop.services.authorization import internal
from desktop.services.mail.connection import PLAIN, tls_context
from desktop.services.mail.egress import record_egress
from desktop.store.models import EgressEvent
from desktop.store.models.base import utcnow
from desktop.store.session import SessionFactory

HTTP_TIMEOUT = 30.0
MAX_ANSWER = 1_000_000
"""An OAuth2 answer is a small JSON object; a bigger one is a misdirected page, not read."""


class OAuthHttpError(OSError):
    """The provider could not be reached, or answered with something that is not OAuth2."""


@dataclass
class HttpAnswer:
    """What authlib's client reads of a response (the part of requests' interface it uses)."""

    status_code: int
    content: bytes
    headers: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        try:
            return json.loads(self.content)
        except ValueError as error:
            raise ValueError("the provider's answer is not JSON") from error

    def raise_for_status(self) -> None:
        if self.status_code >= 400:
            raise OAuthHttpError(f"the provider answered HTTP {self.status_code}")


@dataclass
class _Count:
    bytes_in: int = 0
    bytes_out: int = 0


class _CountingFile:
    def __init__(self, wrapped: Any, count: _Count) -> None:
        self._wrapped = wrapped
        self._count = count

    def read(self, size: int | None = -1) -> bytes:
        data: bytes = self._wrapped.read(size)
        self._count.bytes_in += len(data)
        return data

    def readline(self, limit: int = -1) -> bytes:
        line: bytes = self._wrapped.readline(limit)
        self._count.bytes_in += len(line)
        return line

    def readinto(self, buffer: Any) -> int:
        n: int = self._wrapped.readinto(buffer)
        self._count.bytes_in += n
        return n

    def __getattr__(self, name: str) -> Any:
        return getattr(self._wrapped, name)


class _CountingSocket:
    """Counts what http.client reads through ``makefile`` and writes through ``sendall``."""

    def __init__(self, sock: socket.socket, count: _Count) -> None:
        self._sock = sock
        self._count = count

    def makefile(self, mode: str, buffering: int | None = None) -> _CountingFile:
        return _CountingFile(self._sock.makefile("rb", buffering), self._count)

    def sendall(self, data: Any) -> None:
        self._count.bytes_out += len(data)
        self._sock.sendall(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


class AuditedHttp:
    """A requests-like session for one profile: each request is one connection, one egress row."""

    def __init__(
        self,
        session_factory: SessionFactory,
        profile_id: int | None,
        *,
        ca_file: str | None = None,
        timeout: float = HTTP_TIMEOUT,
    ) -> None:
        self._session_factory = session_factory
        self._profile_id = profile_id
        self._ca_file = ca_file
        self._timeout = timeout

    @internal("used by the OAuth2 client of a profile whose sign-in the gate already allowed")
    def get(self, url: str, **_: Any) -> HttpAnswer:
        return self.request("GET", url)

    @internal("used by the OAuth2 client of a profile whose sign-in the gate already allowed")
    def post(
        self,
        url: str,
        data: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        auth: Any = None,
        **_: Any,
    ) -> HttpAnswer:
        """As authlib calls it: form ``data``, and its client authentication in ``auth``."""
        body = urlencode(data or {})
        sent_headers = {"Content-Type": "application/x-www-form-urlencoded"}
        sent_headers.update(headers or {})
        if auth is not None:
            url, sent_headers, body = auth.prepare("POST", url, sent_headers, body)
        return self.request("POST", url, body.encode(), sent_headers)

    @internal("used by the OAuth2 client of a profile whose sign-in the gate already allowed")
    def request(
        self,
        method: str,
        url: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> HttpAnswer:
        parts = urlsplit(url)
        host = parts.hostname or ""
        secure = parts.scheme == "https"
        if not secure and not (parts.scheme == "http" and is_loopback_name(host)):
            raise OAuthHttpError(
                f"refusing {parts.scheme or 'a bare'} address for {host}: HTTPS only"
            )
        port = parts.port or (443 if secure else 80)
        count = _Count()
        started = utcnow()
        tls: str | None = None
        outcome = "ok"
        connection: http.client.HTTPConnection
        if secure:
            connection = http.client.HTTPSConnection(
                host, port, timeout=self._timeout, context=tls_context(self._ca_file)
            )
        else:
            connection = http.client.HTTPConnection(host, port, timeout=self._timeout)
        try:
            connection.connect()
            sock = connection.sock
            tls = (sock.version() or PLAIN) if isinstance(sock, ssl.SSLSocket) else PLAIN
            connection.sock = _CountingSocket(sock, count)
            target = parts.path or "/"
            if parts.query:
                target += f"?{parts.query}"
            headers = {"Accept": "application/json", **(headers or {})}
            connection.request(method, target, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read(MAX_ANSWER + 1)
            if len(content) > MAX_ANSWER:
                raise OAuthHttpError(f"{host} answered with more than an OAuth2 answer holds")
            if response.status >= 400:
                outcome = f"HTTP {response.status}"
            return HttpAnswer(response.status, content, dict(response.getheaders()))
        except (OSError, http.client.HTTPException) as error:
            outcome = f"failed: {type(error).__name__}"
            if isinstance(error, OAuthHttpError):
                raise
            raise OAuthHttpError(f"{host} could not be reached: {error}") from error
        finally:
            connection.close()
            record_egress(
                self._session_factory,
                EgressEvent(
                    at=started,
                    profile_id=self._profile_id,
                    host=host,
                    port=port,
                    tls_version=tls,
                    bytes_in=count.bytes_in,
                    bytes_out=count.bytes_out,
                    commands=method,
                    outcome=outcome,
                ),
            )
