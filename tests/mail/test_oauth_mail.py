"""OAuth2 profiles against real servers: a local provider (authlib's server side) on loopback,
Dovecot checking every bearer token with it (its ``oauth2`` passdb, RFC 7662), and Postfix
taking SMTP logins through that Dovecot. The refresh token is in the test's private keyring.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from dovecot import MAIL_SERVER_PASSWORD, Dovecot
from imapclient import IMAPClient
from mail_helpers import (
    Recorder,
    actor_of,
    mail_sync,
    make_profile,
    server_client,
    simple_message,
)
from oauth_provider import CLIENT_ID, OAuthProvider
from outbox_helpers import make_sender, message, read_folder
from postfix import Postfix
from sqlalchemy import select

from desktop.core.oauth_providers import provider_from
from desktop.logs import LOG_FILE_NAME, configure_logging
from desktop.paths import logs_dir
from desktop.services.accounts import AccountsService
from desktop.services.authorization import Authorizer
from desktop.services.mail.actions import MailActions
from desktop.services.mail.imap_sync import AuthenticationError, SyncProgress
from desktop.services.mail.outbox import Outbox
from desktop.services.mail.sync_owner import Failed, MailSync, SyncEvent
from desktop.services.oauth_credentials import MailCredentials
from desktop.services.oauth_revocation import Revocation
from desktop.services.oauth_sasl import SaslAnswer, imap_authenticate
from desktop.services.oauth_signin import OAuthSignIn
from desktop.services.oauth_tokens import OAuthTokens
from desktop.services.passwords import CHEAP_TEST_COST, PasswordHashing
from desktop.services.secrets import SecretStore
from desktop.services.sign_in_needed import SignInNeededError
from desktop.store.models import EgressEvent, Message, Profile
from desktop.store.session import SessionFactory, unit_of_work

PROVIDER_LOG = ("authlib.oauth2.rfc6749.grants", "authlib.oauth2.rfc6749.authenticate_client")
"""The test provider's own server-side log, which names the tokens it issues."""
pytestmark = [pytest.mark.imap, pytest.mark.keyring]


@dataclass(frozen=True)
class Servers:
    provider: OAuthProvider
    dovecot: Dovecot
    postfix: Postfix


@pytest.fixture(scope="module")
def servers(dovecot: Dovecot, postfix: Postfix) -> Iterator[Servers]:
    """Its own Dovecot and Postfix (the session's, asked for first, skip or fail as they do)."""
    provider = OAuthProvider().start()
    dovecot = Dovecot(MAIL_SERVER_PASSWORD, oauth2_introspection_url=provider.introspection_url)
    dovecot.start()
    postfix = Postfix(dovecot)
    postfix.start()
    yield Servers(provider, dovecot, postfix)
    postfix.destroy()
    dovecot.destroy()
    provider.stop()


class Clock:
    """The broker's wall clock, moved by the test (the provider keeps real time)."""

    def __init__(self) -> None:
        import time

        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@dataclass
class World:
    servers: Servers
    session_factory: SessionFactory
    secrets: SecretStore
    tokens: OAuthTokens
    sign_in: OAuthSignIn
    sync: MailSync
    clock: Clock

    def oauth_profile(self, user_id: int, provider: OAuthProvider | None = None) -> tuple[int, str]:
        """A profile on the test servers that signs in through the provider: (id, login)."""
        sender = make_sender(self.session_factory, user_id, self.servers.dovecot,
                             self.servers.postfix)  # fmt: skip
        issuer = (provider or self.servers.provider).issuer
        chosen = provider_from(None, issuer, None, CLIENT_ID)
        actor = actor_of(self.session_factory, sender.profile_id)
        self.sign_in.set_authentication(actor, sender.profile_id, "oauth2", chosen)
        return sender.profile_id, sender.login

    def new_connections(self) -> None:
        """The kept IMAP connections end (idle, dropped): the next step signs in anew, with the
        access token the broker still holds."""
        self.sync.close()
        credentials = MailCredentials(self.session_factory, self.secrets, self.tokens)
        self.sync = mail_sync(self.session_factory, credentials)  # type: ignore[arg-type]

    def browser_sign_in(
        self, profile_id: int, login: str, provider: OAuthProvider | None = None
    ) -> list[str]:
        """Sign in as ``login`` with a test browser; returns the pages the browser showed."""
        (provider or self.servers.provider).approve_as = login
        pages: list[str] = []
        self.sign_in.sign_in_with_browser(
            actor_of(self.session_factory, profile_id), profile_id,
            lambda url: _follow(url, pages), threading.Event(),
        )  # fmt: skip
        return pages


