"""Reading autoconfig files, SRV answers and MX hosts: pure rules, no network."""

from __future__ import annotations

import pytest

from desktop.core.autoconfig import parse_autoconfig
from desktop.core.discovery import OAUTH2, PASSWORD, DiscoveryError, Provider, Trust
from desktop.core.discovery_dns import (
    MxRecord,
    SrvRecord,
    from_mx,
    from_srv,
    known_domain,
    ordered,
)

SOURCE = "https://autoconfig.example.org/mail/config-v1.1.xml"

FILE = b"""<?xml version="1.0"?>
<clientConfig version="1.1">
  <emailProvider id="example.org">
    <displayName>Example mail for %EMAILDOMAIN%</displayName>
    <incomingServer type="imap">
      <hostname>plain.%EMAILDOMAIN%</hostname><port>143</port><socketType>plain</socketType>
      <username>%EMAILLOCALPART%</username><authentication>password-cleartext</authentication>
    </incomingServer>
    <incomingServer type="imap">
      <hostname>IMAP.%EMAILDOMAIN%</hostname><port>143</port><socketType>STARTTLS</socketType>
      <username>%EMAILLOCALPART%</username><authentication>password-cleartext</authentication>
    </incomingServer>
    <outgoingServer type="smtp">
      <hostname>smtp.example.org</hostname><port>587</port><socketType>STARTTLS</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>GSSAPI</authentication><authentication>OAuth2</authentication>
    </outgoingServer>
  </emailProvider>
</clientConfig>"""


def test_an_autoconfig_file_gives_the_encrypted_imap_server_and_fills_the_placeholders() -> None:
    found = parse_autoconfig(FILE, "Ada@example.org", source=SOURCE, trust=Trust.HTTPS)
    assert found.incoming is not None
    assert (found.incoming.host, found.incoming.port, found.incoming.security) == (
        "imap.example.org",
        143,
        "starttls",
    )
    assert found.incoming.user == "Ada"
    assert found.incoming.auth == PASSWORD
    assert found.outgoing is not None
    assert found.outgoing.user == "Ada@example.org"
    assert found.outgoing.auth == OAUTH2  # the first method Switchboard knows, in file order
    assert found.wants_oauth2
    assert found.name == "Example mail for example.org"
    assert (found.source, found.trust) == (SOURCE, Trust.HTTPS)


def test_microsoft_is_recognised_by_the_servers_an_autoconfig_file_names() -> None:
    xml = FILE.replace(b"IMAP.%EMAILDOMAIN%", b"outlook.office365.com")
    found = parse_autoconfig(xml, "ada@example.org", source=SOURCE, trust=Trust.HTTP)
    assert found.provider is Provider.MICROSOFT


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"<clientConfig><emailProvider>", "not well-formed XML"),
        (b"", "not well-formed XML"),
        (b"<html><body>Not found</body></html>", "not a mail autoconfig file"),
        (b"<clientConfig><emailProvider/></clientConfig>", "names no IMAP or SMTP server"),
        (
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
            b"<clientConfig><emailProvider>&b;</emailProvider></clientConfig>",
            "declares a document type",
        ),
        (
            b'<!DOCTYPE clientConfig SYSTEM "file:///etc/passwd"><clientConfig/>',
            "declares a document type",
        ),
        (b"<clientConfig>" + b" " * 300_000 + b"</clientConfig>", "far too large"),
        (
            FILE.replace(b"<port>143</port>", b"<port>99999</port>")
            .replace(b"<outgoingServer", b"<other")
            .replace(b"</outgoingServer>", b"</other>"),
            "names no IMAP or SMTP server",
        ),
    ],
)
def test_an_unusable_file_gives_a_plain_reason(data: bytes, reason: str) -> None:
    with pytest.raises(DiscoveryError, match=reason) as raised:
        parse_autoconfig(data, "ada@example.org", source=SOURCE, trust=Trust.HTTPS)
    message = str(raised.value)
    assert message[0].isupper()
    assert message.endswith(".")


