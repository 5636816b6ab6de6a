"""Set-up from the email address alone: find the servers, say where they came from.

The order is the one good mail clients use, most trustworthy first, and discovery stops at the
first source that answers so that as few questions as possible leave the machine:

1. a provider Switchboard knows by the address's domain (gmail.com, outlook.com): no question;
2. the domain's autoconfig file over verified HTTPS (``autoconfig.DOMAIN`` with the address,
   then ``DOMAIN/.well-known``);
3. the same two over plain HTTP, marked less trustworthy;
4. RFC 6186 / RFC 8314 DNS service records;
5. the MX hosts: Microsoft 365 and Google recognised, otherwise a guess at the usual names.

Mozilla's ISPDB (autoconfig.thunderbird.net) is not asked: it would tell a third party which
organization's mail each person sets up, and the brief allows traffic only to servers a profile
names. Nothing here logs in anywhere, so no password can be sent before the person has seen the
settings and confirmed them. Every question is in the egress audit under the profile being set
up, or the acting one for a profile that does not exist yet (so that the person sees it there).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from urllib.parse import quote

from desktop.core.autoconfig import parse_autoconfig
from desktop.core.discovery import Discovered, DiscoveryError, Trust, split_address
from desktop.core.discovery_dns import (
    SRV_SERVICES,
    MxRecord,
    SrvRecord,
    from_mx,
    from_srv,
    known_domain,
)
from desktop.core.roles import Action
from desktop.services.authorization import Authorizer, SignedInUser, gated
from desktop.services.discovery_http import fetch
from desktop.services.discovery_net import (
    PURPOSE,
    DiscoveryNetwork,
    DnsClient,
    Exchange,
    NetworkError,
)
from desktop.services.errors import AccountError
from desktop.services.mail.egress import record_egress
from desktop.store.models import EgressEvent
from desktop.store.models.base import utcnow
from desktop.store.session import SessionFactory


@dataclass(frozen=True)
class Attempt:
    """One source asked, and what came of it, as a sentence."""

    source: str
    outcome: str


@dataclass(frozen=True)
class DiscoveryReport:
    email: str
    found: Discovered | None
    attempts: tuple[Attempt, ...]
    cancelled: bool = False

    @property
    def summary(self) -> str:
        if self.cancelled:
            return "Looking up the servers was cancelled."
        if self.found is None:
            _local, domain = split_address(self.email)
            return (
                f"No server settings were found for {domain}: enter the servers your "
                "organization gave you."
            )
        return f"Found the servers of {self.found.name or self.email} ({self.found.trust})."


class DiscoveryInputError(AccountError):
    """The address cannot be looked up; nothing was asked on the network."""


@gated(Action.MANAGE_OWN_PROFILES, profile="profile_id", target="server discovery")
def discover_servers(
    session_factory: SessionFactory,
    authorizer: Authorizer,
    actor: SignedInUser,
    email: str,
    *,
    profile_id: int | None = None,
    network: DiscoveryNetwork | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> DiscoveryReport:
    """The first source that names servers for ``email``; ``cancelled`` is asked between
    questions so that the person can stop a slow look-up."""
    try:
        _local, domain = split_address(email)
    except DiscoveryError as error:
        raise DiscoveryInputError(str(error)) from None
    email = email.strip()
    known = known_domain(email)
    if known is not None:
        return DiscoveryReport(email, known, (Attempt(known.source, known.trust.explanation),))
    audited_profile = profile_id if profile_id is not None else actor.active_profile_id
    dns_client = DnsClient(
        network or DiscoveryNetwork.from_environment(),
        lambda exchange: _record(session_factory, audited_profile, exchange),
    )
    return _Run(email, domain, dns_client, cancelled).go()


def _record(session_factory: SessionFactory, profile_id: int | None, exchange: Exchange) -> None:
    record_egress(
        session_factory,
        EgressEvent(
            at=utcnow(),
            profile_id=profile_id,
            host=exchange.host[:255],
            port=exchange.port,
            tls_version=exchange.tls_version,
            bytes_in=exchange.bytes_in,
            bytes_out=exchange.bytes_out,
            commands=f"{PURPOSE},{exchange.command}",
            outcome=exchange.outcome[:200],
        ),
    )


class _Run:
    def __init__(
        self,
        email: str,
        domain: str,
        dns_client: DnsClient,
        cancelled: Callable[[], bool] | None,
    ) -> None:
        self.email = email
        self.domain = domain
        self.dns = dns_client
        self.cancelled = cancelled or (lambda: False)
        self.attempts: list[Attempt] = []

    def go(self) -> DiscoveryReport:
        steps: list[Callable[[], Discovered | None]] = [
            partial(self._autoconfig, url, trust)
            for trust, scheme in ((Trust.HTTPS, "https"), (Trust.HTTP, "http"))
            for url in self._urls(scheme)
        ]
        steps += [self._srv, self._mx]
        for step in steps:
            if self.cancelled():
                return self._report(None, cancelled=True)
            found = step()
            if found is not None:
                return self._report(found)
        return self._report(None)

    def _report(self, found: Discovered | None, *, cancelled: bool = False) -> DiscoveryReport:
        return DiscoveryReport(self.email, found, tuple(self.attempts), cancelled)

    def _urls(self, scheme: str) -> list[str]:
        address = quote(self.email, safe="@")
        return [
            f"{scheme}://autoconfig.{self.domain}/mail/config-v1.1.xml?emailaddress={address}",
            f"{scheme}://{self.domain}/.well-known/autoconfig/mail/config-v1.1.xml",
        ]

    def _autoconfig(self, url: str, trust: Trust) -> Discovered | None:
        try:
            fetched = fetch(url, self.dns, self.dns.record)
            found = parse_autoconfig(
                fetched.body,
                self.email,
                source=fetched.url,
                trust=trust if fetched.encrypted else Trust.HTTP,
            )
        except (NetworkError, DiscoveryError) as error:
            self.attempts.append(Attempt(url, str(error)))
            return None
        self.attempts.append(Attempt(url, "Found an autoconfig file."))
        return found

    def _srv(self) -> Discovered | None:
        answers: dict[str, list[SrvRecord]] = {}
        for service, _kind, _security in SRV_SERVICES:
            name = f"{service}.{self.domain}"
            try:
                records = self.dns.query(name, "SRV")
            except NetworkError as error:
                self.attempts.append(Attempt(f"SRV {name}", str(error)))
                return None
            answers[name] = [
                SrvRecord(r.priority, r.weight, r.port, r.target.to_text())  # type: ignore[attr-defined]
                for r in records
            ]
        found = from_srv(answers, self.email)
        outcome = "Found service records." if found else "No usable service records."
        self.attempts.append(Attempt(f"SRV records of {self.domain}", outcome))
        return found

    def _mx(self) -> Discovered | None:
        try:
            records = self.dns.query(self.domain, "MX")
        except NetworkError as error:
            self.attempts.append(Attempt(f"MX {self.domain}", str(error)))
            return None
        found = from_mx(
            [MxRecord(r.preference, r.exchange.to_text()) for r in records],  # type: ignore[attr-defined]
            self.email,
        )
        if found is None:
            outcome = f"{self.domain} has no MX records."
        elif found.provider is not None:
            outcome = f"The MX hosts are {found.provider.display_name}'s."
        else:
            outcome = "Guessed from the MX hosts."
        self.attempts.append(Attempt(f"MX {self.domain}", outcome))
        return found