def _follow(url: str, pages: list[str]) -> None:
    """The system browser: follows the authorization URL and its redirect back to the app."""

    def run() -> None:
        with urllib.request.urlopen(url, timeout=10) as answer:
            pages.append(answer.read().decode())

    threading.Thread(target=run, daemon=True).start()


@pytest.fixture
def world(
    servers: Servers, session_factory: SessionFactory, secret_service: SecretStore
) -> Iterator[World]:
    clock = Clock()
    tokens = OAuthTokens(session_factory, secret_service, clock=clock)
    sign_in = OAuthSignIn(session_factory, Authorizer(session_factory), tokens)
    credentials = MailCredentials(session_factory, secret_service, tokens)
    sync = mail_sync(session_factory, credentials)  # type: ignore[arg-type]
    world = World(servers, session_factory, secret_service, tokens, sign_in, sync, clock)
    yield world
    world.sync.close()  # the one in use at the end: a test may have started a new one


def test_browser_sign_in_then_sync_and_send_with_the_token(world: World, user_id: int) -> None:
    dovecot, postfix = world.servers.dovecot, world.servers.postfix
    profile_id, login = world.oauth_profile(user_id)
    dovecot.deliver(login, [simple_message(1), simple_message(2)])

    pages = world.browser_sign_in(profile_id, login)

    assert "go back to switchboard" in pages[0].lower()
    actor = actor_of(world.session_factory, profile_id)
    assert world.sync.sync_now(actor, profile_id).new == 2
    to = dovecot.add_user()
    outbox = Outbox(world.session_factory, Authorizer(world.session_factory))
    address = postfix.address(login)
    outbox.queue_message(actor, profile_id, message(address, postfix.address(to)),
                         [postfix.address(to)])  # fmt: skip
    assert world.sync.deliver_now(actor, profile_id).sent == 1
    assert len(read_folder(dovecot, to, at_least=1)) == 1
    assert "POST /token" in world.servers.provider.state.requests


def test_an_access_token_near_its_expiry_is_renewed_before_connecting(
    world: World, user_id: int
) -> None:
    profile_id, login = world.oauth_profile(user_id)
    world.browser_sign_in(profile_id, login)
    actor = actor_of(world.session_factory, profile_id)
    world.sync.sync_now(actor, profile_id)
    first = world.tokens.access_token(profile_id)

    world.clock.now += 3600 - 60  # one minute left: less than the broker's leeway
    world.sync.close()
    world.sync = mail_sync(world.session_factory,
                           MailCredentials(world.session_factory, world.secrets, world.tokens))  # type: ignore[arg-type]  # fmt: skip
    world.sync.sync_now(actor, profile_id)

    assert world.tokens.access_token(profile_id) != first
    assert world.servers.provider.active_user(world.tokens.access_token(profile_id)) == login


def test_a_refused_token_is_renewed_once_and_the_sync_goes_on(world: World, user_id: int) -> None:
    profile_id, login = world.oauth_profile(user_id)
    world.servers.dovecot.deliver(login, [simple_message(1)])
    world.browser_sign_in(profile_id, login)
    before = world.tokens.access_token(profile_id)

    world.servers.provider.end_access_tokens()  # unexpired, but the server now refuses it
    result = world.sync.sync_now(actor_of(world.session_factory, profile_id), profile_id)

    assert result.new == 1
    assert world.tokens.access_token(profile_id) != before


