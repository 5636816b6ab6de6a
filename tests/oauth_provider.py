"""A real OAuth2 provider on loopback for the tests, built on authlib's server side.

One public client (PKCE required, no secret), the authorization-code grant (the "browser" is a
test that follows the authorization URL with urllib; the provider signs in ``approve_as`` at
once), refresh tokens, the device flow (``approve_device`` is the person typing the code
elsewhere), RFC 7009 revocation, RFC 8414 metadata (and no OpenID document, so discovery has to
fall back), and RFC 7662 introspection for Dovecot's ``oauth2`` passdb and for the tests (a
refresh token is active until revoked). Access tokens live ``access_lifetime`` seconds, short
enough for a test to see them renewed. ``revocation=False`` is a provider that publishes no
revocation endpoint (as Microsoft's does not).
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlencode, urlsplit

from authlib.common.security import generate_token
from authlib.oauth2.rfc6749 import AuthorizationServer, OAuth2Request
from authlib.oauth2.rfc6749.grants import AuthorizationCodeGrant, RefreshTokenGrant
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oauth2.rfc8628 import DeviceAuthorizationEndpoint, DeviceCodeGrant
from authlib.oauth2.rfc8628.models import DeviceCredentialDict

CLIENT_ID = "switchboard-test-client"


@dataclass
class Client:
    client_id: str = CLIENT_ID

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> None:
        return None

    def get_allowed_scope(self, scope: str) -> str:
        return scope

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        """RFC 8252 section 7.3: any port on the loopback address."""
        parts = urlsplit(redirect_uri)
        return parts.scheme == "http" and parts.hostname == "127.0.0.1"

    def check_client_secret(self, client_secret: str) -> bool:
        return False

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method == "none"

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return True


@dataclass
class Code:
    code: str
    user: str
    redirect_uri: str
    scope: str
    code_challenge: str | None
    code_challenge_method: str | None

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope


@dataclass
class Grant:
    """One refresh token and the user it speaks for; revoking it ends its access tokens too."""

    refresh_token: str
    user: str
    scope: str
    revoked: bool = False

    def check_client(self, client: Client) -> bool:
        return client.client_id == CLIENT_ID

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return 0

    def is_expired(self) -> bool:
        return False

    def is_revoked(self) -> bool:
        return self.revoked


@dataclass
class Issued:
    access_token: str
    grant: Grant
    expires_at: float


@dataclass
class State:
    codes: dict[str, Code] = field(default_factory=dict)
    grants: dict[str, Grant] = field(default_factory=dict)
    access: dict[str, Issued] = field(default_factory=dict)
    devices: dict[str, DeviceCredentialDict] = field(default_factory=dict)
    approved: dict[str, str] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)


class _Request(OAuth2Request):
    def __init__(self, method: str, uri: str, headers: dict[str, str], form: dict[str, str],
                 args: dict[str, str]) -> None:  # fmt: skip
        super().__init__(method, uri, headers=headers)
        self._form = form
        self._args = args
        self.payload = BasicOAuth2Payload({**args, **form})

    @property
    def args(self) -> dict[str, str]:
        return self._args

    @property
    def form(self) -> dict[str, str]:
        return self._form


class OAuthProvider:
    """Start with :meth:`start`; ``issuer`` is its address, ``approve_as`` who signs in."""

    def __init__(self, access_lifetime: int = 3600, *, revocation: bool = True) -> None:
        self.access_lifetime = access_lifetime
        self.revocation = revocation
        self.approve_as = ""
        self.approve_devices_as = ""
        """Who approves each device code at once (the person at another device, for the CLI)."""
        self.state = State()
        self.lock = threading.Lock()
        self.server = _build_server(self)
        self._http = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.port: int = self._http.server_address[1]
        self.issuer = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)

    def start(self) -> OAuthProvider:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._http.shutdown()
        self._http.server_close()

    @property
    def introspection_url(self) -> str:
        return f"{self.issuer}/introspect"

    def approve_device(self, user_code: str, user: str) -> None:
        with self.lock:
            self.state.approved[user_code] = user

    def revoke_grants_of(self, user: str) -> None:
        """What an administrator withdrawing the app's access does: every token of ``user`` ends."""
        with self.lock:
            for grant in self.state.grants.values():
                if grant.user == user:
                    grant.revoked = True

    def end_access_tokens(self) -> None:
        """Access tokens end before their time (a password change): refresh tokens still work."""
        with self.lock:
            self.state.access.clear()

    def active_user(self, token: str) -> str | None:
        """Whom an access token or a refresh token speaks for while it is valid, else None."""
        with self.lock:
            grant = self.state.grants.get(token)
            if grant is not None:
                return None if grant.revoked else grant.user
            issued = self.state.access.get(token)
            if issued is None or issued.grant.revoked or issued.expires_at < time.time():
                return None
            return issued.grant.user

    def introspect(self, token: str) -> dict[str, Any]:
        """RFC 7662 over HTTP, as a resource server asks: {"active": false} for an ended token."""
        request = urllib.request.Request(
            self.introspection_url, data=urlencode({"token": token}).encode(), method="POST"
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            found: dict[str, Any] = json.loads(answer.read())
        return found

    def grants_of(self, user: str) -> list[Grant]:
        with self.lock:
            return [grant for grant in self.state.grants.values() if grant.user == user]

    def issued_tokens(self) -> list[str]:
        """Every access and refresh token handed out (for the tests that grep for them)."""
        with self.lock:
            return [*self.state.access, *self.state.grants]

    def metadata(self) -> dict[str, Any]:
        published = {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "device_authorization_endpoint": f"{self.issuer}/device",
            "revocation_endpoint": f"{self.issuer}/revoke",
            "introspection_endpoint": self.introspection_url,
            "code_challenge_methods_supported": ["S256"],
            "grant_types_supported": [
                "authorization_code",
                "refresh_token",
                "urn:ietf:params:oauth:grant-type:device_code",
            ],
        }
        if not self.revocation:
            del published["revocation_endpoint"]
        return published

    def save_token(self, token: dict[str, Any], user: str, scope: str) -> None:
        with self.lock:
            refresh = token.get("refresh_token")
            grant = None
            if refresh:
                grant = self.state.grants[refresh] = Grant(refresh, user, scope)
            else:  # a refresh: the grant that asked for it
                grant = next(g for g in self.state.grants.values() if g.user == user
                             and not g.revoked)  # fmt: skip
            self.state.access[token["access_token"]] = Issued(
                token["access_token"], grant, time.time() + token["expires_in"]
            )


def _build_server(provider: OAuthProvider) -> AuthorizationServer:
    class Server(AuthorizationServer):  # type: ignore[misc]
        def query_client(self, client_id: str) -> Client | None:
            return Client() if client_id == CLIENT_ID else None

        def save_token(self, token: dict[str, Any], request: Any) -> None:
            user = request.user if isinstance(request.user, str) else ""
            provider.save_token(token, user, token.get("scope", ""))

        def create_oauth2_request(self, request: Any) -> OAuth2Request:
            return request

        def create_json_request(self, request: Any) -> Any:
            return request

        def handle_response(self, status: int, body: Any, headers: Any) -> Any:
            return status, body, dict(headers)

        def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
            return None

    class CodeGrant(AuthorizationCodeGrant):  # type: ignore[misc]
        TOKEN_ENDPOINT_AUTH_METHODS: ClassVar[list[str]] = ["none"]

        def save_authorization_code(self, code: str, request: Any) -> None:
            data = request.payload.data
            with provider.lock:
                provider.state.codes[code] = Code(
                    code, request.user, data["redirect_uri"], data.get("scope", ""),
                    data.get("code_challenge"), data.get("code_challenge_method"),
                )  # fmt: skip

        def query_authorization_code(self, code: str, client: Client) -> Code | None:
            with provider.lock:
                return provider.state.codes.get(code)

        def delete_authorization_code(self, code: Code) -> None:
            with provider.lock:
                provider.state.codes.pop(code.code, None)

        def authenticate_user(self, code: Code) -> str:
            return code.user

    class Refresh(RefreshTokenGrant):  # type: ignore[misc]
        TOKEN_ENDPOINT_AUTH_METHODS: ClassVar[list[str]] = ["none"]

        def authenticate_refresh_token(self, refresh_token: str) -> Grant | None:
            with provider.lock:
                grant = provider.state.grants.get(refresh_token)
            return grant if grant is not None and not grant.revoked else None

        def authenticate_user(self, grant: Grant) -> str:
            return grant.user

        def revoke_old_credential(self, grant: Grant) -> None:
            return None  # the refresh token stays (no rotation)

    class Device(DeviceCodeGrant):  # type: ignore[misc]
        TOKEN_ENDPOINT_AUTH_METHODS: ClassVar[list[str]] = ["none"]

        def query_device_credential(self, device_code: str) -> DeviceCredentialDict | None:
            with provider.lock:
                return provider.state.devices.get(device_code)

        def query_user_grant(self, user_code: str) -> tuple[str, bool] | None:
            with provider.lock:
                user = provider.state.approved.get(user_code)
            return (user, True) if user else None

        def should_slow_down(self, credential: DeviceCredentialDict) -> bool:
            return False

    class DeviceEndpoint(DeviceAuthorizationEndpoint):  # type: ignore[misc]
        CLIENT_AUTH_METHODS: ClassVar[list[str]] = ["none"]
        INTERVAL = 1

        def get_verification_uri(self) -> str:
            return f"{provider.issuer}/device/enter"

        def save_device_credential(self, client_id: str, scope: str, data: dict[str, Any]) -> None:
            credential = DeviceCredentialDict(client_id=client_id, scope=scope, **data)
            credential["expires_at"] = time.time() + data["expires_in"]
            with provider.lock:
                provider.state.devices[data["device_code"]] = credential
                if provider.approve_devices_as:
                    provider.state.approved[data["user_code"]] = provider.approve_devices_as

    class Revocation(RevocationEndpoint):  # type: ignore[misc]
        CLIENT_AUTH_METHODS: ClassVar[list[str]] = ["none"]

        def query_token(self, token: str, hint: str | None) -> Grant | None:
            with provider.lock:
                return provider.state.grants.get(token)

        def revoke_token(self, grant: Grant, request: Any) -> None:
            grant.revoked = True

    server = Server()

    def generate(grant_type: str, client: Client, *, user: Any = None, scope: str | None = None,
                 expires_in: int | None = None, include_refresh_token: bool = True
                 ) -> dict[str, Any]:  # fmt: skip
        token = {
            "token_type": "Bearer",
            "access_token": f"at-{generate_token(32)}",
            "expires_in": provider.access_lifetime,
            "scope": scope or "",
        }
        if include_refresh_token and grant_type != "refresh_token":
            token["refresh_token"] = f"rt-{generate_token(40)}"
        return token

    server.register_token_generator("default", generate)
    server.register_grant(CodeGrant, [CodeChallenge(required=True)])
    server.register_grant(Refresh)
    server.register_grant(Device)
    server.register_endpoint(DeviceEndpoint)
    server.register_endpoint(Revocation)
    return server


def _handler(provider: OAuthProvider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return None

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

        def _serve(self, method: str) -> None:
            parts = urlsplit(self.path)
            provider.state.requests.append(f"{method} {parts.path}")
            length = int(self.headers.get("Content-Length") or 0)
            form = dict(parse_qsl(self.rfile.read(length).decode())) if length else {}
            args = dict(parse_qsl(parts.query))
            request = _Request(method, f"{provider.issuer}{self.path}", dict(self.headers),
                               form, args)  # fmt: skip
            server = provider.server
            path = parts.path
            if path == "/.well-known/oauth-authorization-server":
                self._answer(200, provider.metadata(), {})
            elif path == "/authorize":
                request.user = provider.approve_as
                grant = server.get_consent_grant(request, provider.approve_as)
                self._answer(*server.create_authorization_response(request, provider.approve_as,
                                                                   grant))  # fmt: skip
            elif path == "/token":
                self._answer(*server.create_token_response(request))
            elif path == "/device":
                self._answer(*server.create_endpoint_response("device_authorization", request))
            elif path == "/revoke":
                self._answer(*server.create_endpoint_response("revocation", request))
            elif path == "/introspect":
                user = provider.active_user(form.get("token", ""))
                body = {"active": True, "username": user} if user else {"active": False}
                self._answer(200, body, {})
            else:
                self._answer(404, {"error": "not_found"}, {})

        def _answer(self, status: int, body: Any, headers: dict[str, str]) -> None:
            data = json.dumps(body).encode() if not isinstance(body, str | bytes) else body
            data = data.encode() if isinstance(data, str) else data
            self.send_response(status)
            for name, value in headers.items():
                if name.lower() != "content-length":
                    self.send_header(name, value)
            if "Content-Type" not in headers and "Location" not in headers:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler
