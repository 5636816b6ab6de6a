"""A profile's sending server: where it is, how it is protected, whose password it takes.

The same safety rules as IMAP (:mod:`desktop.services.mail.connection`): TLS verified, a CA file
of the profile's own, plain SMTP only to loopback or with the profile's ``allow_plaintext``
opt-in (one switch for both servers: it is the same choice about the same network). The user
name defaults to the IMAP one and the password is the IMAP one unless set apart, because most
providers use one login for both; a separate one goes to the keyring like the IMAP password.
"""

from __future__ import annotations

from dataclasses import dataclass

from desktop.core.roles import Action
from desktop.services.audit_events import add_event
from desktop.services.authorization import Authorizer, SignedInUser, gated, internal
from desktop.services.errors import AccountError
from desktop.services.mail.connection import SECURITY_MODES, is_loopback
from desktop.services.secrets import SecretStore
from desktop.store.models import MailServerOption, Profile, SmtpServer
from desktop.store.session import SessionFactory, unit_of_work

SMTP_PORTS = {"ssl": 465, "starttls": 587, "none": 25}


class SmtpNotConfiguredError(AccountError):
    """The profile has no sending server, or no password for it."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str
    user: str
    envelope_sender: str
    ca_file: str | None = None
    allow_plaintext: bool = False
    own_password: bool = False
    server_saves_sent: bool = False
    auth: str = "password"
    """``oauth2``: the profile's bearer token signs in (one grant covers IMAP and SMTP)."""


@gated(Action.MANAGE_OWN_PROFILES, profile="profile_id")
def set_smtp_server(
    session_factory: SessionFactory,
    authorizer: Authorizer,
    actor: SignedInUser,
    profile_id: int,
    *,
    host: str,
    port: int | None = None,
    security: str = "starttls",
    user: str | None = None,
    ca_file: str | None = None,
    server_saves_sent: bool = False,
) -> SmtpSettings:
    """Set where one of the actor's profiles sends from (``port`` None: the usual one)."""
    host = host.strip()
    if not host:
        raise AccountError("The sending server needs a host name.")
    if security not in SECURITY_MODES:
        raise AccountError(f"The security mode {security!r} is not one of ssl, starttls or none.")
    with unit_of_work(session_factory) as session:
        options = session.get(MailServerOption, profile_id)
        allowed = bool(options and options.allow_plaintext)
        if security == "none" and not is_loopback(host) and not allowed:
            raise AccountError(
                f"Sending to {host} without encryption would show the password and every message "
                "to anyone on the network; choose ssl or starttls, or allow plaintext first."
            )
        server = session.get(SmtpServer, profile_id)
        if server is None:
            server = SmtpServer(profile_id=profile_id, own_password=False)
            session.add(server)
        server.host = host
        server.port = port or SMTP_PORTS[security]
        server.security = security
        server.user = user or None
        server.ca_file = ca_file
        server.server_saves_sent = server_saves_sent
        add_event(
            session,
            user_id=actor.user_id,
            profile_id=actor.active_profile_id,
            action="set sending server",
            target=f"profile {profile_id} ({host}:{server.port}, {security})",
        )
    return smtp_settings(session_factory, profile_id)


@gated(Action.MANAGE_OWN_SERVER_PASSWORDS, profile="profile_id")
def set_smtp_password(
    session_factory: SessionFactory,
    authorizer: Authorizer,
    secrets: SecretStore,
    actor: SignedInUser,
    profile_id: int,
    *,
    password: str | None,
) -> None:
    """Give the sending server a password of its own, or (None) share the IMAP one again."""
    with unit_of_work(session_factory) as session:
        server = session.get(SmtpServer, profile_id)
        if server is None:
            raise SmtpNotConfiguredError("Set the sending server before its password.")
        if password is None:
            secrets.delete_smtp_password(profile_id)
        else:
            secrets.set_smtp_password(profile_id, password)
        server.own_password = password is not None


@gated(Action.MANAGE_OWN_PROFILES, profile="profile_id")
def sending_server(
    session_factory: SessionFactory,
    authorizer: Authorizer,
    actor: SignedInUser,
    profile_id: int,
) -> SmtpSettings | None:
    """The profile's sending server as its form shows it; None when it has none yet."""
    try:
        return smtp_settings(session_factory, profile_id)
    except SmtpNotConfiguredError:
        return None


@internal("read by the sender on the profile's queue, after its gated request")
def smtp_settings(session_factory: SessionFactory, profile_id: int) -> SmtpSettings:
    with unit_of_work(session_factory) as session:
        profile = session.get(Profile, profile_id)
        server = session.get(SmtpServer, profile_id)
        if profile is None or server is None:
            raise SmtpNotConfiguredError("This profile has no sending server set.")
        options = session.get(MailServerOption, profile_id)
        return SmtpSettings(
            host=server.host,
            port=server.port,
            security=server.security,
            user=server.user or profile.imap_user or profile.email,
            envelope_sender=profile.email,
            ca_file=server.ca_file if server.ca_file is not None else profile.ca_file,
            allow_plaintext=bool(options and options.allow_plaintext),
            own_password=server.own_password,
            server_saves_sent=server.server_saves_sent,
            auth=profile.auth_method or "password",
        )