def test_test_connection_signs_in_with_the_profiles_token_not_a_password(
    world: World, user_id: int
) -> None:
    """The profiles dialog's Test connection: nothing is typed for an OAuth2 profile."""
    provider = world.servers.provider
    profile_id, login = world.oauth_profile(user_id)
    world.browser_sign_in(profile_id, login)
    actor = actor_of(world.session_factory, profile_id)
    world.sync.check_connection(actor, profile_id, "")
    world.sync.check_connection(actor, profile_id, "a password typed out of habit")
    refreshes = provider.state.requests.count("POST /token")

    provider.end_access_tokens()  # refused now: the test renews it as a sync would
    world.sync.check_connection(actor, profile_id, "")

    assert provider.state.requests.count("POST /token") == refreshes + 1
    assert provider.active_user(world.tokens.access_token(profile_id)) == login
    assert world.sync.stopped_reason(profile_id) is None
    with unit_of_work(world.session_factory) as session:
        imap = session.scalars(
            select(EgressEvent).where(
                EgressEvent.profile_id == profile_id,
                EgressEvent.port == world.servers.dovecot.imaps_port,
            )
        ).all()
    assert len(imap) == 3
    assert all(row.outcome == "ok" for row in imap)


def test_test_connection_before_signing_in_asks_to_sign_in_first_and_stops_nothing(
    world: World, user_id: int
) -> None:
    profile_id, login = world.oauth_profile(user_id)
    actor = actor_of(world.session_factory, profile_id)
    events: list[SyncEvent] = []
    world.sync.add_listener(events.append)

    with pytest.raises(AuthenticationError) as raised:
        world.sync.check_connection(actor, profile_id, "whatever was typed")

    email = world.servers.postfix.address(login)
    assert str(raised.value) == (
        f"Sign in with 127.0.0.1 first: this computer holds no sign-in for {email} yet, so "
        "there is nothing to test the connection with."
    )
    assert not isinstance(raised.value, SignInNeededError)
    assert world.sync.stopped_reason(profile_id) is None
    assert not [e for e in events if isinstance(e, Failed)]
    world.servers.dovecot.deliver(login, [simple_message(1)])
    world.browser_sign_in(profile_id, login)
    world.sync.check_connection(actor, profile_id, "")
    assert world.sync.sync_now(actor, profile_id).new == 1


def test_test_connection_after_the_grant_was_revoked_says_sign_in_again(
    world: World, user_id: int
) -> None:
    profile_id, login = world.oauth_profile(user_id)
    world.browser_sign_in(profile_id, login)
    actor = actor_of(world.session_factory, profile_id)
    world.servers.provider.revoke_grants_of(login)

    with pytest.raises(SignInNeededError, match="needs you to sign in again: the organization"):
        world.sync.check_connection(actor, profile_id, "")

    assert world.secrets.get_oauth_refresh_token(profile_id) is None


