"""What set-up from an email address found: the servers, where the answer came from, and how far
to trust it.

The record is the same whichever source answered (the domain's autoconfig file, its DNS service
records, a guess from its MX hosts, or a provider Switchboard knows), so the CLI and the GUI show
every answer the same way and the person always sees the source beside the settings before any
password goes anywhere.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

PASSWORD = "password"
OAUTH2 = "oauth2"
SECURITY_MODES = ("ssl", "starttls", "none")


class DiscoveryError(ValueError):
    """An answer that cannot be used; the message says why in a plain sentence."""


class Trust(enum.StrEnum):
    """How much an answer deserves to be believed, strongest first."""

    KNOWN = "known provider"
    HTTPS = "verified HTTPS"
    DNS = "DNS records"
    HTTP = "plain HTTP"
    GUESS = "guess"

    @property
    def explanation(self) -> str:
        return _EXPLANATIONS[self]

    @property
    def is_weak(self) -> bool:
        """Anyone on the network could have written (or changed) this answer."""
        return self in (Trust.HTTP, Trust.GUESS)


_EXPLANATIONS = {
    Trust.KNOWN: "Switchboard knows this provider's servers; nothing was asked on the network.",
    Trust.HTTPS: "Published by the domain itself over a verified HTTPS connection.",
    Trust.DNS: "Read from the domain's DNS records, which are not signed: check the servers if "
    "you are unsure.",
    Trust.HTTP: "Fetched over plain HTTP, which anyone on the network can change: this answer is "
    "less trustworthy, so check the servers with your organization before you use them.",
    Trust.GUESS: "A guess from where the domain's mail is delivered: nothing confirms that these "
    "servers exist, so check them before you use them.",
}


class Provider(enum.StrEnum):
    """Providers whose servers refuse passwords and want an OAuth2 sign-in."""

    MICROSOFT = "microsoft"
    GOOGLE = "google"

    @property
    def display_name(self) -> str:
        return "Microsoft 365" if self is Provider.MICROSOFT else "Google"


@dataclass(frozen=True)
class ServerSetting:
    """One server: ``security`` is one of :data:`SECURITY_MODES`, ``auth`` PASSWORD or OAUTH2."""

    host: str
    port: int
    security: str
    user: str
    auth: str = PASSWORD


@dataclass(frozen=True)
class Discovered:
    """The servers one source named for an address. ``source`` is the URL or DNS record read."""

    incoming: ServerSetting | None
    outgoing: ServerSetting | None
    source: str
    trust: Trust
    provider: Provider | None = None
    name: str = ""
    alternatives: tuple[str, ...] = ()
    """For a guess: other IMAP host names worth trying when the first one is wrong."""

    @property
    def wants_oauth2(self) -> bool:
        servers = (self.incoming, self.outgoing)
        return self.provider is not None or any(s and s.auth == OAUTH2 for s in servers)


def split_address(email: str) -> tuple[str, str]:
    """``(local part, domain)`` of an address, the domain lower-cased; DiscoveryError if it is
    not an address one could discover servers for."""
    text = email.strip()
    local, at, domain = text.rpartition("@")
    domain = domain.lower().rstrip(".")
    if not at or not local or "." not in domain or any(c.isspace() for c in text):
        raise DiscoveryError(f"{text!r} is not an email address, so no servers can be looked up.")
    if any(not label or len(label) > 63 for label in domain.split(".")):
        raise DiscoveryError(f"{domain!r} is not a domain name, so no servers can be looked up.")
    return local, domain


def fill_placeholders(template: str, email: str) -> str:
    """Thunderbird's placeholders, as its autoconfig files use them in user and host names."""
    local, domain = split_address(email)
    return (
        template.replace("%EMAILADDRESS%", email.strip())
        .replace("%EMAILLOCALPART%", local)
        .replace("%EMAILDOMAIN%", domain)
    )
