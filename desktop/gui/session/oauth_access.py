"""What the profile form may do about OAuth2 sign-in, as blocking calls that run on a worker.

The widgets see only core types (:class:`~desktop.core.oauth_providers.Provider`) and the
:class:`SignInView` below; the browser opens from here (the session layer is the one door to
the services), and a sign-in waits until it completes, fails or its ``cancel`` event is set.
"""

from __future__ import annotations

import threading
import webbrowser
from dataclasses import dataclass, replace

from desktop.core.oauth_providers import Provider, ProviderError, provider_from
from desktop.services.authorization import SignedInUser
from desktop.services.container import Services
from desktop.services.errors import AccountError
from desktop.services.oauth_flows import SignInCancelledError, SignInRefusedError
from desktop.services.oauth_http import OAuthHttpError

SIGN_IN_PROBLEMS = (SignInRefusedError, ProviderError, OAuthHttpError, AccountError)
"""Failures whose message is meant for the person (shown as they are)."""


@dataclass(frozen=True)
class SignInView:
    """How one profile signs in, as the form shows it."""

    method: str = "password"
    provider: Provider | None = None
    signed_in: bool = False
    ended: str = ""
    """What became of the grant a change of method just ended, in a sentence."""


class OAuthAccess:
    def __init__(self, services: Services, actor: SignedInUser) -> None:
        self._services = services
        self._actor = actor

    def view(self, profile_id: int) -> SignInView:
        found = self._services.oauth_sign_in.authentication(self._actor, profile_id)
        return SignInView(found.method, found.provider, found.signed_in)

    def choose(
        self,
        profile_id: int,
        preset: str | None,
        issuer: str | None,
        tenant: str | None,
        client_id: str | None,
    ) -> SignInView:
        """``preset`` and ``issuer`` None: a password. Raises ProviderError on a bad choice.

        Leaving a provider ends its grant; the view's ``ended`` says what became of it.
        """
        sign_in = self._services.oauth_sign_in
        changed = None
        if preset is None and issuer is None:
            changed = sign_in.set_authentication(self._actor, profile_id, "password")
        else:
            provider = provider_from(preset, issuer, tenant, client_id)
            current = sign_in.authentication(self._actor, profile_id)
            if current.provider != provider:
                changed = sign_in.set_authentication(self._actor, profile_id, "oauth2", provider)
        view = self.view(profile_id)
        if changed is not None and changed.ended is not None:
            return replace(view, ended=changed.ended.sentence)
        return view

    def sign_out(self, profile_id: int) -> tuple[SignInView, str]:
        """Disconnect: the grant revoked at the provider and deleted; what became of it, said."""
        ended = self._services.oauth_sign_in.sign_out(self._actor, profile_id)
        return self.view(profile_id), ended.sentence

    def sign_in(self, profile_id: int, cancel: threading.Event) -> SignInView | None:
        """Open the system browser and wait for the grant; None when it was cancelled."""
        try:
            self._services.oauth_sign_in.sign_in_with_browser(
                self._actor, profile_id, webbrowser.open, cancel
            )
        except SignInCancelledError:
            return None
        return self.view(profile_id)