def test_a_token_expiring_during_a_long_sync_is_refreshed_and_the_work_goes_on(
    world: World, user_id: int
) -> None:
    """The hour of the access token ends while a sync of several folders runs; the delivery
    and the IDLE watch that follow on the same owner sign in anew with a refreshed token."""
    servers, factory = world.servers, world.session_factory
    dovecot, postfix, provider = servers.dovecot, servers.postfix, servers.provider
    profile_id, login = world.oauth_profile(user_id)
    folders = ["Lab", "Ward", "Billing"]
    with server_client(dovecot, login) as client:
        for number, folder in enumerate(folders, start=10):
            client.create_folder(folder)
            client.subscribe_folder(folder)  # the sync keeps subscribed folders
            client.append(folder, simple_message(number, f"in {folder}"))
    dovecot.deliver(login, [simple_message(1, "in INBOX")])
    world.browser_sign_in(profile_id, login)
    actor = actor_of(factory, profile_id)
    first = world.tokens.access_token(profile_id)
    refreshes = provider.state.requests.count("POST /token")
    recorder = Recorder(world.sync)
    expired_in: list[str] = []

    def expire(progress: SyncProgress) -> None:
        if not expired_in:  # the first folder is under way: the token's hour is over
            expired_in.append(progress.folder)
            world.clock.now += 3600 + 1
            provider.end_access_tokens()

    result = world.sync.sync_now(actor, profile_id, expire)
    to = dovecot.add_user()
    Outbox(factory, Authorizer(factory)).queue_message(
        actor, profile_id, message(postfix.address(login), postfix.address(to)),
        [postfix.address(to)],
    )  # fmt: skip
    sent = world.sync.deliver_now(actor, profile_id)
    assert world.sync.watch_inbox(actor, profile_id)
    recorder.wait_for(recorder.watching())
    dovecot.deliver(login, [simple_message(2, "while idling")])
    recorder.wait_for(lambda _: "while idling" in _ids(factory, profile_id))

    assert expired_in
    assert result.new == 1 + len(folders)
    assert sent.sent == 1
    assert len(read_folder(dovecot, to, at_least=1)) == 1
    assert not recorder.of(Failed)
    assert provider.state.requests.count("POST /token") == refreshes + 1  # once, before SMTP
    renewed = world.tokens.access_token(profile_id)
    assert renewed != first
    assert provider.active_user(renewed) == login
    assert provider.active_user(first) is None


def test_a_revoked_grant_stops_that_profile_only_and_asks_to_sign_in_again(
    world: World, user_id: int
) -> None:
    revoked_id, revoked_login = world.oauth_profile(user_id)
    other_id, other_login = world.oauth_profile(user_id)
    world.browser_sign_in(revoked_id, revoked_login)
    world.browser_sign_in(other_id, other_login)
    events: list[SyncEvent] = []
    world.sync.add_listener(events.append)

    world.servers.provider.revoke_grants_of(revoked_login)
    with pytest.raises(SignInNeededError, match=r"needs you to sign in again: the organization"):
        world.sync.sync_now(actor_of(world.session_factory, revoked_id), revoked_id)
    world.servers.dovecot.deliver(other_login, [simple_message(7)])
    other = world.sync.sync_now(actor_of(world.session_factory, other_id), other_id)

    assert other.new == 1
    assert world.secrets.get_oauth_refresh_token(revoked_id) is None
    assert world.secrets.get_oauth_refresh_token(other_id) is not None
    [failed] = [e for e in events if isinstance(e, Failed)]
    assert failed.profile_id == revoked_id
    assert failed.permanent
    assert not world.sync.sync(actor_of(world.session_factory, revoked_id), revoked_id,
                               periodic=True)  # fmt: skip


def test_no_token_is_in_the_store_the_logs_or_the_egress_audit(
    world: World, user_id: int, app_home: Path
) -> None:
    handler = configure_logging(logging.DEBUG)
    handler.addFilter(lambda record: not record.name.startswith(PROVIDER_LOG))
    try:
        profile_id, login = world.oauth_profile(user_id)
        world.browser_sign_in(profile_id, login)
        actor = actor_of(world.session_factory, profile_id)
        world.servers.provider.end_access_tokens()
        world.sync.sync_now(actor, profile_id)
        assert world.sign_in.sign_out(actor, profile_id).outcome is Revocation.REVOKED
    finally:
        handler.close()
        logging.getLogger().removeHandler(handler)

    tokens = world.servers.provider.issued_tokens()
    assert len(tokens) >= 3  # a refresh token and two access tokens
    log = (logs_dir() / LOG_FILE_NAME).read_text()
    assert "renewed the access token" in log
    for path in (p for p in app_home.rglob("*") if p.is_file()):
        data = path.read_bytes()
        for token in tokens:
            assert token.encode() not in data, path
    with unit_of_work(world.session_factory) as session:
        rows = session.scalars(select(EgressEvent).where(EgressEvent.profile_id == profile_id))
        audit = " ".join(f"{r.host} {r.commands} {r.outcome} {r.bytes_out}" for r in rows)
        profile = session.get_one(Profile, profile_id)
        assert profile.auth_method == "oauth2"
        assert profile.oauth_provider == world.servers.provider.issuer
        columns = " ".join(str(getattr(profile, c.key)) for c in Profile.__table__.columns)
    assert all(token not in audit and token not in columns for token in tokens)
    assert "127.0.0.1 POST ok" in audit  # the token endpoint's host and bytes are audited
    assert "POST /revoke" in world.servers.provider.state.requests
    assert "ended the OAuth2 grant of profile" in log


