"""Fetching a message's remote content after its reader asked for it: the one way out to the web.

A remote image is a read receipt, so nothing is fetched until the person clicks, and what the
click allows is exactly what the reader's banner named:

* only ``http`` and ``https``, at every hop: a redirect to ``ftp:``, ``file:`` or anything else
  is refused (urllib's default opener would follow it and log in to the FTP server anonymously);
* a redirect to another host only when that host was among those the banner named, so one click
  cannot take the app somewhere the person was never told about;
* a bounded number of items, redirects, bytes and seconds per item;
* no cookies, no referrer, a generic user agent;
* every request, answered or not, leaves an :class:`EgressEvent` under the message's profile:
  host, port, TLS version, bytes each way, outcome. Never the path or query string, which often
  carry the recipient's identity.

The caller passes the signed-in user; the message must be theirs and their active profile must
be allowed to read mail, or nothing is fetched.
"""

from __future__ import annotations

import http.client
import logging
import ssl
import time
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from sqlalchemy import select

from desktop.core.roles import Action
from desktop.services.authorization import Authorizer, SignedInUser, gated
from desktop.services.errors import NotFoundError
from desktop.store.models import EgressEvent, Message, Profile
from desktop.store.models.base import utcnow
from desktop.store.session import SessionFactory, unit_of_work

log = logging.getLogger(__name__)

REMOTE_SCHEMES = frozenset({"http", "https"})
MAX_ITEMS = 50
MAX_REDIRECTS = 5
MAX_BYTES = 5 * 1024 * 1024
TIMEOUT_SECONDS = 10.0
USER_AGENT = "Mozilla/5.0"
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class RemoteContent:
    """What one click loaded: content by the URL the message used, and why the rest did not."""

    loaded: dict[str, bytes] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)


class _Refused(Exception):
    """One item that will not be loaded; the message is meant for the reader's banner."""


class RemoteContentFetcher:
    def __init__(
        self,
        session_factory: SessionFactory,
        authorizer: Authorizer,
        *,
        timeout: float = TIMEOUT_SECONDS,
        max_bytes: int = MAX_BYTES,
    ) -> None:
        self._session_factory = session_factory
        self._authorizer = authorizer
        self._timeout = timeout
        self._max_bytes = max_bytes

    @gated(Action.READ_OWN_MAIL, target="message {message_id}")
    def fetch(self, actor: SignedInUser, message_id: int, urls: Iterable[str]) -> RemoteContent:
        """Blocking: loads ``urls`` of the actor's message ``message_id``, hop by hop."""
        profile_id = self._owning_profile(actor, message_id)
        wanted = list(dict.fromkeys(urls))[:MAX_ITEMS]
        allowed_hosts = {host for url in wanted if (host := _host(url))}
        result = RemoteContent()
        for url in wanted:
            try:
                result.loaded[url] = self._fetch_one(profile_id, url, allowed_hosts)
            except _Refused as refusal:
                result.failed[url] = str(refusal)
        return result

    def _owning_profile(self, actor: SignedInUser, message_id: int) -> int:
        with unit_of_work(self._session_factory) as session:
            profile_id = session.scalar(
                select(Message.profile_id)
                .join(Profile, Message.profile_id == Profile.id)
                .where(Message.id == message_id, Profile.user_id == actor.user_id)
            )
        if profile_id is None:
            raise NotFoundError(f"{actor.login} has no message {message_id}")
        return profile_id

    def _fetch_one(self, profile_id: int, url: str, allowed_hosts: Collection[str]) -> bytes:
        for _hop in range(MAX_REDIRECTS + 1):
            parts = urlsplit(url)
            scheme = parts.scheme.lower()
            if scheme not in REMOTE_SCHEMES:
                raise _Refused(f"refused a redirect to a {scheme or 'relative'}: address")
            host = (parts.hostname or "").lower()
            if host not in allowed_hosts:
                raise _Refused(f"refused a redirect to {host or 'an unnamed host'}, not named here")
            try:
                port = parts.port or (443 if scheme == "https" else 80)
            except ValueError as error:
                raise _Refused("the address has an invalid port") from error
            request = _Request(scheme, host, port, parts.path or "/", parts.query)
            outcome = request.send(self._timeout, self._max_bytes)
            self._record(profile_id, request, outcome)
            if outcome.location is not None:
                url = urljoin(url, outcome.location)
                continue
            if outcome.error is not None:
                raise _Refused(outcome.error)
            return outcome.body
        raise _Refused(f"more than {MAX_REDIRECTS} redirects")

    def _record(self, profile_id: int, request: _Request, outcome: _Outcome) -> None:
        try:
            with unit_of_work(self._session_factory) as session:
                session.add(
                    EgressEvent(
                        at=outcome.started,
                        profile_id=profile_id,
                        host=request.host,
                        port=request.port,
                        tls_version=outcome.tls_version,
                        bytes_in=outcome.bytes_in,
                        bytes_out=outcome.bytes_out,
                        commands="GET",
                        outcome=outcome.summary[:200],
                    )
                )
        except Exception:
            log.exception("could not record the egress of profile %s", profile_id)


