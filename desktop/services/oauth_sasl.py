"""Signing in to IMAP and SMTP with a bearer token (SASL OAUTHBEARER or XOAUTH2).

The mechanism follows what the server announces: OAUTHBEARER (RFC 7628, the standard) when
offered, else XOAUTH2 (what Microsoft 365 offers, and Gmail too). A refused token is renewed
once and tried again on the same connection: a provider may revoke an access token before it
expires (a password change, an admin's action), and one refresh tells that apart from a grant
that is gone, which :class:`Bearer` reports by raising instead of returning a token.
"""

from __future__ import annotations

import smtplib
from typing import TYPE_CHECKING, Protocol

from imapclient.exceptions import LoginError

if TYPE_CHECKING:
    from imapclient import IMAPClient


class Bearer(Protocol):
    """A profile's access token, fetched or refreshed when asked (never stored by the caller)."""

    def token(self) -> str:
        """A token that is not about to expire."""
        ...

    def renewed(self, refused: str) -> str:
        """A new token after the server refused ``refused`` (at most once per sign-in)."""
        ...


def imap_mechanism(capabilities: tuple[bytes, ...] | list[bytes]) -> str:
    announced = {bytes(c).upper() for c in capabilities}
    if b"AUTH=OAUTHBEARER" in announced:
        return "OAUTHBEARER"
    if b"AUTH=XOAUTH2" in announced:
        return "XOAUTH2"
    raise LoginError("the mail server offers no OAuth2 sign-in (OAUTHBEARER or XOAUTH2)")


def imap_sign_in(client: IMAPClient, user: str, bearer: Bearer) -> None:
    """Authenticate ``client`` as ``user``; LoginError if even a renewed token is refused."""
    mechanism = imap_mechanism(client.capabilities())
    token = bearer.token()
    try:
        imap_authenticate(client, mechanism, user, token)
    except LoginError:
        imap_authenticate(client, mechanism, user, bearer.renewed(token))


def imap_authenticate(client: IMAPClient, mechanism: str, user: str, token: str) -> None:
    if mechanism == "OAUTHBEARER":
        client.oauthbearer_login(user, token)
    else:
        client.oauth2_login(user, token)


def smtp_mechanism(client: smtplib.SMTP) -> str:
    announced = set(client.esmtp_features.get("auth", "").upper().split())
    if "OAUTHBEARER" in announced:
        return "OAUTHBEARER"
    if "XOAUTH2" in announced:
        return "XOAUTH2"
    raise smtplib.SMTPNotSupportedError(
        "the sending server offers no OAuth2 sign-in (OAUTHBEARER or XOAUTH2)"
    )


def smtp_sign_in(client: smtplib.SMTP, user: str, bearer: Bearer) -> None:
    """AUTH with the token; SMTPAuthenticationError if even a renewed token is refused."""
    mechanism = smtp_mechanism(client)
    token = bearer.token()
    try:
        client.auth(mechanism, SaslAnswer(mechanism, user, token))
    except smtplib.SMTPAuthenticationError:
        client.auth(mechanism, SaslAnswer(mechanism, user, bearer.renewed(token)))


class SaslAnswer:
    """smtplib's authobject: the initial response, then the empty answer to an error challenge
    (RFC 7628 section 3.2.3: the server then ends the exchange with its refusal)."""

    def __init__(self, mechanism: str, user: str, token: str) -> None:
        self._mechanism = mechanism
        self._user = user
        self._token = token

    def __call__(self, challenge: bytes | None = None) -> str:
        if challenge is not None:
            return "\x01" if self._mechanism == "OAUTHBEARER" else ""
        if self._mechanism == "OAUTHBEARER":
            identity = self._user.replace("=", "=3D").replace(",", "=2C")
            return f"n,a={identity},\x01auth=Bearer {self._token}\x01\x01"
        return f"user={self._user}\x01auth=Bearer {self._token}\x01\x01"

    def __repr__(self) -> str:
        return f"<SASL {self._mechanism} answer for {self._user}>"
