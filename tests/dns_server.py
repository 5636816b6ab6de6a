"""A real DNS server on loopback for the tests: dnsmasq on a free port, serving only what it is
told (host, SRV and MX records) and NXDOMAIN for every other name under its local domains."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterable
from dataclasses import dataclass

import dns.exception
import dns.message
import dns.query
import dns.rcode

STARTUP_TIMEOUT = 10.0


@dataclass(frozen=True)
class Srv:
    name: str
    target: str
    port: int
    priority: int = 0
    weight: int = 0


def free_udp_and_tcp_port() -> int:
    """A port free for both UDP and TCP on 127.0.0.1 (dnsmasq listens on both)."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind(("127.0.0.1", 0))
            port: int = udp.getsockname()[1]
            with socket.socket() as tcp:
                try:
                    tcp.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port


class DnsServer:
    def __init__(
        self,
        *,
        domains: Iterable[str],
        hosts: Iterable[tuple[str, str]] = (),
        srv: Iterable[Srv] = (),
        mx: Iterable[tuple[str, str, int]] = (),
    ) -> None:
        self.port = free_udp_and_tcp_port()
        arguments = [
            "--keep-in-foreground",
            "--conf-file=/dev/null",
            "--no-resolv",
            "--no-hosts",
            "--no-poll",
            "--pid-file=",
            "--bind-interfaces",
            "--listen-address=127.0.0.1",
            f"--port={self.port}",
            "--user=",
        ]
        arguments += [f"--local=/{domain}/" for domain in domains]
        arguments += [f"--host-record={name},{address}" for name, address in hosts]
        arguments += [
            f"--srv-host={r.name},{r.target},{r.port},{r.priority},{r.weight}" for r in srv
        ]
        arguments += [f"--mx-host={name},{host},{preference}" for name, host, preference in mx]
        self._arguments = arguments
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        executable = shutil.which("dnsmasq") or "/usr/sbin/dnsmasq"
        self._process = subprocess.Popen(
            [executable, *self._arguments],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + STARTUP_TIMEOUT
        probe = dns.message.make_query("ready.invalid", "A")
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                error = self._process.stderr.read().decode() if self._process.stderr else ""
                raise RuntimeError(f"dnsmasq exited: {error.strip()}")
            try:
                dns.query.udp(probe, "127.0.0.1", port=self.port, timeout=0.2)
            except (dns.exception.Timeout, OSError):
                continue
            return
        raise RuntimeError("dnsmasq did not answer in time")

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            self._process.wait(timeout=10)
        if self._process is not None and self._process.stderr is not None:
            self._process.stderr.close()

    def rcode(self, name: str, kind: str) -> str:
        answer = dns.query.udp(
            dns.message.make_query(name, kind), "127.0.0.1", port=self.port, timeout=2
        )
        return dns.rcode.to_text(answer.rcode())
