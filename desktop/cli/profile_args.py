"""Arguments of ``switchboard profile create|list|delete|set-role|set-server|discover|authorize|
sign-out``;
run by ``desktop.cli.profile_command``, ``desktop.cli.server_command`` and
``desktop.cli.authorize_command``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from desktop.cli.arguments import add_database_argument, add_sign_in_arguments
from desktop.cli.discover_args import register_discover
from desktop.core.roles import Role

RUN = "desktop.cli.profile_command"
#: ``desktop.services.mail.connection.SECURITY_MODES``, named here so that the parser needs no
#: store (a test keeps the two equal).
SECURITY_MODES = ("ssl", "starttls", "none")
#: ``desktop.services.oauth_signin.AUTH_METHODS`` and ``desktop.core.oauth_providers.PRESETS``.
AUTH_METHODS = ("password", "oauth2")
OAUTH_PRESETS = ("microsoft", "google")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("profile", help="manage a user's profiles")
    commands = parser.add_subparsers(title="profile commands", metavar="ACTION", required=True)

    create = commands.add_parser(
        "create",
        help="add a profile to a user",
        description="Add a member profile to --user (the first profile of an empty store is "
        "its administrator). Only an admin changes a role, with set-role.",
    )
    add_sign_in_arguments(create)
    create.add_argument("--org", required=True, help="the organization")
    create.add_argument("--email", required=True, help="the profile's email address")
    create.add_argument("--title", default="", help="job title at the organization")
    create.add_argument("--phone", default="", help="phone number at the organization")
    create.add_argument(
        "--colour",
        "--color",
        metavar="#RRGGBB",
        help="the profile's colour (default: the first of the palette that the user's other "
        "profiles do not have)",
    )
    create.set_defaults(handler=f"{RUN}:run_create")

    listing = commands.add_parser("list", help="list a user's profiles with their support IDs")
    add_sign_in_arguments(listing)
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(handler=f"{RUN}:run_list")

    remove = commands.add_parser(
        "delete",
        help="delete a profile",
        description="Delete the profile with this support ID. Its owner signs in, unless --user "
        "names an admin acting through an admin --profile.",
    )
    remove.add_argument(
        "support_id", metavar="ID", help="the profile's support ID: its number or sentence"
    )
    add_sign_in_arguments(remove, user_required=False)
    remove.set_defaults(handler=f"{RUN}:run_delete")

    set_role = commands.add_parser(
        "set-role",
        help="make a profile an admin or a member (admins only)",
        description="Set the role of the profile with email EMAIL. --user signs in as an admin "
        "and --profile names the admin profile acting; the store's last admin profile keeps "
        "its role.",
    )
    set_role.add_argument("email", metavar="EMAIL", help="the profile whose role changes")
    set_role.add_argument("role", choices=[role.value for role in Role], help="the new role")
    add_sign_in_arguments(set_role, profile_required=True)
    set_role.set_defaults(handler=f"{RUN}:run_set_role")

    _register_set_server(commands)
    register_discover(commands)
    _register_authorize(commands)


def _register_authorize(profile_commands: Any) -> None:
    parser = profile_commands.add_parser(
        "authorize",
        help="sign an OAuth2 profile in to its provider (Microsoft 365, Google, ...)",
        description="Sign --profile in with the OAuth2 provider set-server named. Without "
        "--device the system browser opens the provider's page and Switchboard waits for it "
        "on 127.0.0.1; with --device it prints an address and a code to enter on any device. "
        "The lasting sign-in goes to the OS keyring only. The profile's owner signs in with "
        "$SWITCHBOARD_PASSWORD or a remembered sign-in.",
    )
    parser.add_argument("--profile", metavar="EMAIL", required=True, help="the profile")
    parser.add_argument("--user", metavar="LOGIN", help="its owner (default: looked up)")
    parser.add_argument(
        "--device", action="store_true", help="sign in with a code on another device"
    )
    add_database_argument(parser, suppress=True)
    parser.set_defaults(handler="desktop.cli.authorize_command:run")

    sign_out = profile_commands.add_parser(
        "sign-out",
        help="end an OAuth2 profile's sign-in: revoked at its provider, deleted from the keyring",
        description="Disconnect --profile from its OAuth2 provider: the provider is asked to "
        "end Switchboard's permission (RFC 7009) and the lasting sign-in is deleted from the "
        "OS keyring, even when the provider cannot be reached. The profile keeps its provider "
        "and its mail; 'profile authorize' signs it in again.",
    )
    sign_out.add_argument("--profile", metavar="EMAIL", required=True, help="the profile")
    sign_out.add_argument("--user", metavar="LOGIN", help="its owner (default: looked up)")
    add_database_argument(sign_out, suppress=True)
    sign_out.set_defaults(handler="desktop.cli.authorize_command:run_sign_out")


def _register_set_server(profile_commands: Any) -> None:
    parser = profile_commands.add_parser(
        "set-server",
        help="set a profile's IMAP server and store its password in the keyring",
        description="Set the IMAP server of --profile. The server password is read from "
        "standard input with --password-stdin and kept in the OS keyring only. The profile's "
        "owner signs in with $SWITCHBOARD_PASSWORD or a remembered sign-in.",
    )
    parser.add_argument("--profile", metavar="EMAIL", required=True, help="the profile")
    parser.add_argument("--user", metavar="LOGIN", help="its owner (default: looked up)")
    parser.add_argument("--imap-host", metavar="HOST", required=True, help="IMAP server name")
    parser.add_argument("--imap-port", metavar="PORT", type=_port, help="default 993 or 143")
    parser.add_argument("--security", choices=SECURITY_MODES, default="ssl", help="default ssl")
    parser.add_argument("--imap-user", metavar="NAME", help="login name (default: the email)")
    parser.add_argument("--ca-file", metavar="FILE", type=Path, help="CA certificates to trust")
    parser.add_argument(
        "--password-stdin", action="store_true", help="read the server password from stdin"
    )
    parser.add_argument(
        "--allow-plaintext",
        action="store_true",
        help="DANGEROUS: allow --security none to a host that is not this machine; the "
        "password and all mail cross the network readable by anyone on the way",
    )
    parser.add_argument(
        "--protocol-log",
        action="store_true",
        help="write the IMAP conversation to the app log for debugging (LOGIN redacted)",
    )
    _add_smtp_arguments(parser)
    _add_oauth_arguments(parser)
    add_database_argument(parser, suppress=True)
    parser.set_defaults(handler="desktop.cli.server_command:run")


def _add_oauth_arguments(parser: argparse.ArgumentParser) -> None:
    oauth = parser.add_argument_group(
        "sign-in method",
        "--auth oauth2 signs in to both servers with the provider's token instead of a "
        "password (Microsoft 365 and Google allow nothing else); then run "
        "'switchboard profile authorize'. A client ID comes from --oauth-client-id or, for "
        "every profile, from $SWITCHBOARD_OAUTH_MICROSOFT_CLIENT_ID, "
        "$SWITCHBOARD_OAUTH_GOOGLE_CLIENT_ID or $SWITCHBOARD_OAUTH_CLIENT_ID (an issuer).",
    )
    oauth.add_argument("--auth", choices=AUTH_METHODS, help="password or oauth2 (default: kept)")
    provider = oauth.add_mutually_exclusive_group()
    provider.add_argument("--oauth-preset", choices=OAUTH_PRESETS, help="a known provider")
    provider.add_argument(
        "--oauth-issuer", metavar="URL", help="any OpenID Connect or RFC 8414 issuer (https)"
    )
    oauth.add_argument(
        "--oauth-tenant", metavar="TENANT", help="Microsoft 365 directory (default: common)"
    )
    oauth.add_argument(
        "--oauth-client-id", metavar="ID", help="the app's client ID registered with the provider"
    )


def _add_smtp_arguments(parser: argparse.ArgumentParser) -> None:
    sending = parser.add_argument_group(
        "sending server (SMTP)",
        "The user name defaults to the IMAP one and the password is the IMAP one unless "
        "--smtp-password-stdin gives it its own.",
    )
    sending.add_argument("--smtp-host", metavar="HOST", help="SMTP server name")
    sending.add_argument("--smtp-port", metavar="PORT", type=_port, help="default 465 or 587")
    sending.add_argument(
        "--smtp-security", choices=SECURITY_MODES, default="starttls", help="default starttls"
    )
    sending.add_argument("--smtp-user", metavar="NAME", help="login name (default: the IMAP one)")
    sending.add_argument(
        "--smtp-ca-file", metavar="FILE", type=Path, help="CA certificates (default: --ca-file)"
    )
    sending.add_argument(
        "--smtp-password-stdin",
        action="store_true",
        help="read the sending server's own password from stdin (after the IMAP one)",
    )
    sending.add_argument(
        "--server-saves-sent",
        action="store_true",
        help="the server keeps a copy of sent mail itself: do not add one to the Sent folder",
    )


def _port(text: str) -> int:
    if not text.isdecimal() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (1-65535)")
    return int(text)
