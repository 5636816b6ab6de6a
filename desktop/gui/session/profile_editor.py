"""What the Profiles dialog may do, as blocking calls that run on a worker.

Each call acts as the user who opened the dialog, so the role rules of the services apply to the
dialog exactly as to the command line; the dialog itself holds no rule.
"""

from __future__ import annotations

from desktop.gui.session.discovery import ServerFinder
from desktop.gui.session.oauth_access import OAuthAccess
from desktop.gui.session.viewdata import SendingSetup
from desktop.services.accounts import ProfileDraft, ProfileInfo
from desktop.services.authorization import SignedInUser
from desktop.services.container import Services
from desktop.services.mail.smtp_settings import sending_server, set_smtp_server


class ProfileEditor:
    def __init__(self, services: Services, actor: SignedInUser) -> None:
        self._services = services
        self._actor = actor

    @property
    def oauth(self) -> OAuthAccess:
        """Signing the profile in with OAuth2 (Microsoft 365, Google, another provider)."""
        return OAuthAccess(self._services, self._actor)

    @property
    def keeps_passwords(self) -> bool:
        """False: no usable keyring, so a typed password lasts only this session."""
        return self._services.secrets.is_persistent

    def server_finder(self) -> ServerFinder:
        """Set-up from the address, acting as the same user as every other call here."""
        return ServerFinder(self._services, self._actor)

    def profiles(self) -> list[ProfileInfo]:
        return list(self._services.accounts.list_profiles(self._actor))

    def save(
        self,
        profile_id: int | None,
        draft: ProfileDraft,
        password: str,
        sending: SendingSetup | None = None,
    ) -> ProfileInfo:
        """Create or update, keep the password (if one was typed) in the keyring, then set the
        sending server (when a host is given) and the signature."""
        accounts = self._services.accounts
        if profile_id is None:
            saved = accounts.create_profile(self._actor, draft)
        else:
            saved = accounts.update_profile(self._actor, profile_id, draft)
        if password:
            accounts.set_server_password(self._actor, saved.id, password)
        if sending is not None:
            self._save_sending(saved.id, sending)
        return saved

    def sending(self, profile_id: int) -> SendingSetup:
        services = self._services
        server = sending_server(
            services.session_factory, services.authorizer, self._actor, profile_id
        )
        signature = services.composer.signature(self._actor, profile_id)
        if server is None:
            return SendingSetup(signature=signature)
        return SendingSetup(
            host=server.host,
            port=server.port,
            security=server.security,
            user=server.user,
            server_saves_sent=server.server_saves_sent,
            signature=signature,
        )

    def _save_sending(self, profile_id: int, sending: SendingSetup) -> None:
        services = self._services
        if sending.host.strip():
            set_smtp_server(
                services.session_factory,
                services.authorizer,
                self._actor,
                profile_id,
                host=sending.host,
                port=sending.port,
                security=sending.security,
                user=sending.user or None,
                server_saves_sent=sending.server_saves_sent,
            )
        if sending.signature != services.composer.signature(self._actor, profile_id):
            services.composer.set_signature(self._actor, profile_id, sending.signature)

    def message_count(self, profile_id: int) -> int:
        """What a delete would remove, said before the person confirms it."""
        return self._services.mailbox.count(self._actor, profile_ids=[profile_id])

    def delete(self, profile_id: int) -> str | None:
        """What became of an OAuth2 profile's grant at its provider (None: a password one)."""
        return self._services.accounts.delete_profile(self._actor, profile_id)

    def check_connection(self, profile_id: int, password: str) -> None:
        """Logs in to the profile's server and lists nothing; a typed password is tried first."""
        accounts = self._services.accounts
        secret = password or accounts.server_password(self._actor, profile_id) or ""
        self._services.mail_sync.check_connection(self._actor, profile_id, secret)
