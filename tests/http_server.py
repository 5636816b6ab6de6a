"""Real HTTPS and HTTP servers on loopback for the tests (stdlib ``http.server`` in threads).

The HTTPS one presents a certificate of a throwaway CA made on the spot, for every host name the
test serves, so the client verifies it exactly as it would a real one when it trusts that CA.
Both answer by the Host header and path from one table that a test may change (and a table of
redirects); a host in
``stalled`` is answered only when the server stops (the slow server of the timeout tests).
"""

from __future__ import annotations

import ssl
import subprocess
import threading
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


def make_ca_and_certificate(folder: Path, names: Iterable[str]) -> tuple[Path, Path, Path]:
    """``(ca.pem, server-cert.pem, server-key.pem)``: a CA and a server certificate it signed."""
    ca_key, ca_cert = folder / "ca-key.pem", folder / "ca.pem"
    key, csr, cert = folder / "server-key.pem", folder / "server.csr", folder / "server.pem"
    extensions = folder / "server.ext"
    extensions.write_text(
        "subjectAltName=" + ",".join(f"DNS:{name}" for name in names) + "\n"
        "extendedKeyUsage=serverAuth\n"
    )

    def run(*arguments: str) -> None:
        subprocess.run(["openssl", *arguments], check=True, capture_output=True)

    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
        "/CN=Switchboard test CA", "-keyout", str(ca_key), "-out", str(ca_cert))  # fmt: skip
    run("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=autoconfig test server",
        "-keyout", str(key), "-out", str(csr))  # fmt: skip
    run("x509", "-req", "-in", str(csr), "-CA", str(ca_cert), "-CAkey", str(ca_key),
        "-CAcreateserial", "-days", "2", "-extfile", str(extensions),
        "-out", str(cert))  # fmt: skip
    return ca_cert, cert, key


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0].lower()
        table = self.server.owner
        table.requests.append((self.server.scheme, host, self.path))
        if host in table.stalled:
            table.release.wait()
            return
        path = self.path.split("?", 1)[0]
        location = table.redirects.get((self.server.scheme, host, path))
        if location is not None:
            self.send_response(301)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = table.files.get((self.server.scheme, host, path))
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the tests read what was asked from ``requests``."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, owner: AutoconfigServers, scheme: str) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.owner = owner
        self.scheme = scheme


class AutoconfigServers:
    """One HTTPS and one HTTP server; ``files[(scheme, host, path)]`` is what each serves."""

    def __init__(self, folder: Path, names: Iterable[str]) -> None:
        self.ca_file, cert, key = make_ca_and_certificate(folder, names)
        self.files: dict[tuple[str, str, str], bytes] = {}
        self.redirects: dict[tuple[str, str, str], str] = {}
        self.stalled: set[str] = set()
        self.requests: list[tuple[str, str, str]] = []
        self.release = threading.Event()
        self._https = _Server(self, "https")
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        self._https.socket = context.wrap_socket(self._https.socket, server_side=True)
        self._http = _Server(self, "http")
        self._threads = [
            threading.Thread(target=server.serve_forever, daemon=True)
            for server in (self._https, self._http)
        ]

    @property
    def https_port(self) -> int:
        return int(self._https.server_address[1])

    @property
    def http_port(self) -> int:
        return int(self._http.server_address[1])

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self.release.set()
        for server in (self._https, self._http):
            server.shutdown()
            server.server_close()
