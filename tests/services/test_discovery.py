"""Set-up from the address against a real DNS server (dnsmasq) and real HTTPS and HTTP servers on
loopback: each source, none, a broken answer and a server that never answers; every question in
the egress audit, and never a password in any of them."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from discovery_lab import DiscoveryLab, running_lab
from sqlalchemy import select

from desktop.core.discovery import OAUTH2, PASSWORD, Provider, Trust
from desktop.services.accounts import ProfileDraft
from desktop.services.authorization import SignedInUser
from desktop.services.container import Services
from desktop.services.discovery import DiscoveryInputError, DiscoveryReport, discover_servers
from desktop.services.discovery_net import DiscoveryNetwork, Nameserver
from desktop.services.errors import NotFoundError
from desktop.store.models import EgressEvent
from desktop.store.session import unit_of_work

SIGN_IN = "correct horse battery"


@pytest.fixture(scope="module")
def lab() -> Iterator[DiscoveryLab]:
    with running_lab() as running:
        yield running


@pytest.fixture
def ada(services: Services) -> SignedInUser:
    accounts = services.accounts
    accounts.create_first_user("ada", "Ada", SIGN_IN)
    actor = accounts.sign_in("ada", SIGN_IN)
    profile = accounts.create_profile(actor, ProfileDraft(organization="Lab", email="ada@lab.org"))
    return actor.with_active_profile(profile.id)


def discover(
    services: Services, actor: SignedInUser, email: str, network: DiscoveryNetwork
) -> DiscoveryReport:
    return discover_servers(
        services.session_factory, services.authorizer, actor, email, network=network
    )


def egress(services: Services) -> list[EgressEvent]:
    with unit_of_work(services.session_factory) as session:
        rows = list(session.scalars(select(EgressEvent).order_by(EgressEvent.id)))
        session.expunge_all()
        return rows


def test_the_domains_autoconfig_over_https_is_trusted_and_every_question_is_audited(
    services: Services, ada: SignedInUser, lab: DiscoveryLab
) -> None:
    report = discover(services, ada, "ada@https.test", lab.network())
    found = report.found
    assert found is not None
    assert found.trust is Trust.HTTPS
    assert not found.trust.is_weak
    assert found.source == (
        "https://autoconfig.https.test/mail/config-v1.1.xml?emailaddress=ada@https.test"
    )
    assert found.incoming is not None
    assert (found.incoming.host, found.incoming.port, found.incoming.security) == (
        "imap.https.test",
        993,
        "ssl",
    )
    assert found.incoming.user == "ada"
    assert found.outgoing is not None
    assert (found.outgoing.host, found.outgoing.port) == ("smtp.https.test", 465)
    assert not found.wants_oauth2
    assert found.name == "Test mail of https.test"
    assert ("https", "autoconfig.https.test", found.source.split(".test", 1)[1]) in (
        lab.web.requests
    )

    rows = egress(services)
    assert [(row.commands, row.host) for row in rows] == [
        ("DISCOVERY,DNS A", "127.0.0.1"),
        ("DISCOVERY,HTTP GET", "autoconfig.https.test"),
    ]
    web = rows[1]
    assert web.port == lab.web.https_port
    assert web.tls_version in ("TLSv1.2", "TLSv1.3")
    assert web.bytes_in > 1000
    assert web.bytes_out > 100
    assert web.outcome == "HTTP 200"
    assert all(row.profile_id == ada.active_profile_id for row in rows)
    assert rows[0].port == lab.dns.port
    assert rows[0].bytes_in > 0
    assert rows[0].outcome == "noerror (autoconfig.https.test)"


def test_the_well_known_address_is_asked_next_and_microsoft_is_recognised(
    services: Services, ada: SignedInUser, lab: DiscoveryLab
) -> None:
    report = discover(services, ada, "ada@wellknown.test", lab.network())
    assert report.found is not None
    assert report.found.source == (
        "https://wellknown.test/.well-known/autoconfig/mail/config-v1.1.xml"
    )
    assert report.found.provider is Provider.MICROSOFT
    assert report.found.wants_oauth2
    assert report.attempts[0].outcome == "autoconfig.wellknown.test has no address in DNS."


def test_an_answer_over_plain_http_is_marked_less_trustworthy(
    services: Services, ada: SignedInUser, lab: DiscoveryLab
) -> None:
    report = discover(services, ada, "ada@plain.test", lab.network())
    found = report.found
    assert found is not None
    assert found.trust is Trust.HTTP
    assert found.trust.is_weak
    assert "less trustworthy" in found.trust.explanation
    assert found.source.startswith("http://autoconfig.plain.test/")
    assert report.attempts[0].outcome == "autoconfig.plain.test answered 404 (Not Found)."
    assert [a.source.split(":")[0] for a in report.attempts] == ["https", "https", "http"]


def test_srv_records_are_used_in_priority_order_and_a_dot_target_is_skipped(
    services: Services, ada: SignedInUser, lab: DiscoveryLab
) -> None:
    found = discover(services, ada, "ada@srv.test", lab.network()).found
    assert found is not None
    assert found.trust is Trust.DNS
    assert found.incoming is not None
    assert (found.incoming.host, found.incoming.port, found.incoming.security) == (
        "imap1.srv.test",
        10993,
        "ssl",
    )
    assert found.outgoing is not None
    assert (found.outgoing.host, found.outgoing.port, found.outgoing.security) == (
        "smtp.srv.test",
        587,
        "starttls",
    )
    assert found.source == "SRV _imaps._tcp.srv.test, _submission._tcp.srv.test"
    srv_rows = [row for row in egress(services) if row.commands == "DISCOVERY,DNS SRV"]
    assert len(srv_rows) == 4


@pytest.mark.parametrize(
    "case",
    [
        ("ada@ms.test", Provider.MICROSOFT, "outlook.office365.com", 587),
        ("ada@gw.test", Provider.GOOGLE, "imap.gmail.com", 465),
    ],
    ids=["microsoft", "google"],
)
def test_microsoft_365_and_google_are_recognised_by_mx_and_flagged_for_oauth2(
    services: Services,
    ada: SignedInUser,
    lab: DiscoveryLab,
    case: tuple[str, Provider, str, int],
) -> None:
    email, provider, imap_host, smtp_port = case
    report = discover(services, ada, email, lab.network())
    found = report.found
    assert found is not None
    assert found.provider is provider
    assert found.wants_oauth2
    assert found.incoming is not None
    assert found.outgoing is not None
    assert (found.incoming.host, found.incoming.auth) == (imap_host, OAUTH2)
    assert found.outgoing.port == smtp_port
    assert report.attempts[-1].outcome == f"The MX hosts are {provider.display_name}'s."


def test_another_mx_gives_a_weak_guess(
    services: Services, ada: SignedInUser, lab: DiscoveryLab
) -> None:
    found = discover(services, ada, "ada@guess.test", lab.network()).found
    assert found is not None
    assert found.trust is Trust.GUESS
    assert found.incoming is not None
    assert (found.incoming.host, found.incoming.auth) == ("imap.provider.test", PASSWORD)
    assert found.alternatives[:1] == ("mail.provider.test",)


def test_nothing_found_says_so_and_lists_every_source_asked(
    services: Services, ada: SignedInUser, lab: DiscoveryLab
) -> None:
    report = discover(services, ada, "ada@none.test", lab.network())
    assert report.found is None
    assert report.summary == (
        "No server settings were found for none.test: enter the servers your organization gave you."
    )
    assert len(report.attempts) == 6
    assert report.attempts[-1].outcome == "none.test has no MX records."


def test_malformed_answers_are_reasons_not_exceptions(
    services: Services, ada: SignedInUser, lab: DiscoveryLab
) -> None:
    report = discover(services, ada, "ada@broken.test", lab.network())
    assert report.found is None
    outcomes = [attempt.outcome for attempt in report.attempts]
    assert outcomes[0].startswith("The autoconfig file is not well-formed XML")
    assert outcomes[2] == "The answer is not a mail autoconfig file."


def test_a_server_that_never_answers_times_out_with_a_plain_message(
    services: Services, ada: SignedInUser, lab: DiscoveryLab
) -> None:
    # The server never answers, so only the timeout can end the look-up (or the test times out).
    report = discover(services, ada, "ada@slow.test", lab.network(timeout=0.5))
    assert report.found is None
    assert report.attempts[0].outcome == "autoconfig.slow.test did not answer within 0.5 seconds."
    timed_out = [row for row in egress(services) if row.outcome == "failed: timeout"]
    assert [row.host for row in timed_out] == ["autoconfig.slow.test"] * 2


def test_a_dns_server_that_never_answers_is_asked_once(
    services: Services, ada: SignedInUser, lab: DiscoveryLab
) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as black_hole:  # bound, never read
        black_hole.bind(("127.0.0.1", 0))
        silent = Nameserver("127.0.0.1", black_hole.getsockname()[1])
        report = discover(services, ada, "ada@none.test", DiscoveryNetwork((silent,), timeout=0.3))
    assert report.found is None
    assert (
        report.attempts[0].outcome == "The DNS server 127.0.0.1 did not answer within 0.3 seconds."
    )
    assert len([row for row in egress(services) if row.outcome.startswith("failed")]) == 1


def test_a_redirect_is_followed_within_https_and_never_down_to_http(
    services: Services, ada: SignedInUser, lab: DiscoveryLab
) -> None:
    moved = discover(services, ada, "ada@moved.test", lab.network()).found
    assert moved is not None
    assert moved.trust is Trust.HTTPS
    assert (
        moved.source == f"https://autoconfig.https.test:{lab.web.https_port}/mail/config-v1.1.xml"
    )
    hops = [row.outcome for row in egress(services) if row.commands == "DISCOVERY,HTTP GET"]
    assert hops == ["HTTP 301", "HTTP 200"]

    report = discover(services, ada, "ada@downgrade.test", lab.network())
    assert report.attempts[0].outcome.endswith(
        "redirects to an unencrypted address, which is refused."
    )


def test_the_next_dns_server_is_asked_when_the_first_is_silent(
    services: Services, ada: SignedInUser, lab: DiscoveryLab
) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as black_hole:
        black_hole.bind(("127.0.0.1", 0))
        silent = Nameserver("127.0.0.1", black_hole.getsockname()[1])
        network = lab.network(timeout=0.3)
        network = DiscoveryNetwork((silent, *network.nameservers), network.https_port,
                                   network.http_port, 0.3, network.ca_file)  # fmt: skip
        found = discover(services, ada, "ada@https.test", network).found
    assert found is not None
    assert found.trust is Trust.HTTPS
    dns_rows = [(row.port, row.outcome) for row in egress(services) if "DNS" in row.commands]
    assert dns_rows[0] == (silent.port, "failed: TimeoutError (autoconfig.https.test)")
    assert all(port == lab.dns.port for port, _outcome in dns_rows[1:])


def test_a_known_consumer_domain_asks_nothing(services: Services, ada: SignedInUser) -> None:
    report = discover_servers(services.session_factory, services.authorizer, ada, "x@gmail.com")
    assert report.found is not None
    assert report.found.provider is Provider.GOOGLE
    assert report.found.trust is Trust.KNOWN
    assert egress(services) == []


def test_cancelling_stops_before_the_next_question(
    services: Services, ada: SignedInUser, lab: DiscoveryLab
) -> None:
    asked: list[int] = []

    def cancelled() -> bool:
        asked.append(len(asked))
        return len(asked) > 1

    report = discover_servers(
        services.session_factory,
        services.authorizer,
        ada,
        "ada@none.test",
        network=lab.network(),
        cancelled=cancelled,
    )
    assert report.cancelled
    assert len(report.attempts) == 1
    assert report.summary == "Looking up the servers was cancelled."


def test_bad_addresses_and_someone_elses_profile_are_refused(
    services: Services, ada: SignedInUser, lab: DiscoveryLab
) -> None:
    with pytest.raises(DiscoveryInputError, match="is not an email address"):
        discover(services, ada, "ada at lab", lab.network())
    with pytest.raises(NotFoundError):
        discover_servers(
            services.session_factory,
            services.authorizer,
            ada,
            "ada@none.test",
            profile_id=10**6,
            network=lab.network(),
        )
    assert egress(services) == []
