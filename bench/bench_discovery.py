"""Set-up from the address: what our care costs beside the bare libraries doing the same work.

Parsing: an autoconfig file read safely (a first expat pass that refuses any DTD, then the tree,
then the rules) against ``ElementTree.fromstring`` alone on the same bytes; target under 1 ms a
file, so the safety is free at the scale of a network answer. DNS: one SRV question through our
audited client (own UDP exchange, byte counts, an egress record handed to a recorder) against
dnspython's ``dns.query.udp`` asking the same loopback server; target within 1.5x of it. The
server is a dnspython responder in a thread, the same for both.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from time import perf_counter
from xml.etree import ElementTree

import dns.message
import dns.query
import dns.rrset

from bench.timing import Figure, alternating, ratio
from desktop.core.autoconfig import parse_autoconfig
from desktop.core.discovery import Trust
from desktop.services.discovery_net import DiscoveryNetwork, DnsClient, Exchange, Nameserver

PARSE_TARGET_MS = 1.0
DNS_RATIO_TARGET = 1.5
NAME = "_imaps._tcp.example.org."
FILE = (
    b"""<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="example.org">
    <domain>example.org</domain>
    <displayName>Example mail</displayName>
"""
    + b"".join(
        f"""    <incomingServer type="{kind}">
      <hostname>{kind}{n}.example.org</hostname><port>993</port><socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username><authentication>OAuth2</authentication>
      <authentication>password-cleartext</authentication>
    </incomingServer>
""".encode()
        for n in range(3)
        for kind in ("imap", "pop3")
    )
    + b"""    <outgoingServer type="smtp">
      <hostname>smtp.example.org</hostname><port>587</port><socketType>STARTTLS</socketType>
      <username>%EMAILADDRESS%</username><authentication>OAuth2</authentication>
    </outgoingServer>
  </emailProvider>
</clientConfig>
"""
)


def timed(action: Callable[[], object], times: int) -> Callable[[], float]:
    def run() -> float:
        start = perf_counter()
        for _ in range(times):
            action()
        return (perf_counter() - start) / times

    return run


def responder() -> tuple[socket.socket, threading.Thread]:
    """A loopback DNS server answering every question with two SRV records."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))

    def serve() -> None:
        while True:
            try:
                data, peer = sock.recvfrom(65535)
            except OSError:
                return
            query = dns.message.from_wire(data)
            answer = dns.message.make_response(query)
            answer.answer.append(
                dns.rrset.from_text(
                    NAME, 60, "IN", "SRV", "10 0 993 imap1.example.org.", "20 0 993 imap2."
                )
            )
            sock.sendto(answer.to_wire(), peer)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return sock, thread


def main(quick: bool = False) -> int:
    rounds, times = (5, 50) if quick else (9, 200)

    def parse() -> object:
        return parse_autoconfig(FILE, "a@example.org", source="x", trust=Trust.HTTPS)

    parse_ours, parse_bare = alternating(
        [timed(parse, times), timed(lambda: ElementTree.fromstring(FILE), times)], rounds
    )
    sock, _thread = responder()
    port = sock.getsockname()[1]
    recorded: list[Exchange] = []
    client = DnsClient(DiscoveryNetwork((Nameserver("127.0.0.1", port),)), recorded.append)
    question = dns.message.make_query(NAME, "SRV")
    dns_ours, dns_bare = alternating(
        [
            timed(lambda: client.query(NAME, "SRV"), times),
            timed(lambda: dns.query.udp(question, "127.0.0.1", port=port, timeout=2), times),
        ],
        rounds,
    )
    sock.close()
    ours, bare = Figure(tuple(parse_ours)), Figure(tuple(parse_bare))
    parse_ok = ours.median * 1000 <= PARSE_TARGET_MS
    print(f"autoconfig parse, safe: {ours.shown(1e6, 'us')}; bare ElementTree: "
          f"{bare.shown(1e6, 'us')} (target under {PARSE_TARGET_MS:.0f} ms) "
          f"{'ok' if parse_ok else 'MISSED'}")  # fmt: skip
    ours, bare = Figure(tuple(dns_ours)), Figure(tuple(dns_bare))
    dns_ok = ours.median <= DNS_RATIO_TARGET * bare.median
    print(f"SRV question, audited: {ours.shown(1e6, 'us')}; dnspython udp: "
          f"{bare.shown(1e6, 'us')}; dnspython/ours {ratio(bare, ours)} (target ours within "
          f"{DNS_RATIO_TARGET}x) {'ok' if dns_ok else 'MISSED'}")  # fmt: skip
    return 0 if parse_ok and dns_ok else 1
