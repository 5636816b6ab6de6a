"""Server settings from DNS: RFC 6186 / RFC 8314 service records, MX-based guesses, and the
providers recognised by their domains or MX hosts.

Pure: the records arrive as plain tuples (the service layer asks the resolver), so the ordering
rules are tested without a network. Microsoft 365 and Google are recognised rather than guessed,
because their servers are fixed and refuse passwords: the person must be told at once that the
account needs an OAuth2 sign-in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from desktop.core.discovery import (
    OAUTH2,
    Discovered,
    Provider,
    ServerSetting,
    Trust,
    split_address,
)

#: RFC 6186 names with what each offers; implicit TLS first (RFC 8314 section 5.1).
SRV_SERVICES: tuple[tuple[str, str, str], ...] = (
    ("_imaps._tcp", "imap", "ssl"),
    ("_imap._tcp", "imap", "starttls"),
    ("_submissions._tcp", "smtp", "ssl"),
    ("_submission._tcp", "smtp", "starttls"),
)

_MICROSOFT_DOMAINS = frozenset({"outlook.com", "hotmail.com", "live.com", "msn.com"})
_GOOGLE_DOMAINS = frozenset({"gmail.com", "googlemail.com"})
_MICROSOFT_MX = ("mail.protection.outlook.com",)
_GOOGLE_MX = ("google.com", "googlemail.com")
_MICROSOFT_HOSTS = ("office365.com", "outlook.com")
_GOOGLE_HOSTS = ("gmail.com", "googlemail.com")


@dataclass(frozen=True)
class SrvRecord:
    priority: int
    weight: int
    port: int
    target: str


@dataclass(frozen=True)
class MxRecord:
    preference: int
    host: str


def _under(host: str, suffixes: Sequence[str]) -> bool:
    host = host.lower().rstrip(".")
    return any(host == suffix or host.endswith("." + suffix) for suffix in suffixes)


def provider_of_host(host: str) -> Provider | None:
    """The OAuth2 provider whose IMAP or SMTP server this is, if any."""
    if _under(host, _MICROSOFT_HOSTS):
        return Provider.MICROSOFT
    if _under(host, _GOOGLE_HOSTS):
        return Provider.GOOGLE
    return None


def preset(provider: Provider, email: str, *, source: str, trust: Trust) -> Discovered:
    """The fixed servers of a provider; both want OAuth2 with the address as the user."""
    user = email.strip()
    if provider is Provider.MICROSOFT:
        incoming = ServerSetting("outlook.office365.com", 993, "ssl", user, OAUTH2)
        outgoing = ServerSetting("smtp.office365.com", 587, "starttls", user, OAUTH2)
    else:
        incoming = ServerSetting("imap.gmail.com", 993, "ssl", user, OAUTH2)
        outgoing = ServerSetting("smtp.gmail.com", 465, "ssl", user, OAUTH2)
    return Discovered(incoming, outgoing, source, trust, provider, provider.display_name)


def known_domain(email: str) -> Discovered | None:
    """A consumer address of a provider Switchboard knows: no question needs the network."""
    _local, domain = split_address(email)
    for provider, domains in (
        (Provider.MICROSOFT, _MICROSOFT_DOMAINS),
        (Provider.GOOGLE, _GOOGLE_DOMAINS),
    ):
        if domain in domains:
            return preset(provider, email, source=f"the domain {domain}", trust=Trust.KNOWN)
    return None


def ordered(records: Sequence[SrvRecord]) -> list[SrvRecord]:
    """RFC 2782 order: lowest priority first, heavier weight first within one priority (a fixed
    order instead of the weighted lottery, so the person sees the same answer every time). A
    lone record whose target is "." says the service is not offered (RFC 2782): none is kept."""
    usable = [r for r in records if r.target.rstrip(".") and 0 < r.port <= 65535]
    return sorted(usable, key=lambda r: (r.priority, -r.weight))


def from_srv(answers: Mapping[str, Sequence[SrvRecord]], email: str) -> Discovered | None:
    """The best IMAP and SMTP server the service records name, keyed by their owner name
    (``_imaps._tcp.example.org``); None when none names a usable one."""
    _local, domain = split_address(email)
    chosen: dict[str, tuple[ServerSetting, str]] = {}
    for service, kind, security in SRV_SERVICES:
        if kind in chosen:
            continue
        name = f"{service}.{domain}"
        best = ordered(answers.get(name, ()))
        if best:
            host = best[0].target.rstrip(".").lower()
            chosen[kind] = (ServerSetting(host, best[0].port, security, email.strip()), name)
    if not chosen:
        return None
    incoming, outgoing = chosen.get("imap"), chosen.get("smtp")
    names = [entry[1] for entry in (incoming, outgoing) if entry is not None]
    hosts = [entry[0].host for entry in (incoming, outgoing) if entry is not None]
    provider = next((p for p in map(provider_of_host, hosts) if p is not None), None)
    if provider is not None:
        return preset(provider, email, source=f"SRV {', '.join(names)}", trust=Trust.DNS)
    return Discovered(
        incoming=incoming[0] if incoming else None,
        outgoing=outgoing[0] if outgoing else None,
        source=f"SRV {', '.join(names)}",
        trust=Trust.DNS,
    )


def from_mx(records: Sequence[MxRecord], email: str) -> Discovered | None:
    """Microsoft 365 or Google recognised by the MX hosts, else the usual host names of the
    domain (Thunderbird's guess: ``imap.`` and ``smtp.`` of the MX host's parent domain, which is
    the mail provider's, or of the address's own domain when it receives its own mail)."""
    _local, domain = split_address(email)
    hosts = [r.host.rstrip(".").lower() for r in sorted(records, key=lambda r: r.preference)]
    hosts = [host for host in hosts if host]
    if not hosts:
        return None
    for host in hosts:
        for provider, suffixes in (
            (Provider.MICROSOFT, _MICROSOFT_MX),
            (Provider.GOOGLE, _GOOGLE_MX),
        ):
            if _under(host, suffixes):
                return preset(provider, email, source=f"MX {domain} -> {host}", trust=Trust.DNS)
    bases = [_parent(host) for host in hosts]
    names = [f"{prefix}.{base}" for base in [*bases, domain] if base for prefix in ("imap", "mail")]
    imap_hosts = list(dict.fromkeys(names))
    base = imap_hosts[0].split(".", 1)[1]
    return Discovered(
        incoming=ServerSetting(imap_hosts[0], 993, "ssl", email.strip()),
        outgoing=ServerSetting(f"smtp.{base}", 587, "starttls", email.strip()),
        source=f"MX {domain} -> {hosts[0]}",
        trust=Trust.GUESS,
        name=base,
        alternatives=tuple(imap_hosts[1:]),
    )


def _parent(host: str) -> str:
    """``mx1.mail.example.net`` -> ``example.net``: the registrable part, approximated by the
    last two labels (three when the second-level label is short, as in ``co.uk``)."""
    labels = host.split(".")
    if len(labels) < 2:
        return ""
    keep = 3 if len(labels) >= 3 and len(labels[-2]) <= 3 and len(labels[-1]) == 2 else 2
    return ".".join(labels[-keep:])
