"""``switchboard profile set-server``: a profile's IMAP (and SMTP) server, passwords to the keyring.

The server password arrives on standard input (``--password-stdin``), never as an argument, so
the user's own sign-in comes from ``$SWITCHBOARD_PASSWORD`` or a remembered sign-in here.
"""

from __future__ import annotations

import argparse
import ssl
import sys
from dataclasses import replace
from pathlib import Path

from desktop.cli.authorize_options import apply_choice, oauth_choice
from desktop.cli.errors import CliError
from desktop.cli.signin import opened_services, sign_in_from_args
from desktop.services.mail.connection import DEFAULT_PORTS, is_loopback, tls_context
from desktop.services.mail.settings import profile_owner, set_server_options
from desktop.services.mail.smtp_settings import set_smtp_password, set_smtp_server
from desktop.services.secrets import NO_KEYRING_ADVICE


def run(args: argparse.Namespace) -> int:
    host = args.imap_host.strip()
    if not host:
        raise CliError("--imap-host must not be empty")
    plain_remote = args.security == "none" and not is_loopback(host)
    if plain_remote and not args.allow_plaintext:
        raise CliError(
            f"--security none would send the password and mail to {host} unencrypted; use ssl "
            "or starttls, or add --allow-plaintext if you really accept that"
        )
    ca_file = _ca_file(args.ca_file)
    smtp_ca_file = _ca_file(args.smtp_ca_file) if args.smtp_ca_file else ca_file
    smtp_host = (args.smtp_host or "").strip()
    if args.smtp_host is not None and not smtp_host:
        raise CliError("--smtp-host must not be empty")
    if smtp_host and args.smtp_security == "none" and not is_loopback(smtp_host):
        if not args.allow_plaintext:
            raise CliError(
                f"--smtp-security none would send the password and mail to {smtp_host} "
                "unencrypted; use ssl or starttls, or add --allow-plaintext if you really "
                "accept that"
            )
        plain_remote = True
    plain_hosts = [h for h, mode in ((host, args.security), (smtp_host, args.smtp_security))
                   if h and mode == "none" and not is_loopback(h)]  # fmt: skip
    if args.smtp_password_stdin and not smtp_host:
        raise CliError("--smtp-password-stdin needs --smtp-host")
    provider = oauth_choice(args)
    password = _read_password() if args.password_stdin else None
    smtp_password = _read_password() if args.smtp_password_stdin else None
    # Standard input held the server's password: the store opens with $SWITCHBOARD_PASSWORD.
    opener = argparse.Namespace(user=args.user, password_stdin=False)
    with opened_services(args, acting=opener) as services:
        secret_given = password is not None or smtp_password is not None
        if secret_given and not services.secrets.is_persistent:
            raise CliError(
                "cannot store the server password: there is no usable keyring on this system, "
                "and a password kept in memory would be gone when this command ends; "
                f"{NO_KEYRING_ADVICE} (or type the password in the Switchboard window, where "
                "it lasts until the app closes). Nothing was changed.",
                exit_code=1,
            )
        owner = profile_owner(services.session_factory, args.profile)
        if owner is None:
            raise CliError(f"there is no profile with email {args.profile}")
        sign_in = argparse.Namespace(
            user=args.user or owner.login,
            profile=owner.email,
            password_stdin=False,
            remember=False,
        )
        actor = sign_in_from_args(services, sign_in)
        accounts = services.accounts
        info = next(p for p in accounts.list_profiles(actor) if p.email == owner.email)
        accounts.update_profile(
            actor,
            info.id,
            replace(
                info.as_draft(),
                imap_host=host,
                imap_port=args.imap_port or DEFAULT_PORTS[args.security],
                imap_security=args.security,
                imap_user=args.imap_user or None,
                ca_file=ca_file,
            ),
        )
        if password is not None:
            accounts.set_server_password(actor, info.id, password)
        set_server_options(
            services.session_factory,
            services.authorizer,
            actor,
            info.id,
            allow_plaintext=plain_remote,
            protocol_log=args.protocol_log,
        )
        if smtp_host:
            set_smtp_server(
                services.session_factory,
                services.authorizer,
                actor,
                info.id,
                host=smtp_host,
                port=args.smtp_port,
                security=args.smtp_security,
                user=args.smtp_user,
                ca_file=smtp_ca_file,
                server_saves_sent=args.server_saves_sent,
            )
            if smtp_password is not None:
                set_smtp_password(
                    services.session_factory,
                    services.authorizer,
                    services.secrets,
                    actor,
                    info.id,
                    password=smtp_password,
                )
        stored_password = accounts.server_password(actor, info.id) is not None
        oauth = apply_choice(services, actor, info.id, args, provider)
    if plain_remote:
        print(
            f"WARNING: {owner.email} will talk to {' and '.join(plain_hosts)} WITHOUT "
            "ENCRYPTION: the password and every message can be read on the network.",
            file=sys.stderr,
        )
    print(f"mail server of {owner.email} set to {host} ({args.security})")
    if smtp_host:
        print(f"sending server of {owner.email} set to {smtp_host} ({args.smtp_security})")
    _sign_in_note(owner.email, oauth, stored_password)
    return 0


def _sign_in_note(email: str, oauth: str | None, stored_password: bool) -> None:
    if oauth is not None:
        print(f"{email} {oauth}")
    elif not stored_password:
        print("no server password is stored yet: rerun with --password-stdin", file=sys.stderr)


def _read_password() -> str:
    line = sys.stdin.readline()
    password = line[:-1] if line.endswith("\n") else line
    if not password:
        raise CliError("no server password on standard input")
    return password


def _ca_file(path: Path | None) -> str | None:
    if path is None:
        return None
    resolved = path.expanduser().resolve()
    if not resolved.is_file():
        raise CliError(f"the CA file {path} does not exist")
    try:
        tls_context(str(resolved))
    except OSError as error:
        raise CliError(f"cannot read the CA file {path}: {error.strerror}") from error
    except ssl.SSLError as error:
        raise CliError(f"{path} holds no PEM certificate: {error.reason}") from error
    return str(resolved)