def test_a_password_profile_beside_them_still_signs_in_with_its_password(
    world: World, user_id: int, session_factory: SessionFactory
) -> None:
    profile_id = make_profile(session_factory, user_id, "plain@example.net")
    world.secrets.set_password(profile_id, "pw")

    assert world.sync.passwords.get_password(profile_id) == "pw"


@pytest.mark.parametrize("mechanism", ["XOAUTH2", "OAUTHBEARER"])
def test_each_sasl_mechanism_signs_in_to_imap_and_smtp(
    world: World, user_id: int, mechanism: str
) -> None:
    """Dovecot and Postfix announce both; each is tried here on its own."""
    profile_id, login = world.oauth_profile(user_id)
    world.browser_sign_in(profile_id, login)
    token = world.tokens.access_token(profile_id)
    dovecot, postfix = world.servers.dovecot, world.servers.postfix
    context = ssl.create_default_context(cafile=dovecot.ca_file)

    with IMAPClient("127.0.0.1", port=dovecot.imaps_port, ssl_context=context) as imap:
        assert f"AUTH={mechanism}".encode() in imap.capabilities()
        imap_authenticate(imap, mechanism, login, token)
        assert imap.select_folder("INBOX")[b"EXISTS"] == 0
    with smtplib.SMTP("127.0.0.1", postfix.submission_port) as smtp:
        smtp.starttls(context=context)
        smtp.ehlo()
        assert mechanism in smtp.esmtp_features["auth"].split()
        code, _ = smtp.auth(mechanism, SaslAnswer(mechanism, login, token))
        assert code == 235
    with smtplib.SMTP("127.0.0.1", postfix.submission_port) as smtp:
        smtp.starttls(context=context)
        smtp.ehlo()
        with pytest.raises(smtplib.SMTPAuthenticationError):  # a wrong token, answered politely
            smtp.auth(mechanism, SaslAnswer(mechanism, login, "at-not-issued"))


def _ids(session_factory: SessionFactory, profile_id: int) -> dict[str, int]:
    with unit_of_work(session_factory) as session:
        rows = session.execute(
            select(Message.subject, Message.id).where(Message.profile_id == profile_id)
        )
        return {row.subject: row.id for row in rows}


def _on_server(dovecot: Dovecot, login: str, folder: str) -> list[str]:
    with server_client(dovecot, login) as client:
        client.select_folder(folder, readonly=True)
        uids = client.search(["NOT", "DELETED"])
        fetched = client.fetch(uids, ["BODY.PEEK[HEADER.FIELDS (SUBJECT)]"]) if uids else {}
    return sorted(
        data[b"BODY[HEADER.FIELDS (SUBJECT)]"].decode().split(":", 1)[1].strip()
        for data in fetched.values()
    )


