"""Each OAuth2 profile's tokens: the refresh token in the keyring, the access token in memory.

An access token is refreshed when less than ``leeway`` seconds of it are left (so a long sync
does not run into its expiry), and once more when a server refuses it. A refresh the provider
answers with ``invalid_grant`` means the grant is gone (revoked, expired, password changed):
the refresh token is deleted, and that profile, and no other, says "sign in again" until the
person does (:class:`SignInNeededError`, permanent, so its syncing stops). Why is remembered in
memory for this session only: the next one finds no refresh token in the keyring and asks the
same, so no column of the store says it. A provider that cannot be reached is a transient
failure (:class:`~desktop.services.oauth_http.OAuthHttpError`, an ``OSError``), retried like an
unreachable mail server. A grant the person takes away is revoked at the provider first
(:meth:`OAuthTokens.end_grant`, :mod:`desktop.services.oauth_revocation`).

Nothing of a token is logged, stored or put in an exception message.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from authlib.oauth2.base import OAuth2Error

from desktop.core.oauth_providers import Provider, stored_provider
from desktop.services.authorization import internal
from desktop.services.mail.imap_sync import AuthenticationError
from desktop.services.oauth_client import ProfileClient, endpoints_for
from desktop.services.oauth_http import AuditedHttp
from desktop.services.oauth_revocation import GrantEnded, Revocation, revoke_refresh_token
from desktop.services.secrets import SecretStore
from desktop.services.sign_in_needed import (
    GRANT_ENDED,
    SignInNeededError,
    sign_in_again,
    sign_in_first,
)
from desktop.store.models import Profile
from desktop.store.session import SessionFactory, unit_of_work

log = logging.getLogger(__name__)
LEEWAY = 120.0
"""Seconds before its expiry that an access token is replaced."""
GRANT_GONE = {"invalid_grant", "unauthorized_client", "invalid_client"}


class NotOAuthProfileError(ValueError):
    """The profile signs in with a password."""


@dataclass
class _Held:
    token: str
    expires_at: float


@dataclass(frozen=True)
class OAuthProfile:
    """What the broker reads of a profile: who it is and whom it signs in with."""

    organization: str
    email: str
    provider: Provider
    ca_file: str | None


class OAuthTokens:
    """The broker of every OAuth2 profile's tokens in this process (one per app or command)."""

    def __init__(
        self,
        session_factory: SessionFactory,
        secrets: SecretStore,
        *,
        leeway: float = LEEWAY,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._session_factory = session_factory
        self._secrets = secrets
        self._leeway = leeway
        self._clock = clock
        self._lock = threading.Lock()
        self._profile_locks: dict[int, threading.Lock] = {}
        self._held: dict[int, _Held] = {}
        self._ended: dict[int, str] = {}
        """Why a profile's grant ended in this session, in the person's words."""

    @internal("read by the profile's queue and the sign-in service after their gated request")
    def profile(self, profile_id: int) -> OAuthProfile:
        with unit_of_work(self._session_factory) as session:
            row = session.get(Profile, profile_id)
            if row is None or row.auth_method != "oauth2" or not row.oauth_provider:
                raise NotOAuthProfileError(f"profile {profile_id} does not sign in with OAuth2")
            provider = stored_provider(row.oauth_provider, row.oauth_tenant, row.oauth_client_id)
            ca_file = row.ca_file if provider.preset is None else None
            return OAuthProfile(row.organization, row.email, provider, ca_file)

    @internal("used by the sign-in flows and refreshes after their gated request")
    def client_of(self, profile_id: int, profile: OAuthProfile | None = None) -> ProfileClient:
        """The profile's provider with its endpoints (an issuer's are read from its metadata)."""
        profile = profile or self.profile(profile_id)
        http = AuditedHttp(self._session_factory, profile_id, ca_file=profile.ca_file)
        return ProfileClient(profile.provider, endpoints_for(profile.provider, http), http)

    @internal("asked by the profile's queue before it connects")
    def signed_in(self, profile_id: int) -> bool:
        return self._secrets.get_oauth_refresh_token(profile_id) is not None

    @internal("called by the sign-in service with the token a flow just obtained")
    def keep(self, profile_id: int, token: dict[str, Any]) -> None:
        """Keep a new grant: the refresh token to the keyring, the access token in memory."""
        refresh = token.get("refresh_token")
        if refresh:
            self._secrets.set_oauth_refresh_token(profile_id, str(refresh))
        elif not self.signed_in(profile_id):
            raise SignInNeededError(
                "The provider gave only a short-lived sign-in and no lasting one, so mail could "
                "not be fetched for long; ask your administrator to allow offline access.",
                profile_id=profile_id,
                email=self.profile(profile_id).email,
            )
        expires_at = _expiry(token, self._clock())
        with self._lock:
            self._held[profile_id] = _Held(str(token["access_token"]), expires_at)
            self._ended.pop(profile_id, None)

    @internal("asked by the profile's queue before it connects")
    def sign_in_needed(self, profile_id: int) -> SignInNeededError:
        """What to raise for a profile with no grant: why it ended if this session saw it."""
        profile = self.profile(profile_id)
        with self._lock:
            reason = self._ended.get(profile_id)
        first = None
        if reason is None:
            reason = f"this computer holds no sign-in with {profile.provider.label} for it"
            first = sign_in_first(profile.provider.label, profile.email)
        return SignInNeededError(
            sign_in_again(profile.organization, profile.email, reason),
            profile_id=profile_id,
            email=profile.email,
            first=first,
        )

    @internal("called by the sign-out, a change of sign-in method and a profile's deletion")
    def end_grant(self, profile_id: int) -> GrantEnded:
        """Revoke the refresh token at the provider, then forget it here whatever it answered."""
        profile = self.profile(profile_id)
        with self._profile_lock(profile_id):
            refresh = self._secrets.get_oauth_refresh_token(profile_id)
            outcome, detail = Revocation.NOT_SIGNED_IN, ""
            try:
                if refresh is not None:
                    outcome, detail = revoke_refresh_token(
                        lambda: self.client_of(profile_id, profile), refresh
                    )
            finally:
                self.forget(profile_id)
        log.info("ended the OAuth2 grant of profile %s (%s)", profile_id, outcome.value)
        return GrantEnded(
            profile.organization, profile.email, profile.provider.label, outcome, detail
        )

    @internal("called when a profile is signed out or its grant is gone")
    def forget(self, profile_id: int) -> None:
        with self._lock:
            self._held.pop(profile_id, None)
        self._secrets.delete_oauth_refresh_token(profile_id)

    @internal("the profile's bearer asks for its token on the profile's thread")
    def access_token(self, profile_id: int, *, refused: str | None = None) -> str:
        """A token with more than ``leeway`` seconds left; after ``refused``, a new one."""
        with self._profile_lock(profile_id):
            with self._lock:
                held = self._held.get(profile_id)
            if held is not None:
                if refused is not None and held.token != refused:
                    return held.token  # another connection of the profile renewed it already
                if refused is None and held.expires_at - self._leeway > self._clock():
                    return held.token
            return self._refresh(profile_id)

    def _refresh(self, profile_id: int) -> str:
        refresh = self._secrets.get_oauth_refresh_token(profile_id)
        profile = self.profile(profile_id)
        if refresh is None:
            raise self.sign_in_needed(profile_id)
        target = self.client_of(profile_id, profile)
        try:
            token = target.client().refresh_token(
                target.endpoints.token_endpoint, refresh_token=refresh
            )
        except OAuth2Error as error:
            if error.error in GRANT_GONE:
                log.warning("the OAuth2 grant of profile %s is gone (%s)", profile_id, error.error)
                with self._lock:
                    self._ended[profile_id] = (
                        GRANT_ENDED
                        if error.error == "invalid_grant"
                        else f"{profile.provider.label} no longer accepts Switchboard's sign-in"
                    )
                self.forget(profile_id)
                raise self.sign_in_needed(profile_id) from None
            raise AuthenticationError(
                f"{profile.provider.label} refused to renew the sign-in of {profile.email} "
                f"({error.error})."
            ) from None
        log.info("renewed the access token of profile %s", profile_id)
        self.keep(profile_id, dict(token))
        with self._lock:
            return self._held[profile_id].token

    def _profile_lock(self, profile_id: int) -> threading.Lock:
        with self._lock:
            return self._profile_locks.setdefault(profile_id, threading.Lock())


def _expiry(token: dict[str, Any], now: float) -> float:
    """When the access token ends on the broker's clock: from ``expires_in`` when given, since
    authlib's ``expires_at`` is counted on the system clock, which the broker's may not be."""
    if token.get("expires_in"):
        return now + float(token["expires_in"])
    return float(token.get("expires_at") or now + 3600)


class ProfileBearer:
    """The :class:`~desktop.services.oauth_sasl.Bearer` of one profile, backed by the broker."""

    def __init__(self, tokens: OAuthTokens, profile_id: int) -> None:
        self._tokens = tokens
        self._profile_id = profile_id

    def token(self) -> str:
        return self._tokens.access_token(self._profile_id)

    def renewed(self, refused: str) -> str:
        return self._tokens.access_token(self._profile_id, refused=refused)

    def __repr__(self) -> str:
        return f"<bearer of profile {self._profile_id}>"
