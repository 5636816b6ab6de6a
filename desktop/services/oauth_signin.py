"""Choosing how a profile signs in to its servers, and signing it in with OAuth2.

Switching a profile to another provider or back to a password, or signing it out, ends the
grant it had: revoked at the provider (RFC 7009) and deleted from the keyring, since a token
issued by one provider, or for one client, is no use for another and must not outlive the
person's choice. Signing in
runs a flow of :mod:`desktop.services.oauth_flows` and hands the token to the broker; the audit
names the provider and the flow, never a token or a code. A sign-in lifts the profile's "sign in
again" state at once: its next sync connects with the new grant.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from desktop.core.oauth_providers import Provider
from desktop.core.roles import Action
from desktop.services.audit_events import add_event
from desktop.services.authorization import Authorizer, SignedInUser, gated
from desktop.services.errors import AccountError
from desktop.services.oauth_flows import DeviceCode, browser_sign_in, device_sign_in
from desktop.services.oauth_revocation import GrantEnded
from desktop.services.oauth_tokens import NotOAuthProfileError, OAuthTokens
from desktop.store.models import Profile
from desktop.store.session import SessionFactory, unit_of_work

AUTH_METHODS = ("password", "oauth2")


@dataclass(frozen=True)
class Authentication:
    """How a profile signs in, as its form and ``profile list`` show it."""

    method: str
    provider: Provider | None = None
    signed_in: bool = False
    ended: GrantEnded | None = None
    """The grant a change of method just ended, to tell the person what became of it."""


class OAuthSignIn:
    """The gated entry points of OAuth2 sign-in (built once with the services)."""

    def __init__(
        self, session_factory: SessionFactory, authorizer: Authorizer, tokens: OAuthTokens
    ) -> None:
        self._session_factory = session_factory
        self._authorizer = authorizer
        self._tokens = tokens

    @gated(Action.MANAGE_OWN_PROFILES, profile="profile_id")
    def set_authentication(
        self,
        actor: SignedInUser,
        profile_id: int,
        method: str,
        provider: Provider | None = None,
    ) -> Authentication:
        """A password, or (``oauth2``) ``provider``; any change ends the grant it had."""
        if method not in AUTH_METHODS:
            raise AccountError(f"The sign-in method {method!r} is not one of password or oauth2.")
        if method == "oauth2" and provider is None:
            raise AccountError("OAuth2 needs a provider: Microsoft, Google or an issuer address.")
        ended = self._end_changed_grant(profile_id, method, provider)
        with unit_of_work(self._session_factory) as session:
            profile = session.get_one(Profile, profile_id)
            before = (profile.auth_method, profile.oauth_provider, profile.oauth_tenant,
                      profile.oauth_client_id)  # fmt: skip
            profile.auth_method = method
            profile.oauth_provider = provider.stored_name if provider else None
            profile.oauth_tenant = provider.tenant if provider else None
            profile.oauth_client_id = provider.client_id if provider else None
            after = (profile.auth_method, profile.oauth_provider, profile.oauth_tenant,
                     profile.oauth_client_id)  # fmt: skip
            add_event(
                session,
                user_id=actor.user_id,
                profile_id=actor.active_profile_id,
                action="set sign-in method",
                target=f"profile {profile_id} ("
                + (f"OAuth2 with {provider.label}" if provider else "password")
                + ")",
            )
        if before != after:
            self._tokens.forget(profile_id)
        current = self.authentication(actor, profile_id)
        return Authentication(current.method, current.provider, current.signed_in, ended)

    @gated(Action.MANAGE_OWN_SERVER_PASSWORDS, profile="profile_id")
    def sign_out(self, actor: SignedInUser, profile_id: int) -> GrantEnded:
        """Disconnect: the grant is revoked at the provider and deleted here; the profile keeps
        its provider, so signing in again is one step (its mail waits meanwhile)."""
        ended = self._tokens.end_grant(profile_id)
        self._audit(actor, profile_id, f"signed out of {ended.provider}: {ended.outcome.value}",
                    action="signed out of mail")  # fmt: skip
        return ended

    def _end_changed_grant(
        self, profile_id: int, method: str, provider: Provider | None
    ) -> GrantEnded | None:
        """Before the row changes (the old provider's endpoints are needed): the grant ends if
        the profile leaves its provider, revoked at that provider when it was signed in."""
        try:
            current = self._tokens.profile(profile_id)
        except NotOAuthProfileError:
            return None
        if method == "oauth2" and provider == current.provider:
            return None
        if not self._tokens.signed_in(profile_id):
            return None
        return self._tokens.end_grant(profile_id)

    @gated(Action.MANAGE_OWN_PROFILES, profile="profile_id")
    def authentication(self, actor: SignedInUser, profile_id: int) -> Authentication:
        try:
            profile = self._tokens.profile(profile_id)
        except NotOAuthProfileError:
            return Authentication("password")
        return Authentication("oauth2", profile.provider, self._tokens.signed_in(profile_id))

    @gated(Action.MANAGE_OWN_SERVER_PASSWORDS, profile="profile_id")
    def sign_in_with_browser(
        self,
        actor: SignedInUser,
        profile_id: int,
        open_browser: Callable[[str], object],
        cancel: threading.Event,
    ) -> None:
        """Open the provider's page in the browser and wait for the grant (or ``cancel``)."""
        profile = self._tokens.profile(profile_id)
        client = self._tokens.client_of(profile_id, profile)
        token = browser_sign_in(client, open_browser, cancel, login_hint=profile.email)
        self._tokens.keep(profile_id, token)
        self._audit(actor, profile_id, f"OAuth2 with {profile.provider.label}, in the browser")

    @gated(Action.MANAGE_OWN_SERVER_PASSWORDS, profile="profile_id")
    def sign_in_with_code(
        self,
        actor: SignedInUser,
        profile_id: int,
        show: Callable[[DeviceCode], object],
        cancel: threading.Event,
    ) -> None:
        """The device flow: ``show`` tells the person where to enter which code."""
        profile = self._tokens.profile(profile_id)
        client = self._tokens.client_of(profile_id, profile)
        token = device_sign_in(client, show, cancel)
        self._tokens.keep(profile_id, token)
        self._audit(actor, profile_id, f"OAuth2 with {profile.provider.label}, with a code")

    def _audit(
        self, actor: SignedInUser, profile_id: int, how: str, action: str = "signed in to mail"
    ) -> None:
        with unit_of_work(self._session_factory) as session:
            add_event(
                session,
                user_id=actor.user_id,
                profile_id=actor.active_profile_id,
                action=action,
                target=f"profile {profile_id} ({how})",
            )
