"""The questions discovery asks on the network, each one recorded in the egress audit.

Two kinds only: a DNS query (UDP to the resolver, TCP when the answer is truncated) and an HTTP
GET of an autoconfig file. Host names are resolved through the same audited DNS client rather
than the system's ``getaddrinfo``, so the audit shows every query that left the machine, and a
test can point the whole of discovery at its own DNS server. Everything is short: a few seconds
per question, a DNS server that once failed to answer is not asked again, and answers are capped
in size. No credential is ever part of a question.
"""

from __future__ import annotations

import http.client
import io
import os
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import dns.exception
import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import dns.resolver
from dns.rdata import Rdata

from desktop.services.mail.connection import PLAIN, tls_context

PURPOSE = "DISCOVERY"
"""First command name of every egress row discovery writes: what the connection was for."""
DEFAULT_TIMEOUT = 4.0
MAX_ANSWER = 300 * 1024
MAX_REDIRECTS = 3
NAMESERVER_ENV = "SWITCHBOARD_DISCOVERY_NAMESERVER"
PORTS_ENV = "SWITCHBOARD_AUTOCONFIG_PORTS"


class NetworkError(Exception):
    """A question got no usable answer; the message is a sentence for the person."""


@dataclass(frozen=True)
class Exchange:
    """One question as the egress audit keeps it."""

    host: str
    port: int
    tls_version: str
    bytes_in: int
    bytes_out: int
    command: str
    outcome: str


Recorder = Callable[[Exchange], None]


@dataclass(frozen=True)
class Nameserver:
    address: str
    port: int = 53


@dataclass(frozen=True)
class DiscoveryNetwork:
    """Where discovery asks: the DNS servers, the HTTP ports, the CAs trusted, how long to wait.

    ``from_environment`` is the machine's own resolver and the standard ports; the two
    environment variables point it at a DNS server (``ADDRESS`` or ``ADDRESS:PORT``) and at
    autoconfig ports of one's own (``HTTPS,HTTP``: a lab, the tests), and ``SSL_CERT_FILE`` names
    the CAs as for any OpenSSL program.
    """

    nameservers: tuple[Nameserver, ...]
    https_port: int = 443
    http_port: int = 80
    timeout: float = DEFAULT_TIMEOUT
    ca_file: str | None = None

    @classmethod
    def from_environment(cls) -> DiscoveryNetwork:
        chosen = os.environ.get(NAMESERVER_ENV, "").strip()
        servers: tuple[Nameserver, ...]
        if chosen:
            address, _colon, port = chosen.rpartition(":")
            bare_ipv6 = chosen.count(":") > 1 and not chosen.startswith("[")
            if bare_ipv6 or not port.isdecimal() or not address:
                address, port = chosen, "53"
            servers = (Nameserver(address.strip("[]"), int(port)),)
        else:
            try:
                system = dns.resolver.Resolver().nameservers
            except dns.resolver.NoResolverConfiguration:
                system = []
            servers = tuple(Nameserver(str(address)) for address in system)
        https, _comma, plain = os.environ.get(PORTS_ENV, "443,80").partition(",")
        return cls(
            servers,
            https_port=int(https) if https.strip().isdecimal() else 443,
            http_port=int(plain) if plain.strip().isdecimal() else 80,
        )


@dataclass
class DnsClient:
    network: DiscoveryNetwork
    record: Recorder
    _dead: str = field(default="", init=False)
    _missing: set[str] = field(default_factory=set, init=False)

    def query(self, name: str, kind: str) -> list[Rdata]:
        """The records of ``kind`` at ``name``: empty when there are none (NXDOMAIN, NODATA)."""
        if self._dead:
            raise NetworkError(self._dead)
        if not self.network.nameservers:
            raise NetworkError("This computer has no DNS server to ask.")
        server = self.network.nameservers[0]
        question = dns.message.make_query(name, kind)
        wire = question.to_wire()
        command = f"DNS {kind}"
        try:
            answer, received = self._exchange(question, wire, server)
        except (OSError, dns.exception.DNSException) as error:
            self._dead = _dns_failure(server, error, self.network.timeout)
            self.record(Exchange(server.address, server.port, PLAIN, 0, len(wire), command,
                                 f"failed: {type(error).__name__} ({name})"))  # fmt: skip
            raise NetworkError(self._dead) from None
        rcode = answer.rcode()
        self.record(Exchange(server.address, server.port, PLAIN, received, len(wire), command,
                             f"{dns.rcode.to_text(rcode).lower()} ({name})"))  # fmt: skip
        if rcode not in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
            raise NetworkError(
                f"The DNS server {server.address} could not answer for {name} "
                f"({dns.rcode.to_text(rcode)})."
            )
        wanted = dns.rdatatype.from_text(kind)
        if rcode == dns.rcode.NXDOMAIN:
            self._missing.add(name.lower())
        return [rdata for rrset in answer.answer if rrset.rdtype == wanted for rdata in rrset]

    def _exchange(
        self, question: dns.message.Message, wire: bytes, server: Nameserver
    ) -> tuple[dns.message.Message, int]:
        family = socket.AF_INET6 if ":" in server.address else socket.AF_INET
        with socket.socket(family, socket.SOCK_DGRAM) as sock:
            sock.settimeout(self.network.timeout)
            sock.connect((server.address, server.port))
            sock.send(wire)
            deadline = time.monotonic() + self.network.timeout
            while True:
                sock.settimeout(max(0.01, deadline - time.monotonic()))
                data = sock.recv(65535)
                answer = dns.message.from_wire(
                    data, ignore_trailing=True, raise_on_truncation=False
                )
                if question.is_response(answer):
                    break
        if not answer.flags & dns.flags.TC:
            return answer, len(data)
        answer = dns.query.tcp(
            question, server.address, timeout=self.network.timeout, port=server.port
        )
        return answer, len(data) + len(answer.to_wire()) + 2

    def addresses(self, host: str) -> list[str]:
        """IPv4 addresses first, IPv6 when there are none (and the name exists at all)."""
        found = [rdata.to_text() for rdata in self.query(host, "A")]
        if found or host.lower() in self._missing:
            return found
        return [rdata.to_text() for rdata in self.query(host, "AAAA")]


