"""The sign-in flows against a real OAuth2 provider on loopback (``tests/oauth_provider.py``)."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from oauth_provider import CLIENT_ID, OAuthProvider

from desktop.core.oauth_providers import ProviderError, provider_from
from desktop.services.authorization import Authorizer, SignedInUser
from desktop.services.oauth_client import SignInUnavailableError, endpoints_for
from desktop.services.oauth_flows import (
    DeviceCode,
    SignInCancelledError,
    SignInRefusedError,
    browser_sign_in,
)
from desktop.services.oauth_http import AuditedHttp, OAuthHttpError
from desktop.services.oauth_signin import OAuthSignIn
from desktop.services.oauth_tokens import OAuthTokens
from desktop.services.secrets import SecretStore
from desktop.store.models import EgressEvent, Profile, Role, User
from desktop.store.session import SessionFactory, unit_of_work


@pytest.fixture(scope="module")
def provider() -> Iterator[OAuthProvider]:
    server = OAuthProvider().start()
    yield server
    server.stop()


@pytest.fixture
def actor(session_factory: SessionFactory) -> SignedInUser:
    with unit_of_work(session_factory) as session:
        user = User(login="ada", display_name="Ada", password_hash="x")
        session.add(user)
        session.flush()
        profile = Profile(user_id=user.id, organization="Clinic", role=Role.MEMBER,
                          email="ada@example.net", support_id=4242)  # fmt: skip
        session.add(profile)
        session.flush()
        return SignedInUser(user.id, "ada", "Ada", profile.id)


@pytest.fixture
def tokens(session_factory: SessionFactory) -> OAuthTokens:
    return OAuthTokens(session_factory, SecretStore.in_memory())


@pytest.fixture
def sign_in(
    session_factory: SessionFactory,
    tokens: OAuthTokens,
    actor: SignedInUser,
    provider: OAuthProvider,
) -> OAuthSignIn:
    service = OAuthSignIn(session_factory, Authorizer(session_factory), tokens)
    choice = provider_from(None, provider.issuer, None, CLIENT_ID)
    service.set_authentication(actor, actor.active_profile_id or 0, "oauth2", choice)
    return service


def test_the_device_flow_shows_a_code_and_signs_in_once_it_is_approved(
    sign_in: OAuthSignIn, tokens: OAuthTokens, actor: SignedInUser, provider: OAuthProvider
) -> None:
    pid = actor.active_profile_id or 0
    shown: list[DeviceCode] = []

    def show(code: DeviceCode) -> None:
        shown.append(code)  # the person types it in elsewhere, a moment later
        threading.Thread(target=provider.approve_device, args=(code.user_code, "ada")).start()

    sign_in.sign_in_with_code(actor, pid, show, threading.Event())

    [code] = shown
    assert code.verification_uri == f"{provider.issuer}/device/enter"
    assert provider.active_user(tokens.access_token(pid)) == "ada"
    assert tokens.signed_in(pid)


def test_the_device_flow_can_be_cancelled_while_it_waits(
    sign_in: OAuthSignIn, tokens: OAuthTokens, actor: SignedInUser
) -> None:
    cancel = threading.Event()
    with pytest.raises(SignInCancelledError, match="cancelled"):
        sign_in.sign_in_with_code(actor, actor.active_profile_id or 0,
                                  lambda code: cancel.set(), cancel)  # fmt: skip
    assert not tokens.signed_in(actor.active_profile_id or 0)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def _redirect_of(url: str) -> str:
    """Where the provider sends the browser back to (the app's loopback address)."""
    opener = urllib.request.build_opener(_NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as raised:
        opener.open(url, timeout=10)
    return str(raised.value.headers["Location"])


def test_a_redirect_with_another_state_is_refused_and_the_port_then_closed(
    tokens: OAuthTokens, sign_in: OAuthSignIn, actor: SignedInUser, provider: OAuthProvider
) -> None:
    pid = actor.active_profile_id or 0
    provider.approve_as = "ada"
    seen: dict[str, object] = {}
    browsers: list[threading.Thread] = []

    def forging_browser(url: str) -> None:
        back = _redirect_of(url)
        parts = urlsplit(back)
        fields = dict(parse_qsl(parts.query), state="forged")
        forged = f"http://{parts.netloc}{parts.path}?{urlencode(fields)}"

        def run() -> None:
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(forged, timeout=10)
            seen["status"] = refused.value.code
            seen["page"] = refused.value.read().decode()
            seen["netloc"] = parts.netloc

        browsers.append(threading.Thread(target=run))
        browsers[0].start()

    client = tokens.client_of(pid)
    requests_before = list(provider.state.requests)
    with pytest.raises(SignInRefusedError, match="does not belong to the sign-in"):
        browser_sign_in(client, forging_browser, threading.Event())
    browsers[0].join(10)

    assert seen["status"] == 400
    assert "start again" in str(seen["page"])
    assert provider.state.requests[len(requests_before) :] == ["GET /authorize"]  # no /token
    with pytest.raises(urllib.error.URLError):  # one request, then nobody listens there
        urllib.request.urlopen(f"http://{seen['netloc']}/?state=x&code=y", timeout=5)
    assert not tokens.signed_in(pid)


def test_the_browser_flow_ends_when_cancelled(tokens: OAuthTokens, actor: SignedInUser,
                                              sign_in: OAuthSignIn) -> None:  # fmt: skip
    cancel = threading.Event()
    with pytest.raises(SignInCancelledError):
        browser_sign_in(tokens.client_of(actor.active_profile_id or 0),
                        lambda url: cancel.set(), cancel)  # fmt: skip


def test_an_issuer_is_found_through_rfc_8414_metadata_when_it_has_no_openid_document(
    session_factory: SessionFactory, actor: SignedInUser, provider: OAuthProvider
) -> None:
    http = AuditedHttp(session_factory, actor.active_profile_id)
    found = endpoints_for(provider_from(None, provider.issuer, None, CLIENT_ID), http)

    assert found.token_endpoint == f"{provider.issuer}/token"
    assert found.device_authorization_endpoint == f"{provider.issuer}/device"
    with unit_of_work(session_factory) as session:
        rows = session.query(EgressEvent).all()
        assert [(r.host, r.commands, r.outcome) for r in rows] == [
            ("127.0.0.1", "GET", "HTTP 404"),  # /.well-known/openid-configuration
            ("127.0.0.1", "GET", "ok"),
        ]
        assert all(r.bytes_in > 0 and r.bytes_out > 0 for r in rows)


def test_metadata_naming_another_issuer_is_not_trusted(
    session_factory: SessionFactory, actor: SignedInUser, provider: OAuthProvider
) -> None:
    http = AuditedHttp(session_factory, actor.active_profile_id)
    impostor = provider_from(None, f"http://localhost:{provider.port}", None, CLIENT_ID)
    with pytest.raises(SignInUnavailableError, match="belong to another issuer"):
        endpoints_for(impostor, http)


def test_providers_are_checked_before_anything_is_sent(
    session_factory: SessionFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ProviderError, match="does not use HTTPS"):
        provider_from(None, "http://login.example.org", None, None)
    with pytest.raises(ProviderError, match="Only Microsoft 365 has a tenant"):
        provider_from("google", None, "contoso", None)
    with pytest.raises(OAuthHttpError, match="HTTPS only"):
        AuditedHttp(session_factory, None).get("http://login.example.org/token")
    microsoft = provider_from("microsoft", None, "contoso.onmicrosoft.com", None)
    assert "offline_access" in microsoft.scopes
    assert microsoft.tenant == "contoso.onmicrosoft.com"
    assert provider_from("microsoft", None, None, None).tenant == "common"
    assert provider_from("google", None, None, None).scopes == ("https://mail.google.com/",)
    monkeypatch.delenv("SWITCHBOARD_OAUTH_GOOGLE_CLIENT_ID", raising=False)
    from desktop.services.oauth_client import client_id_for

    with pytest.raises(SignInUnavailableError, match="SWITCHBOARD_OAUTH_GOOGLE_CLIENT_ID"):
        client_id_for(provider_from("google", None, None, None))
    monkeypatch.setenv("SWITCHBOARD_OAUTH_GOOGLE_CLIENT_ID", "deployer-id")
    assert client_id_for(provider_from("google", None, None, None)) == "deployer-id"