@pytest.mark.parametrize("email", ["ada", "ada@", "@example.org", "ada@localhost", "a b@x.org"])
def test_what_is_not_an_address_is_refused_before_any_lookup(email: str) -> None:
    with pytest.raises(DiscoveryError, match="is not"):
        known_domain(email)


def test_srv_records_are_taken_in_priority_then_weight_order_and_dot_means_none() -> None:
    records = [
        SrvRecord(20, 0, 993, "late.example.org."),
        SrvRecord(10, 1, 993, "light.example.org."),
        SrvRecord(10, 5, 993, "heavy.example.org."),
    ]
    assert [r.target for r in ordered(records)] == [
        "heavy.example.org.",
        "light.example.org.",
        "late.example.org.",
    ]
    assert ordered([SrvRecord(0, 0, 0, ".")]) == []
    found = from_srv(
        {
            "_imaps._tcp.example.org": [SrvRecord(0, 0, 0, ".")],
            "_imap._tcp.example.org": records,
            "_submissions._tcp.example.org": [SrvRecord(0, 0, 465, "smtp.example.org.")],
            "_submission._tcp.example.org": [SrvRecord(0, 0, 587, "other.example.org.")],
        },
        "ada@example.org",
    )
    assert found is not None
    assert found.incoming is not None
    assert (found.incoming.host, found.incoming.security) == ("heavy.example.org", "starttls")
    assert found.outgoing is not None
    assert (found.outgoing.host, found.outgoing.port, found.outgoing.security) == (
        "smtp.example.org",
        465,
        "ssl",
    )
    assert found.trust is Trust.DNS
    assert from_srv({"_imaps._tcp.example.org": [SrvRecord(0, 0, 0, ".")]}, "a@example.org") is None


@pytest.mark.parametrize(
    ("mx_host", "provider", "imap", "smtp"),
    [
        ("contoso-com.mail.protection.outlook.com.", Provider.MICROSOFT,
         ("outlook.office365.com", 993), ("smtp.office365.com", 587)),
        ("aspmx.l.google.com.", Provider.GOOGLE, ("imap.gmail.com", 993), ("smtp.gmail.com", 465)),
        ("alt2.gmr-smtp-in.l.googlemail.com", Provider.GOOGLE, ("imap.gmail.com", 993),
         ("smtp.gmail.com", 465)),
    ],
)  # fmt: skip
def test_microsoft_365_and_google_are_recognised_by_their_mx_hosts_and_want_oauth2(
    mx_host: str, provider: Provider, imap: tuple[str, int], smtp: tuple[str, int]
) -> None:
    found = from_mx([MxRecord(10, mx_host)], "ada@contoso.com")
    assert found is not None
    assert found.provider is provider
    assert found.incoming is not None
    assert found.outgoing is not None
    assert (found.incoming.host, found.incoming.port) == imap
    assert (found.outgoing.host, found.outgoing.port) == smtp
    assert found.incoming.auth == found.outgoing.auth == OAUTH2
    assert found.wants_oauth2


def test_another_mx_host_gives_a_guess_with_alternatives() -> None:
    found = from_mx(
        [MxRecord(20, "mx2.mailhost.co.uk."), MxRecord(10, "mx1.mailhost.co.uk.")],
        "ada@clinic.org",
    )
    assert found is not None
    assert found.trust is Trust.GUESS
    assert found.trust.is_weak
    assert found.incoming is not None
    assert found.incoming.host == "imap.mailhost.co.uk"
    assert found.outgoing is not None
    assert found.outgoing.host == "smtp.mailhost.co.uk"
    assert found.alternatives == ("mail.mailhost.co.uk", "imap.clinic.org", "mail.clinic.org")
    assert not found.wants_oauth2
    assert from_mx([], "ada@clinic.org") is None


def test_consumer_domains_of_known_providers_need_no_question() -> None:
    gmail = known_domain("ada@GMail.com")
    assert gmail is not None
    assert (gmail.provider, gmail.trust) == (Provider.GOOGLE, Trust.KNOWN)
    outlook = known_domain("ada@outlook.com")
    assert outlook is not None
    assert outlook.provider is Provider.MICROSOFT
    assert known_domain("ada@clinic.org") is None
