"""Reading a Thunderbird autoconfig file (config-v1.1), the format of a domain's own
``autoconfig.DOMAIN/mail/config-v1.1.xml`` and of Mozilla's ISPDB.

The file comes from the network, so it is parsed with the standard library's expat after a first
pass that refuses any document type declaration: no DTD means no entity, so neither an
"exponential entity" bomb nor an external entity can reach the tree (defusedxml does the same;
one check here saves a dependency). Anything unusable becomes a :class:`DiscoveryError` whose
message a person can read, never a parser exception.
"""

from __future__ import annotations

from xml.etree import ElementTree
from xml.parsers import expat

from desktop.core.discovery import (
    OAUTH2,
    PASSWORD,
    Discovered,
    DiscoveryError,
    ServerSetting,
    Trust,
    fill_placeholders,
)
from desktop.core.discovery_dns import provider_of_host

MAX_SIZE = 256 * 1024
"""Real files are a few kilobytes; anything far larger is not an autoconfig file."""
_SOCKETS = {"SSL": "ssl", "STARTTLS": "starttls", "PLAIN": "none"}
_AUTHS = {
    "OAUTH2": OAUTH2,
    "PASSWORD-CLEARTEXT": PASSWORD,
    "PASSWORD-ENCRYPTED": PASSWORD,
    "PLAIN": PASSWORD,
    "SECURE": PASSWORD,
}
_PREFERENCE = {"ssl": 0, "starttls": 1, "none": 2}


def parse_autoconfig(data: bytes, email: str, *, source: str, trust: Trust) -> Discovered:
    """The IMAP and SMTP servers an autoconfig file names for ``email``."""
    root = _parse_safely(data)
    provider = root.find("emailProvider")
    if root.tag != "clientConfig" or provider is None:
        raise DiscoveryError("The answer is not a mail autoconfig file.")
    incoming = _best(provider.findall("incomingServer"), "imap", email)
    outgoing = _best(provider.findall("outgoingServer"), "smtp", email)
    if incoming is None and outgoing is None:
        raise DiscoveryError("The autoconfig file names no IMAP or SMTP server.")
    hosts = [server.host for server in (incoming, outgoing) if server is not None]
    return Discovered(
        incoming=incoming,
        outgoing=outgoing,
        source=source,
        trust=trust,
        provider=next((p for p in map(provider_of_host, hosts) if p is not None), None),
        name=fill_placeholders((provider.findtext("displayName") or "").strip(), email),
    )


def _parse_safely(data: bytes) -> ElementTree.Element:
    if len(data) > MAX_SIZE:
        raise DiscoveryError("The answer is far too large to be an autoconfig file.")
    checker = expat.ParserCreate()

    def refuse(*_args: object) -> None:
        raise DiscoveryError("The autoconfig file declares a document type, which is refused.")

    checker.StartDoctypeDeclHandler = refuse
    checker.EntityDeclHandler = refuse
    try:
        checker.Parse(data, True)
        return ElementTree.fromstring(data)
    except (expat.ExpatError, ElementTree.ParseError) as error:
        raise DiscoveryError(f"The autoconfig file is not well-formed XML ({error}).") from None


def _best(elements: list[ElementTree.Element], kind: str, email: str) -> ServerSetting | None:
    """The first usable server of ``kind``, encrypted ones before plain ones (file order is the
    provider's preference, as in Thunderbird)."""
    servers = [
        server
        for element in elements
        if element.get("type", "").lower() == kind
        for server in [_server(element, email)]
        if server is not None
    ]
    servers.sort(key=lambda server: _PREFERENCE[server.security])
    return servers[0] if servers else None


def _server(element: ElementTree.Element, email: str) -> ServerSetting | None:
    host = fill_placeholders((element.findtext("hostname") or "").strip(), email).lower()
    port_text = (element.findtext("port") or "").strip()
    security = _SOCKETS.get((element.findtext("socketType") or "").strip().upper())
    auths = [_AUTHS.get((a.text or "").strip().upper()) for a in element.findall("authentication")]
    auth = next((a for a in auths if a is not None), PASSWORD if not auths else None)
    if not host or security is None or auth is None or not port_text.isdecimal():
        return None
    port = int(port_text)
    if not 1 <= port <= 65535:
        return None
    user = fill_placeholders((element.findtext("username") or "%EMAILADDRESS%").strip(), email)
    return ServerSetting(host=host, port=port, security=security, user=user, auth=auth)