def _two_signed_in(world: World, user_id: int) -> list[tuple[int, str]]:
    """Two OAuth2 profiles signed in; the first has a Work folder and a message to move there."""
    profiles = [world.oauth_profile(user_id), world.oauth_profile(user_id)]
    login = profiles[0][1]
    with server_client(world.servers.dovecot, login) as client:
        client.create_folder("Work")
    world.servers.dovecot.deliver(login, [simple_message(1, "lab result")])
    for profile_id, each in profiles:
        world.browser_sign_in(profile_id, each)
    return profiles


def test_a_grant_revoked_at_the_provider_stops_only_its_profile_and_its_work_waits_for_sign_in(
    world: World, user_id: int
) -> None:
    servers, factory = world.servers, world.session_factory
    dovecot, postfix, provider = servers.dovecot, servers.postfix, servers.provider
    (revoked_id, revoked_login), (other_id, other_login) = _two_signed_in(world, user_id)
    actor, other_actor = actor_of(factory, revoked_id), actor_of(factory, other_id)
    assert world.sync.sync_now(actor, revoked_id).new == 1
    held = world.tokens.access_token(revoked_id)
    assert provider.active_user(held) == revoked_login  # a valid access token, in memory
    world.new_connections()
    events: list[SyncEvent] = []
    world.sync.add_listener(events.append)

    provider.revoke_grants_of(revoked_login)  # the organization withdraws the app's access
    actions = MailActions(factory, Authorizer(factory), world.sync)
    actions.move(actor, [_ids(factory, revoked_id)["lab result"]], "Work")
    outbox = Outbox(factory, Authorizer(factory))
    to = dovecot.add_user()
    outbox.queue_message(actor, revoked_id, message(postfix.address(revoked_login),
                         postfix.address(to)), [postfix.address(to)])  # fmt: skip
    with pytest.raises(SignInNeededError) as raised:
        world.sync.sync_now(actor, revoked_id)
    waiting = world.sync.deliver_now(actor, revoked_id)
    dovecot.deliver(other_login, [simple_message(2)])
    other = world.sync.sync_now(other_actor, other_id)

    email = postfix.address(revoked_login)
    assert str(raised.value) == (
        f"Your Clinic account ({email}) needs you to sign in again: "
        "the organization ended the permission."
    )
    assert raised.value.email == email
    assert other.new == 1  # the other profile goes on with its own grant
    assert world.secrets.get_oauth_refresh_token(revoked_id) is None
    assert world.secrets.get_oauth_refresh_token(other_id) is not None
    stopped = [e for e in events if isinstance(e, Failed)]
    assert stopped
    assert all(e.profile_id == revoked_id and e.sign_in for e in stopped)
    assert world.sync.stopped_reason(revoked_id) == str(raised.value)
    assert not world.sync.sync(actor, revoked_id, periodic=True)
    assert (waiting.sent, waiting.waiting) == (0, 1)
    assert "needs you to sign in again" in waiting.reason
    assert _on_server(dovecot, revoked_login, "INBOX") == ["lab result"]  # the move waits
    assert _on_server(dovecot, revoked_login, "Work") == []

    world.browser_sign_in(revoked_id, revoked_login)
    assert world.sync.sync(actor, revoked_id)  # the person's request lifts the stop
    world.sync.sync_now(actor, revoked_id)
    sent = world.sync.deliver_now(actor, revoked_id)

    assert world.sync.stopped_reason(revoked_id) is None
    assert _on_server(dovecot, revoked_login, "Work") == ["lab result"]  # replayed
    assert _on_server(dovecot, revoked_login, "INBOX") == []
    assert sent.sent == 1
    assert len(read_folder(dovecot, to, at_least=1)) == 1


