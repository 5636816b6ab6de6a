"""``switchboard user create``: add a person who will sign in once for all their profiles."""

from __future__ import annotations

import argparse
from typing import Any

from desktop.cli.errors import CliError
from desktop.cli.signin import (
    PASSWORD_ENV,
    add_database_argument,
    add_sign_in_arguments,
    opened_services,
    read_password,
    sign_in_from_args,
)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("user", help="manage users (the people who sign in)")
    commands = parser.add_subparsers(title="user commands", metavar="ACTION", required=True)
    create = commands.add_parser(
        "create",
        help="add a user",
        description="Add a user. The password is read from standard input with "
        f"--password-stdin, or from ${PASSWORD_ENV}.",
    )
    create.add_argument("login", metavar="LOGIN")
    create.add_argument("--name", required=True, help="the person's display name")
    create.add_argument(
        "--password-stdin", action="store_true", help="read the new password from standard input"
    )
    add_database_argument(create, suppress=True)
    create.set_defaults(handler=run_create)

    sign_out = commands.add_parser(
        "sign-out",
        help="forget the remembered sign-in of a user on this machine",
        description="Forget the token that --remember kept in the keyring, so the next command "
        "asks for the password again.",
    )
    add_sign_in_arguments(sign_out)
    sign_out.set_defaults(handler=run_sign_out)


def run_create(args: argparse.Namespace) -> int:
    password = read_password(args)
    if password is None:
        raise CliError(f"give the new password with --password-stdin or ${PASSWORD_ENV}")
    with opened_services(args) as services:
        user = services.accounts.create_user(args.login, args.name, password)
    print(f"created user {user.login} ({user.display_name})")
    return 0


def run_sign_out(args: argparse.Namespace) -> int:
    with opened_services(args) as services:
        actor = sign_in_from_args(services, args)
        services.accounts.sign_out(actor)
    print(f"signed out {actor.login}; the next command will ask for the password")
    return 0
