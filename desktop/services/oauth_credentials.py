"""What the mail queues sign in with: the keyring's password, or an OAuth2 profile's bearer.

The profile queues ask one :class:`~desktop.services.mail.imap_sync.PasswordSource` for a
profile's credential; this one answers from the profile's authentication method, so the queues
stay the same for both kinds of profile. An OAuth2 profile whose grant is gone is refused here,
before any connection, with the sentence that asks the person to sign in again.
"""

from __future__ import annotations

from desktop.services.authorization import internal
from desktop.services.oauth_tokens import OAuthTokens, ProfileBearer
from desktop.services.secrets import SecretStore
from desktop.store.models import Profile
from desktop.store.session import SessionFactory, unit_of_work


class MailCredentials:
    """The app's password source for IMAP and SMTP, over the keyring and the token broker."""

    def __init__(
        self, session_factory: SessionFactory, secrets: SecretStore, tokens: OAuthTokens
    ) -> None:
        self._session_factory = session_factory
        self._secrets = secrets
        self._tokens = tokens

    @internal("read by the profile's queue, which runs only work the gate already allowed")
    def get_password(self, profile_id: int) -> str | ProfileBearer | None:
        if not self._signs_in_with_oauth(profile_id):
            return self._secrets.get_password(profile_id)
        if not self._tokens.signed_in(profile_id):
            raise self._tokens.sign_in_needed(profile_id)
        return ProfileBearer(self._tokens, profile_id)

    @internal("read by the profile's queue, which runs only work the gate already allowed")
    def get_smtp_password(self, profile_id: int) -> str | None:
        return self._secrets.get_smtp_password(profile_id)

    def _signs_in_with_oauth(self, profile_id: int) -> bool:
        with unit_of_work(self._session_factory) as session:
            profile = session.get(Profile, profile_id)
            return profile is not None and profile.auth_method == "oauth2"