def test_signing_out_revokes_the_grant_at_the_provider_and_empties_the_keyring(
    world: World, user_id: int
) -> None:
    provider = world.servers.provider
    profile_id, login = world.oauth_profile(user_id)
    world.browser_sign_in(profile_id, login)
    actor = actor_of(world.session_factory, profile_id)
    refresh = world.secrets.get_oauth_refresh_token(profile_id)
    assert refresh is not None
    assert provider.introspect(refresh)["active"]

    ended = world.sign_in.sign_out(actor, profile_id)

    assert ended.outcome is Revocation.REVOKED
    assert ended.sentence.startswith(f"Signed out of Clinic ({ended.email}): 127.0.0.1 ended")
    assert provider.introspect(refresh) == {"active": False}
    assert world.secrets.get_oauth_refresh_token(profile_id) is None
    assert not world.sign_in.authentication(actor, profile_id).signed_in
    with unit_of_work(world.session_factory) as session:
        [revocation] = session.scalars(
            select(EgressEvent)
            .where(EgressEvent.profile_id == profile_id, EgressEvent.commands == "POST")
            .order_by(EgressEvent.id.desc())
            .limit(1)
        )
        assert (revocation.host, revocation.port) == ("127.0.0.1", provider.port)
        assert revocation.bytes_out > len(refresh)
        assert revocation.bytes_in > 0
    assert "POST /revoke" in provider.state.requests
    with pytest.raises(SignInNeededError, match="this computer holds no sign-in"):
        world.sync.sync_now(actor, profile_id)


@pytest.mark.parametrize("how", ["back to a password", "profile deleted"])
def test_leaving_oauth_revokes_the_grant_first(world: World, user_id: int, how: str) -> None:
    provider = world.servers.provider
    profile_id, login = world.oauth_profile(user_id)
    world.browser_sign_in(profile_id, login)
    actor = actor_of(world.session_factory, profile_id)
    refresh = world.secrets.get_oauth_refresh_token(profile_id)
    assert refresh is not None

    if how == "back to a password":
        changed = world.sign_in.set_authentication(actor, profile_id, "password")
        assert changed.method == "password"
        assert changed.ended is not None
        assert changed.ended.outcome is Revocation.REVOKED
    else:
        accounts = AccountsService(world.session_factory, world.secrets,
                                   Authorizer(world.session_factory),
                                   PasswordHashing(CHEAP_TEST_COST))  # fmt: skip
        said = accounts.delete_profile(actor, profile_id)
        assert said is not None
        assert said.startswith("Signed out of Clinic")

    assert provider.introspect(refresh) == {"active": False}
    assert world.secrets.get_oauth_refresh_token(profile_id) is None


def test_a_provider_out_of_reach_still_loses_the_grant_here_and_says_so(
    world: World, user_id: int
) -> None:
    offline = OAuthProvider().start()
    profile_id, login = world.oauth_profile(user_id, offline)
    world.browser_sign_in(profile_id, login, offline)
    offline.stop()  # the network is gone when the person disconnects

    ended = world.sign_in.sign_out(actor_of(world.session_factory, profile_id), profile_id)

    assert ended.outcome is Revocation.FAILED
    assert "on this computer, but 127.0.0.1 could not be told (127.0.0.1 could not be " \
        "reached" in ended.sentence  # fmt: skip
    assert "may stay valid there" in ended.sentence
    assert world.secrets.get_oauth_refresh_token(profile_id) is None


def test_a_provider_without_revocation_is_named_and_the_grant_goes_here(
    world: World, user_id: int
) -> None:
    silent = OAuthProvider(revocation=False).start()
    try:
        profile_id, login = world.oauth_profile(user_id, silent)
        world.browser_sign_in(profile_id, login, silent)
        refresh = world.secrets.get_oauth_refresh_token(profile_id)
        assert refresh is not None

        ended = world.sign_in.sign_out(actor_of(world.session_factory, profile_id), profile_id)

        assert ended.outcome is Revocation.NOT_OFFERED
        assert "offers no way for an app to end its permission" in ended.sentence
        assert world.secrets.get_oauth_refresh_token(profile_id) is None
        assert silent.introspect(refresh)["active"]  # only the person can end it there
        assert "POST /revoke" not in silent.state.requests
    finally:
        silent.stop()
