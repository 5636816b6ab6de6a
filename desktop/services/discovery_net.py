"""The questions discovery asks on the network, each one recorded in the egress audit.

Two kinds only: a DNS query (UDP to the resolver, TCP when the answer is truncated), here, and
an HTTP GET of an autoconfig file (:mod:`desktop.services.discovery_http`). Host names are
resolved through the same audited DNS client rather than the system's ``getaddrinfo``, so the
audit shows every query that left the machine, and a test can point the whole of discovery at
its own DNS server. Everything is short: a few seconds per question, a DNS server that once
failed to answer is not asked again, and answers are capped in size. No credential is ever part
of a question.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import dns.exception
import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import dns.resolver
from dns.rdata import Rdata

from desktop.services.mail.connection import PLAIN

PURPOSE = "DISCOVERY"
"""First command name of every egress row discovery writes: what the connection was for."""
DEFAULT_TIMEOUT = 4.0
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
    _silent: set[Nameserver] = field(default_factory=set, init=False)
    _missing: set[str] = field(default_factory=set, init=False)

    def query(self, name: str, kind: str) -> list[Rdata]:
        """The records of ``kind`` at ``name``: empty when there are none (NXDOMAIN, NODATA).
        The machine's DNS servers are asked in turn; one that does not answer is not asked
        again by this client."""
        servers = [s for s in self.network.nameservers if s not in self._silent]
        if not self.network.nameservers:
            raise NetworkError("This computer has no DNS server to ask.")
        if not servers:
            raise NetworkError(self._dead)
        for server in servers:
            answer = self._ask(server, name, kind)
            if answer is not None:
                break
        else:
            raise NetworkError(self._dead)
        rcode = answer.rcode()
        if rcode not in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
            raise NetworkError(
                f"The DNS server {server.address} could not answer for {name} "
                f"({dns.rcode.to_text(rcode)})."
            )
        if rcode == dns.rcode.NXDOMAIN:
            self._missing.add(name.lower())
        wanted = dns.rdatatype.from_text(kind)
        return [rdata for rrset in answer.answer if rrset.rdtype == wanted for rdata in rrset]

    def _ask(self, server: Nameserver, name: str, kind: str) -> dns.message.Message | None:
        """One server's answer, recorded; None (recorded too) when it gave none."""
        question = dns.message.make_query(name, kind)
        wire = question.to_wire()
        command = f"DNS {kind}"
        try:
            answer, received, sent = self._exchange(question, wire, server)
        except (OSError, dns.exception.DNSException) as error:
            self._silent.add(server)
            self._dead = _dns_failure(server, error, self.network.timeout)
            self.record(Exchange(server.address, server.port, PLAIN, 0, len(wire), command,
                                 f"failed: {type(error).__name__} ({name})"))  # fmt: skip
            return None
        outcome = f"{dns.rcode.to_text(answer.rcode()).lower()} ({name})"
        self.record(Exchange(server.address, server.port, PLAIN, received, sent, command,
                             outcome))  # fmt: skip
        return answer

    def _exchange(
        self, question: dns.message.Message, wire: bytes, server: Nameserver
    ) -> tuple[dns.message.Message, int, int]:
        """The answer, and the bytes received and sent (UDP, then TCP for a truncated one)."""
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
            return answer, len(data), len(wire)
        answer = dns.query.tcp(
            question, server.address, timeout=self.network.timeout, port=server.port
        )
        return answer, len(data) + len(answer.to_wire()) + 2, 2 * len(wire) + 2

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