@dataclass
class _Outcome:
    started: datetime
    status: int | None = None
    body: bytes = b""
    location: str | None = None
    error: str | None = None
    tls_version: str | None = None
    bytes_in: int = 0
    bytes_out: int = 0

    @property
    def summary(self) -> str:
        if self.error is not None:
            return f"failed: {self.error}"
        if self.location is not None:
            return f"redirect {self.status}"
        return f"ok {self.status}"


class _CountingHTTP(http.client.HTTPConnection):
    bytes_out = 0

    def send(self, data: Any) -> None:
        self.bytes_out += len(data)
        super().send(data)


class _CountingHTTPS(http.client.HTTPSConnection):
    bytes_out = 0

    def send(self, data: Any) -> None:
        self.bytes_out += len(data)
        super().send(data)


@dataclass(frozen=True)
class _Request:
    scheme: str
    host: str
    port: int
    path: str
    query: str

    def send(self, timeout: float, max_bytes: int) -> _Outcome:
        """One GET, no redirect followed here; never raises for network trouble."""
        outcome = _Outcome(started=utcnow())
        connection: _CountingHTTP | _CountingHTTPS
        if self.scheme == "https":
            context = ssl.create_default_context()
            context.minimum_version = ssl.TLSVersion.TLSv1_2
            connection = _CountingHTTPS(self.host, self.port, timeout=timeout, context=context)
        else:
            connection = _CountingHTTP(self.host, self.port, timeout=timeout)
        deadline = time.monotonic() + timeout
        target = self.path + (f"?{self.query}" if self.query else "")
        try:
            connection.request(
                "GET",
                target,
                headers={"User-Agent": USER_AGENT, "Accept": "*/*", "Connection": "close"},
            )
            sock = connection.sock
            if isinstance(sock, ssl.SSLSocket):
                outcome.tls_version = sock.version()
            response = connection.getresponse()
            outcome.status = response.status
            outcome.bytes_in = _header_size(response)
            if response.status in _REDIRECTS:
                outcome.location = response.getheader("Location") or ""
                if not outcome.location:
                    outcome.location = None
                    outcome.error = f"a redirect (HTTP {response.status}) with no address"
            elif response.status != 200:
                outcome.error = f"the server answered HTTP {response.status}"
            else:
                outcome.body = _read_bounded(response, max_bytes, deadline, outcome)
        except _TooBig:
            outcome.error = f"larger than {_size(max_bytes)}"
        except TimeoutError:
            outcome.error = "the server did not answer in time"
        except ssl.SSLCertVerificationError:
            outcome.error = "its certificate is not trusted"
        except (OSError, http.client.HTTPException) as error:
            outcome.error = f"the connection failed ({type(error).__name__})"
        finally:
            outcome.bytes_out = connection.bytes_out
            connection.close()
        return outcome


class _TooBig(Exception):
    pass


def _read_bounded(
    response: http.client.HTTPResponse, max_bytes: int, deadline: float, outcome: _Outcome
) -> bytes:
    declared = response.getheader("Content-Length")
    if declared is not None and declared.isdecimal() and int(declared) > max_bytes:
        raise _TooBig
    chunks: list[bytes] = []
    size = 0
    while True:
        if time.monotonic() > deadline:
            raise TimeoutError
        chunk = response.read(_CHUNK)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        outcome.bytes_in += len(chunk)
        if size > max_bytes:
            raise _TooBig
        chunks.append(chunk)


def _size(count: int) -> str:
    megabytes = count / (1024 * 1024)
    return f"{megabytes:g} MB" if megabytes >= 1 else f"{max(1, count // 1024)} KB"


def _header_size(response: http.client.HTTPResponse) -> int:
    status_line = len(f"HTTP/1.1 {response.status} {response.reason}\r\n")
    return status_line + sum(len(f"{k}: {v}\r\n") for k, v in response.getheaders()) + 2


def _host(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme.lower() not in REMOTE_SCHEMES:
        return None
    return (parts.hostname or "").lower() or None