def _dns_failure(server: Nameserver, error: Exception, timeout: float) -> str:
    if isinstance(error, TimeoutError | dns.exception.Timeout):
        return f"The DNS server {server.address} did not answer within {seconds(timeout)}."
    return f"The DNS server {server.address} could not be asked ({error})."


def seconds(value: float) -> str:
    return "1 second" if value == 1 else f"{value:g} seconds"


@dataclass(frozen=True)
class Fetched:
    body: bytes
    url: str
    encrypted: bool
    """Every hop, redirects included, was verified HTTPS."""


def fetch(url: str, dns_client: DnsClient, record: Recorder) -> Fetched:
    """GET ``url`` (following a few redirects, never from HTTPS down to HTTP)."""
    encrypted = url.startswith("https:")
    for _hop in range(MAX_REDIRECTS + 1):
        status, reason, location, body = _get(url, dns_client, record)
        if status in (301, 302, 303, 307, 308) and location:
            target = urljoin(url, location)
            if url.startswith("https:") and not target.startswith("https:"):
                raise NetworkError(f"{url} redirects to an unencrypted address, which is refused.")
            url, encrypted = target, encrypted and target.startswith("https:")
            continue
        if status != 200:
            raise NetworkError(f"{urlsplit(url).hostname} answered {status} ({reason}).")
        return Fetched(body, url, encrypted)
    raise NetworkError(f"{url} redirects too many times.")


def _get(url: str, dns_client: DnsClient, record: Recorder) -> tuple[int, str, str, bytes]:
    parts = urlsplit(url)
    host = parts.hostname or ""
    network = dns_client.network
    secure = parts.scheme == "https"
    port = parts.port or (network.https_port if secure else network.http_port)
    addresses = dns_client.addresses(host)
    if not addresses:
        raise NetworkError(f"{host} has no address in DNS.")
    shown_host = host if port in (80, 443) else f"{host}:{port}"
    request = (
        f"GET {parts.path or '/'}{'?' + parts.query if parts.query else ''} HTTP/1.1\r\n"
        f"Host: {shown_host}\r\nUser-Agent: Switchboard\r\nAccept: text/xml, application/xml\r\n"
        "Connection: close\r\n\r\n"
    ).encode("ascii")
    tls, raw, outcome = PLAIN, b"", "ok"
    try:
        with socket.create_connection((addresses[0], port), timeout=network.timeout) as plain:
            sock: socket.socket = plain
            if secure:
                sock = tls_context(network.ca_file).wrap_socket(plain, server_hostname=host)
                tls = str(getattr(sock, "version", lambda: PLAIN)() or PLAIN)
            sock.sendall(request)
            raw = _read_all(sock, network.timeout)
        response = http.client.HTTPResponse(_Replay(raw))  # type: ignore[arg-type]
        response.begin()
        body = response.read()
        outcome = f"HTTP {response.status}"
        return response.status, response.reason, response.getheader("Location") or "", body
    except NetworkError:
        outcome = "failed: too large"
        raise
    except ssl.SSLCertVerificationError as error:
        outcome = "failed: certificate"
        raise NetworkError(
            f"The certificate of {host} could not be verified ({error.verify_message})."
        ) from None
    except TimeoutError:
        outcome = "failed: timeout"
        raise NetworkError(f"{host} did not answer within {seconds(network.timeout)}.") from None
    except ConnectionRefusedError:
        outcome = "failed: refused"
        raise NetworkError(f"{host} refused the connection on port {port}.") from None
    except (OSError, http.client.HTTPException) as error:
        outcome = f"failed: {type(error).__name__}"
        raise NetworkError(f"{host} gave no usable answer ({type(error).__name__}).") from None
    finally:
        record(Exchange(host, port, tls, len(raw), len(request), "HTTP GET", outcome))


def _read_all(sock: socket.socket, timeout: float) -> bytes:
    """The whole response, within ``timeout`` overall (a server that trickles bytes does not get
    to hold discovery up) and no larger than :data:`MAX_ANSWER`."""
    deadline = time.monotonic() + timeout
    chunks: list[bytes] = []
    size = 0
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        sock.settimeout(left)
        chunk = sock.recv(65536)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > MAX_ANSWER:
            raise NetworkError("The answer is far too large to be an autoconfig file.")
        chunks.append(chunk)


class _Replay:
    """What ``http.client.HTTPResponse`` reads from: the bytes already received."""

    def __init__(self, raw: bytes) -> None:
        self._raw = raw

    def makefile(self, _mode: str) -> io.BytesIO:
        return io.BytesIO(self._raw)
