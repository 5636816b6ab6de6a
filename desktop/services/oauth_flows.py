"""The two ways a person grants a profile access: the system browser, or a code on another device.

Browser (RFC 8252, native apps): the authorization-code flow with PKCE S256. Switchboard listens
on 127.0.0.1 on a port the system picks, for one request only; the listener is closed as soon as
that request is answered (a second one finds nothing there), and a ``state`` other than the one
sent is refused before any code is used. The page the browser shows says only to go back to the
app: it carries no script and loads nothing.

Device (RFC 8628), for the command line and machines without a browser: the provider gives a
code and an address the person opens anywhere; the app polls the token endpoint at the interval
the provider sets (longer after ``slow_down``) until the person has answered or the code expires.
Both can be cancelled: waiting is on an event, never a sleep.
"""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from authlib.common.security import generate_token
from authlib.oauth2.base import OAuth2Error
from authlib.oauth2.rfc8628 import DEVICE_CODE_GRANT_TYPE

from desktop.services.oauth_client import ProfileClient, SignInUnavailableError

WAIT_SLICE = 0.1
"""How often a waiting listener looks whether the sign-in was cancelled (seconds)."""
BROWSER_TIMEOUT = 600.0
PAGE = (
    "<!doctype html><html><head><meta charset='utf-8'><title>Switchboard</title></head>"
    "<body style='font-family:sans-serif;margin:3em'><h1>{title}</h1><p>{text}</p></body></html>"
)


class SignInCancelledError(Exception):
    """The person cancelled, or nothing happened in time."""


class SignInRefusedError(ValueError):
    """The provider or the redirect said no; the message is meant for the person."""


@dataclass(frozen=True)
class DeviceCode:
    """What the person needs to approve on another device."""

    verification_uri: str
    user_code: str
    expires_in: float
    verification_uri_complete: str | None = None


def browser_sign_in(
    profile: ProfileClient,
    open_browser: Callable[[str], object],
    cancel: threading.Event,
    *,
    timeout: float = BROWSER_TIMEOUT,
    login_hint: str | None = None,
) -> dict[str, Any]:
    """The token the provider issues once the person signed in in their browser."""
    listener = _OneRequest()
    try:
        redirect_uri = f"http://127.0.0.1:{listener.port}/"
        client = profile.client(redirect_uri)
        verifier = generate_token(64)
        extra = {"login_hint": login_hint} if login_hint else {}
        url, state = client.create_authorization_url(
            profile.endpoints.authorization_endpoint, code_verifier=verifier, **extra
        )
        open_browser(url)
        answer = listener.wait(state, cancel, timeout)
    finally:
        listener.close()
    if answer.get("error"):
        raise SignInRefusedError(_refusal(answer.get("error_description") or answer["error"]))
    try:
        token: dict[str, Any] = client.fetch_token(
            profile.endpoints.token_endpoint,
            grant_type="authorization_code",
            code=answer["code"],
            code_verifier=verifier,
        )
    except OAuth2Error as error:
        raise SignInRefusedError(_refusal(error.description or error.error)) from error
    return token


def device_sign_in(
    profile: ProfileClient, show: Callable[[DeviceCode], object], cancel: threading.Event
) -> dict[str, Any]:
    """The token issued once the person approved the code :func:`show` displayed."""
    endpoint = profile.endpoints.device_authorization_endpoint
    if not endpoint:
        raise SignInUnavailableError(
            f"{profile.provider.label} offers no sign-in with a code; use the browser instead."
        )
    client = profile.client()
    answer = profile.http.post(
        endpoint,
        data={"scope": " ".join(profile.provider.scopes)},
        auth=client.client_auth("none"),
    )
    grant = answer.json() if answer.status_code == 200 else {}
    if not isinstance(grant, dict) or not grant.get("device_code"):
        raise SignInRefusedError(
            f"{profile.provider.label} did not give a sign-in code (HTTP {answer.status_code})."
        )
    expires_in = float(grant.get("expires_in", 900))
    show(
        DeviceCode(
            verification_uri=str(grant.get("verification_uri") or grant.get("verification_url")),
            user_code=str(grant["user_code"]),
            expires_in=expires_in,
            verification_uri_complete=grant.get("verification_uri_complete"),
        )
    )
    interval = float(grant.get("interval", 5))
    deadline = time.monotonic() + expires_in
    while True:
        if cancel.wait(interval):
            raise SignInCancelledError("Signing in was cancelled.")
        if time.monotonic() > deadline:
            raise SignInCancelledError("The sign-in code expired before it was approved.")
        try:
            token: dict[str, Any] = client.fetch_token(
                profile.endpoints.token_endpoint,
                grant_type=DEVICE_CODE_GRANT_TYPE,
                device_code=grant["device_code"],
            )
        except OAuth2Error as error:
            if error.error == "authorization_pending":
                continue
            if error.error == "slow_down":
                interval += 5
                continue
            if error.error == "expired_token":
                raise SignInCancelledError(
                    "The sign-in code expired before it was approved."
                ) from error
            raise SignInRefusedError(_refusal(error.description or error.error)) from error
        return token


def _refusal(reason: str) -> str:
    return f"The provider did not grant access ({reason}); nothing was changed."


class _OneRequest:
    """A listener on 127.0.0.1 for the browser's one redirect, closed once it is answered."""

    def __init__(self) -> None:
        self.answer: dict[str, str] | None = None
        self.expected_state = ""
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer._received(self)

            def log_message(self, format: str, *args: Any) -> None:
                """The request line holds the authorization code: it goes to no log."""

        self._server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self._server.timeout = WAIT_SLICE
        self.port: int = self._server.server_address[1]

    def wait(self, state: str, cancel: threading.Event, timeout: float) -> dict[str, str]:
        self.expected_state = state
        deadline = time.monotonic() + timeout
        while self.answer is None:
            if cancel.is_set():
                raise SignInCancelledError("Signing in was cancelled.")
            if time.monotonic() > deadline:
                raise SignInCancelledError("Nothing came back from the browser in time.")
            self._server.handle_request()
        return self.answer

    def close(self) -> None:
        self._server.server_close()

    def _received(self, request: http.server.BaseHTTPRequestHandler) -> None:
        fields = dict(parse_qsl(urlsplit(request.path).query))
        if fields.get("state") != self.expected_state:
            self._page(request, 400, "Sign-in refused", _WRONG_STATE)
            self.answer = {"error": "state", "error_description": _WRONG_STATE}
        elif "code" not in fields and "error" not in fields:
            self._page(request, 400, "Sign-in refused", "The answer held no sign-in code.")
            self.answer = {"error": "no code", "error_description": "no sign-in code came back"}
        else:
            ok = "code" in fields
            self._page(
                request,
                200,
                "You can close this page" if ok else "Sign-in not completed",
                "Go back to Switchboard: it is finishing the sign-in."
                if ok
                else "Go back to Switchboard to try again.",
            )
            self.answer = fields

    @staticmethod
    def _page(
        request: http.server.BaseHTTPRequestHandler, status: int, title: str, text: str
    ) -> None:
        body = PAGE.format(title=title, text=text).encode()
        request.send_response(status)
        request.send_header("Content-Type", "text/html; charset=utf-8")
        request.send_header("Content-Length", str(len(body)))
        request.send_header("Cache-Control", "no-store")
        request.send_header("Connection", "close")
        request.end_headers()
        request.wfile.write(body)


_WRONG_STATE = (
    "This answer does not belong to the sign-in Switchboard started, so it was not used. "
    "Go back to Switchboard and start again."
)
