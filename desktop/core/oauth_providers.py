"""Which OAuth2 provider a profile signs in with, and what each preset asks for.

A profile names a preset (``microsoft`` with a tenant, ``google``) or any issuer URL, which the
services resolve through OpenID Connect / RFC 8414 discovery. The presets carry their endpoints
so that signing in to Microsoft 365 or Google costs no discovery request, and they carry no
client id: Switchboard is a public client (PKCE, no secret), and a client id belongs to whoever
registered the app with the provider. A deployer sets one per preset in the environment
(:data:`CLIENT_ID_VARIABLES`) or per profile (``--oauth-client-id``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

PRESETS = ("microsoft", "google")
MICROSOFT_SCOPES = (
    "https://outlook.office.com/IMAP.AccessAsUser.All",
    "https://outlook.office.com/SMTP.Send",
    "offline_access",
)
GOOGLE_SCOPES = ("https://mail.google.com/",)
DEFAULT_TENANT = "common"
CLIENT_ID_VARIABLES = {
    "microsoft": "SWITCHBOARD_OAUTH_MICROSOFT_CLIENT_ID",
    "google": "SWITCHBOARD_OAUTH_GOOGLE_CLIENT_ID",
}
"""Where a deployer puts the client id registered for the organisation's installations."""
ISSUER_CLIENT_ID_VARIABLE = "SWITCHBOARD_OAUTH_CLIENT_ID"
"""The client id for an issuer URL, when the profile does not name its own."""
_TENANT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.-]{0,199}$")


class ProviderError(ValueError):
    """A provider choice that cannot work; the message is meant for the person."""


@dataclass(frozen=True)
class Endpoints:
    """Where a provider authorizes, issues and revokes tokens (RFC 8414 names)."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    device_authorization_endpoint: str | None = None
    revocation_endpoint: str | None = None


@dataclass(frozen=True)
class Provider:
    """A profile's provider: a preset, or (``preset`` None) an issuer found by discovery."""

    preset: str | None
    issuer: str | None = None
    tenant: str | None = None
    client_id: str | None = None

    @property
    def label(self) -> str:
        """How the sign-in button names it: "Microsoft", "Google" or the issuer's host."""
        if self.preset == "microsoft":
            return "Microsoft"
        if self.preset == "google":
            return "Google"
        return urlsplit(self.issuer or "").hostname or "your provider"

    @property
    def scopes(self) -> tuple[str, ...]:
        if self.preset == "microsoft":
            return MICROSOFT_SCOPES
        if self.preset == "google":
            return GOOGLE_SCOPES
        return ("openid", "email", "offline_access")

    @property
    def stored_name(self) -> str:
        """What ``profiles.oauth_provider`` holds: the preset name or the issuer URL."""
        return self.preset or self.issuer or ""


def provider_from(
    preset: str | None, issuer: str | None, tenant: str | None, client_id: str | None
) -> Provider:
    """Check a choice as a form or the command line gives it."""
    client_id = (client_id or "").strip() or None
    if preset and issuer:
        raise ProviderError("Choose a provider preset or an issuer address, not both.")
    if preset:
        if preset not in PRESETS:
            raise ProviderError(f"The provider {preset!r} is not one of {', '.join(PRESETS)}.")
        if preset != "microsoft" and tenant:
            raise ProviderError("Only Microsoft 365 has a tenant.")
        tenant = (tenant or DEFAULT_TENANT).strip() if preset == "microsoft" else None
        if tenant is not None and not _TENANT.match(tenant):
            raise ProviderError(f"{tenant!r} is not a Microsoft tenant name or ID.")
        return Provider(preset, tenant=tenant, client_id=client_id)
    issuer = (issuer or "").strip().rstrip("/")
    if not issuer:
        raise ProviderError("OAuth2 needs a provider: Microsoft, Google or an issuer address.")
    check_issuer(issuer)
    if tenant:
        raise ProviderError("Only Microsoft 365 has a tenant.")
    return Provider(None, issuer=issuer, client_id=client_id)


def stored_provider(name: str, tenant: str | None, client_id: str | None) -> Provider:
    """The provider a profile row names (as :attr:`Provider.stored_name` wrote it)."""
    if name in PRESETS:
        return provider_from(name, None, tenant, client_id)
    return provider_from(None, name, None, client_id)


def check_issuer(url: str) -> None:
    """HTTPS only, except to this machine (a provider on loopback, as in the tests)."""
    parts = urlsplit(url)
    if not parts.hostname or parts.query or parts.fragment:
        raise ProviderError(f"{url!r} is not an issuer address such as https://login.example.org.")
    if parts.scheme != "https" and not (
        parts.scheme == "http" and is_loopback_name(parts.hostname)
    ):
        raise ProviderError(
            f"The issuer {url} does not use HTTPS; sign-in codes and tokens would cross the "
            "network readable."
        )


def is_loopback_name(host: str) -> bool:
    return host in {"localhost", "::1"} or host.startswith("127.")


def preset_endpoints(provider: Provider) -> Endpoints | None:
    """The endpoints a preset is known to use; None for an issuer (found by discovery)."""
    if provider.preset == "microsoft":
        base = f"https://login.microsoftonline.com/{provider.tenant or DEFAULT_TENANT}"
        return Endpoints(
            issuer=f"{base}/v2.0",
            authorization_endpoint=f"{base}/oauth2/v2.0/authorize",
            token_endpoint=f"{base}/oauth2/v2.0/token",
            device_authorization_endpoint=f"{base}/oauth2/v2.0/devicecode",
        )
    if provider.preset == "google":
        return Endpoints(
            issuer="https://accounts.google.com",
            authorization_endpoint="https://accounts.google.com/o/oauth2/v2/auth",
            token_endpoint="https://oauth2.googleapis.com/token",
            device_authorization_endpoint="https://oauth2.googleapis.com/device/code",
            revocation_endpoint="https://oauth2.googleapis.com/revoke",
        )
    return None


def discovery_urls(issuer: str) -> list[str]:
    """Where an issuer's metadata may be: OpenID Connect first, then RFC 8414 (path-aware)."""
    parts = urlsplit(issuer)
    origin = f"{parts.scheme}://{parts.netloc}"
    path = parts.path.rstrip("/")
    return [
        f"{issuer.rstrip('/')}/.well-known/openid-configuration",
        f"{origin}/.well-known/oauth-authorization-server{path}",
    ]
