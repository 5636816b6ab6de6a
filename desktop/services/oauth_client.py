"""A profile's OAuth2 client: its provider's endpoints, client id, and authlib doing the protocol.

Why authlib and not msal: msal speaks to Microsoft's identity platform only, while a profile may
sign in with Google or any OpenID Connect issuer (a hospital's own Keycloak); authlib implements
the RFCs themselves (6749, 7636 PKCE, 8628 device flow, 7009 revocation, 8414 metadata) for every
provider, lets the app bring its own audited HTTP (:mod:`desktop.services.oauth_http`), and its
server side lets the tests run a real provider on loopback.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from authlib.oauth2.client import OAuth2Client

from desktop.core.oauth_providers import (
    CLIENT_ID_VARIABLES,
    ISSUER_CLIENT_ID_VARIABLE,
    Endpoints,
    Provider,
    ProviderError,
    check_issuer,
    discovery_urls,
    preset_endpoints,
)
from desktop.services.oauth_http import AuditedHttp, OAuthHttpError


class SignInUnavailableError(ProviderError):
    """The provider cannot be used as set (no client id, no metadata, no device flow)."""


@dataclass
class ProfileClient:
    """What a sign-in or a refresh needs: the endpoints and an authlib client over audited HTTP."""

    provider: Provider
    endpoints: Endpoints
    http: AuditedHttp

    def client(self, redirect_uri: str | None = None) -> OAuth2Client:
        return OAuth2Client(
            self.http,
            client_id=client_id_for(self.provider),
            token_endpoint_auth_method="none",
            scope=" ".join(self.provider.scopes),
            redirect_uri=redirect_uri,
            code_challenge_method="S256",
            token_endpoint=self.endpoints.token_endpoint,
        )


def client_id_for(provider: Provider) -> str:
    """The profile's own client id, else the deployer's for this kind of provider."""
    if provider.client_id:
        return provider.client_id
    variable = CLIENT_ID_VARIABLES.get(provider.preset or "", ISSUER_CLIENT_ID_VARIABLE)
    found = os.environ.get(variable, "").strip()
    if not found:
        raise SignInUnavailableError(
            f"Signing in with {provider.label} needs the client ID your organisation registered "
            f"with it: set it for this profile, or set {variable} for every installation."
        )
    return found


def endpoints_for(provider: Provider, http: AuditedHttp) -> Endpoints:
    """A preset's known endpoints, or an issuer's from its published metadata."""
    known = preset_endpoints(provider)
    if known is not None:
        return known
    issuer = provider.issuer or ""
    unreachable: OAuthHttpError | None = None
    answered = False
    for url in discovery_urls(issuer):
        try:
            answer = http.get(url)
        except OAuthHttpError as error:
            unreachable = error
            continue
        answered = True
        if answer.status_code != 200:
            continue
        try:
            metadata = answer.json()
        except ValueError:
            continue
        if isinstance(metadata, dict) and metadata.get("token_endpoint"):
            return _checked(issuer, metadata)
    if unreachable is not None and not answered:  # offline is said so, not "publishes nothing"
        raise unreachable
    raise SignInUnavailableError(
        f"{issuer} publishes no OAuth2 sign-in details (OpenID Connect or RFC 8414 metadata)."
    )


def _checked(issuer: str, metadata: dict[str, object]) -> Endpoints:
    """RFC 8414 section 3.3: the metadata must name the issuer it was asked of."""
    named = str(metadata.get("issuer", "")).rstrip("/")
    if named != issuer.rstrip("/"):
        raise SignInUnavailableError(
            f"The sign-in details found at {issuer} belong to another issuer ({named})."
        )
    endpoints = Endpoints(
        issuer=named,
        authorization_endpoint=str(metadata.get("authorization_endpoint", "")),
        token_endpoint=str(metadata["token_endpoint"]),
        device_authorization_endpoint=_optional(metadata.get("device_authorization_endpoint")),
        revocation_endpoint=_optional(metadata.get("revocation_endpoint")),
    )
    for url in (endpoints.authorization_endpoint, endpoints.token_endpoint):
        check_issuer(url.split("?")[0])
    return endpoints


def _optional(value: object) -> str | None:
    return str(value) if value else None
