"""Ending a profile's grant at its provider (RFC 7009) when the person takes it away.

Deleting the refresh token from the keyring alone would leave the grant alive at the provider,
usable by anyone who copied the token, and listed there as an app still holding access. So the
provider is asked to revoke it first, through the same audited HTTP as a refresh (the egress
audit gets the host and the bytes, never the token). The keyring's copy goes whatever the
provider answers: someone who disconnects an account offline must not find Switchboard still
holding it; the sentence says what happened at the provider, so they know whether to go there.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass

from desktop.core.oauth_providers import ProviderError
from desktop.services.oauth_client import ProfileClient
from desktop.services.oauth_http import OAuthHttpError

log = logging.getLogger(__name__)


class Revocation(enum.Enum):
    REVOKED = "revoked"
    NOT_OFFERED = "not offered"
    FAILED = "failed"
    NOT_SIGNED_IN = "not signed in"


@dataclass(frozen=True)
class GrantEnded:
    """What became of a profile's grant: ended at the provider or not, gone from here always."""

    organization: str
    email: str
    provider: str
    outcome: Revocation
    detail: str = ""

    @property
    def sentence(self) -> str:
        account = f"{self.organization} ({self.email})"
        if self.outcome is Revocation.REVOKED:
            return (
                f"Signed out of {account}: {self.provider} ended Switchboard's permission and "
                "this computer no longer holds it."
            )
        if self.outcome is Revocation.NOT_SIGNED_IN:
            return f"{account} was not signed in with {self.provider}; nothing was held for it."
        if self.outcome is Revocation.NOT_OFFERED:
            return (
                f"Signed out of {account} on this computer. {self.provider} offers no way for an "
                "app to end its permission: remove Switchboard in your account's security "
                "settings there to end it too."
            )
        return (
            f"Signed out of {account} on this computer, but {self.provider} could not be told "
            f"({self.detail}): the permission may stay valid there until it expires, or until "
            "you remove Switchboard in your account's security settings there."
        )


def revoke_refresh_token(
    client_of: Callable[[], ProfileClient], token: str
) -> tuple[Revocation, str]:
    """Ask the provider to revoke ``token``; what happened, and why not in words if it failed."""
    try:
        target = client_of()
        endpoint = target.endpoints.revocation_endpoint
        if not endpoint:
            return Revocation.NOT_OFFERED, ""
        answer = target.client().revoke_token(
            endpoint, token=token, token_type_hint="refresh_token"
        )
    except (OAuthHttpError, ProviderError) as error:
        log.warning("revoking an OAuth2 grant failed: %s", type(error).__name__)
        return Revocation.FAILED, _first_lower(str(error))
    if answer.status_code != 200:  # RFC 7009 2.2: 200 even for a token it no longer knows
        log.warning("the provider refused to revoke an OAuth2 grant (HTTP %s)", answer.status_code)
        return Revocation.FAILED, f"it answered HTTP {answer.status_code}"
    return Revocation.REVOKED, ""


def _first_lower(text: str) -> str:
    return (text[:1].lower() + text[1:]).rstrip(".")
