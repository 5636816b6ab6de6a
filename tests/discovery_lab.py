"""A small internet on loopback for the discovery tests: one DNS server (dnsmasq) and one HTTPS
and one HTTP server, with a domain for each case a person can meet.

| domain | what it publishes |
| --- | --- |
| https.test | autoconfig.https.test over HTTPS |
| wellknown.test | only https://wellknown.test/.well-known/... |
| plain.test | autoconfig over HTTP only (HTTPS answers 404) |
| srv.test | RFC 6186 / 8314 SRV records, no autoconfig host |
| ms.test / gw.test | MX at Microsoft 365 / Google |
| guess.test | MX at mx1.provider.test |
| broken.test | malformed XML over HTTPS and HTTP |
| slow.test | an HTTPS server that never answers |
| moved.test | a redirect to https.test's file; downgrade.test: a redirect to plain HTTP |
| none.test | nothing at all |
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from dns_server import DnsServer, Srv
from http_server import AutoconfigServers

from desktop.services.discovery_net import DiscoveryNetwork, Nameserver

DOMAINS = ("https.test", "wellknown.test", "plain.test", "srv.test", "ms.test", "gw.test",
           "guess.test", "broken.test", "slow.test", "none.test", "provider.test", "moved.test",
           "downgrade.test")  # fmt: skip
WEB_HOSTS = ("autoconfig.https.test", "wellknown.test", "autoconfig.plain.test",
             "autoconfig.broken.test", "broken.test", "autoconfig.slow.test",
             "autoconfig.moved.test", "autoconfig.downgrade.test")  # fmt: skip
CONFIG_PATH = "/mail/config-v1.1.xml"
WELL_KNOWN_PATH = "/.well-known/autoconfig/mail/config-v1.1.xml"


def autoconfig_xml(host: str, *, smtp_host: str = "", auth: str = "password-cleartext") -> bytes:
    smtp_host = smtp_host or host.replace("imap.", "smtp.")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="%EMAILDOMAIN%">
    <domain>%EMAILDOMAIN%</domain>
    <displayName>Test mail of %EMAILDOMAIN%</displayName>
    <incomingServer type="pop3">
      <hostname>pop.{host}</hostname><port>995</port><socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username><authentication>{auth}</authentication>
    </incomingServer>
    <incomingServer type="imap">
      <hostname>{host}</hostname><port>143</port><socketType>STARTTLS</socketType>
      <username>%EMAILLOCALPART%</username><authentication>{auth}</authentication>
    </incomingServer>
    <incomingServer type="imap">
      <hostname>{host}</hostname><port>993</port><socketType>SSL</socketType>
      <username>%EMAILLOCALPART%</username><authentication>{auth}</authentication>
    </incomingServer>
    <outgoingServer type="smtp">
      <hostname>{smtp_host}</hostname><port>465</port><socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username><authentication>{auth}</authentication>
    </outgoingServer>
  </emailProvider>
</clientConfig>
""".encode()


class DiscoveryLab:
    def __init__(self, folder: Path) -> None:
        self.dns = DnsServer(
            domains=DOMAINS,
            hosts=[(host, "127.0.0.1") for host in WEB_HOSTS],
            srv=[
                Srv("_imaps._tcp.srv.test", "imap2.srv.test", 993, priority=20),
                Srv("_imaps._tcp.srv.test", "imap1.srv.test", 10993, priority=10),
                Srv("_imap._tcp.srv.test", "plainer.srv.test", 143),
                Srv("_submissions._tcp.srv.test", ".", 0),
                Srv("_submission._tcp.srv.test", "smtp.srv.test", 587),
            ],
            mx=[
                ("ms.test", "ms-test.mail.protection.outlook.com", 0),
                ("gw.test", "aspmx.l.google.com", 1),
                ("gw.test", "alt1.aspmx.l.google.com", 5),
                ("guess.test", "mx1.provider.test", 10),
            ],
        )
        self.web = AutoconfigServers(folder, WEB_HOSTS)
        self.web.files = {
            ("https", "autoconfig.https.test", CONFIG_PATH): autoconfig_xml("imap.https.test"),
            ("https", "wellknown.test", WELL_KNOWN_PATH): autoconfig_xml(
                "outlook.office365.com", smtp_host="smtp.office365.com", auth="OAuth2"
            ),
            ("http", "autoconfig.plain.test", CONFIG_PATH): autoconfig_xml("imap.plain.test"),
            ("https", "autoconfig.broken.test", CONFIG_PATH): b"<clientConfig><emailProvider>",
            ("http", "autoconfig.broken.test", CONFIG_PATH): b"<clientConfig version='1.1'/>",
        }
        self.web.stalled = {"autoconfig.slow.test"}
        https_file = f"https://autoconfig.https.test:{self.web.https_port}{CONFIG_PATH}"
        self.web.redirects = {
            ("https", "autoconfig.moved.test", CONFIG_PATH): https_file,
            ("https", "autoconfig.downgrade.test", CONFIG_PATH): (
                f"http://autoconfig.plain.test:{self.web.http_port}{CONFIG_PATH}"
            ),
        }

    def network(self, timeout: float = 3.0) -> DiscoveryNetwork:
        return DiscoveryNetwork(
            (Nameserver("127.0.0.1", self.dns.port),),
            https_port=self.web.https_port,
            http_port=self.web.http_port,
            timeout=timeout,
            ca_file=str(self.web.ca_file),
        )


@contextmanager
def running_lab() -> Iterator[DiscoveryLab]:
    """The lab for one test module; skipped without dnsmasq, failed under CI=true."""
    if shutil.which("dnsmasq", path="/usr/sbin:/usr/bin") is None:
        reason = "dnsmasq is not installed (Debian package dnsmasq-base)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{reason} (CI=true: a missing server fails the run)")
        pytest.skip(reason)
    folder = Path(tempfile.mkdtemp(prefix="discovery-lab-"))
    lab = DiscoveryLab(folder)
    lab.dns.start()
    lab.web.start()
    try:
        yield lab
    finally:
        lab.web.stop()
        lab.dns.stop()
        shutil.rmtree(folder, ignore_errors=True)
