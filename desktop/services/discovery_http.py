"""The HTTP GET of an autoconfig file: verified TLS, a few redirects (never down from HTTPS to
HTTP), the host name resolved through the audited DNS client, the whole answer read within the
timeout and capped in size, and each hop in the egress audit with its bytes.

The request is written by hand and the answer parsed by ``http.client`` from the bytes received,
so the audit counts exactly what crossed the network and a trickling server cannot hold the
look-up beyond its deadline.
"""

from __future__ import annotations

import http.client
import io
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from desktop.services.discovery_net import DnsClient, Exchange, NetworkError, Recorder, seconds
from desktop.services.mail.connection import PLAIN, tls_context

MAX_ANSWER = 300 * 1024
MAX_REDIRECTS = 3


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
                tls = (sock.version() if isinstance(sock, ssl.SSLSocket) else None) or PLAIN
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
