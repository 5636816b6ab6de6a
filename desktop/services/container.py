"""The services of one running app (or one CLI command), built in one place.

No module keeps a global instance: the GUI and each CLI command call :func:`build_services`
once and pass the result down, and tests build their own against their own store.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from types import TracebackType
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from desktop.services.accounts import AccountsService
from desktop.services.authorization import Authorizer
from desktop.services.mail.mailbox import Mailbox
from desktop.services.passwords import PRODUCTION_COST, PasswordCost, PasswordHashing
from desktop.services.secrets import SecretStore
from desktop.store.engine import make_engine
from desktop.store.migrate import upgrade_store
from desktop.store.session import SessionFactory, make_session_factory

if TYPE_CHECKING:
    from desktop.services.audit import AuditService
    from desktop.services.mail.actions import MailActions
    from desktop.services.mail.compose import Composer
    from desktop.services.mail.draft_sending import DraftSender
    from desktop.services.mail.outbox import Outbox
    from desktop.services.mail.profile_copy import ProfileCopy
    from desktop.services.mail.remote_content import RemoteContentFetcher
    from desktop.services.mail.sync_owner import MailSync
    from desktop.services.mail.threads import Threads
    from desktop.services.oauth_signin import OAuthSignIn
    from desktop.services.oauth_tokens import OAuthTokens
    from desktop.services.store_keys import OpenedStoreKey


@dataclass(frozen=True)
class Services:
    """Signing in and reading mail are built at once; every other service at its first use.

    A command starts in the time its imports take: ``switchboard inbox`` must not load the
    composer's MIME and address checks, the outbox, the audit queries or an HTTP client. The
    services hold no state of their own, so building one later changes nothing but when.
    """

    engine: Engine
    session_factory: SessionFactory
    secrets: SecretStore
    accounts: AccountsService
    mailbox: Mailbox
    authorizer: Authorizer
    store_key: OpenedStoreKey | None = None
    """An encrypted store's data key (in memory only); None for a plain store or a server."""

    @cached_property
    def threads(self) -> Threads:
        from desktop.services.mail.threads import Threads

        return Threads(self.session_factory, self.authorizer)

    @cached_property
    def audit(self) -> AuditService:
        from desktop.services.audit import AuditService

        return AuditService(self.session_factory, self.authorizer)

    @cached_property
    def remote_content(self) -> RemoteContentFetcher:
        from desktop.services.mail.remote_content import RemoteContentFetcher

        return RemoteContentFetcher(self.session_factory, self.authorizer)

    @cached_property
    def outbox(self) -> Outbox:
        from desktop.services.mail.outbox import Outbox

        return Outbox(self.session_factory, self.authorizer)

    @cached_property
    def composer(self) -> Composer:
        from desktop.services.mail.compose import Composer

        return Composer(self.session_factory, self.authorizer)

    @cached_property
    def draft_sender(self) -> DraftSender:
        from desktop.services.mail.draft_sending import DraftSender

        return DraftSender(self.composer, self.outbox, self.authorizer)

    @cached_property
    def mail_sync(self) -> MailSync:
        """A command that only reads mail never loads the IMAP client."""
        from desktop.services.mail.sync_owner import MailSync
        from desktop.services.oauth_credentials import MailCredentials

        credentials = MailCredentials(self.session_factory, self.secrets, self.oauth_tokens)
        return MailSync(self.session_factory, credentials, self.authorizer)

    @cached_property
    def oauth_tokens(self) -> OAuthTokens:
        """One broker for the process: a sign-in's access token is the one the sync uses."""
        from desktop.services.oauth_tokens import OAuthTokens

        return OAuthTokens(self.session_factory, self.secrets)

    @cached_property
    def oauth_sign_in(self) -> OAuthSignIn:
        from desktop.services.oauth_signin import OAuthSignIn

        return OAuthSignIn(self.session_factory, self.authorizer, self.oauth_tokens)

    @cached_property
    def mail_actions(self) -> MailActions:
        from desktop.services.mail.actions import MailActions

        return MailActions(self.session_factory, self.authorizer, self.mail_sync)

    @cached_property
    def profile_copy(self) -> ProfileCopy:
        from desktop.services.mail.profile_copy import ProfileCopy

        return ProfileCopy(self.session_factory, self.authorizer, self.mail_sync)

    def close(self) -> None:
        if "mail_sync" in self.__dict__:
            self.mail_sync.close()
        self.engine.dispose()

    def __enter__(self) -> Services:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def build_services(
    database_url: str | None = None,
    *,
    secrets: SecretStore | None = None,
    password_cost: PasswordCost = PRODUCTION_COST,
    store_key: OpenedStoreKey | None = None,
) -> Services:
    """Open the store (upgrading it, with a copy aside) and wire the services over it.

    Raises :class:`desktop.store.migrate.StoreUpgradeError` when the store cannot be opened.
    ``password_cost`` exists for tests; the app always keeps the production cost. With
    ``store_key`` the store is the encrypted file that key opens (see
    :mod:`desktop.services.store_opening`, which decides).
    """
    engine = make_engine(database_url, key=store_key.data_key if store_key else None)
    try:
        upgrade_store(engine)
    except BaseException:
        engine.dispose()
        raise
    return wire_services(
        engine,
        secrets if secrets is not None else SecretStore(),
        password_cost=password_cost,
        store_key=store_key,
    )


def wire_services(
    engine: Engine,
    secrets: SecretStore,
    *,
    password_cost: PasswordCost = PRODUCTION_COST,
    store_key: OpenedStoreKey | None = None,
) -> Services:
    """The services over an engine whose store is already at this app's schema."""
    session_factory = make_session_factory(engine)
    authorizer = Authorizer(session_factory)
    return Services(
        engine,
        session_factory,
        secrets,
        AccountsService(
            session_factory,
            secrets,
            authorizer,
            PasswordHashing(password_cost),
            store_key=store_key,
        ),
        Mailbox(session_factory, authorizer),
        authorizer,
        store_key,
    )
