"""``switchboard user create``: add a person who will sign in once for all their profiles."""

from __future__ import annotations

import argparse
from typing import Any

from desktop.cli.errors import CliError
from desktop.cli.signin import PASSWORD_ENV, add_database_argument, opened_services, read_password


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


def run_create(args: argparse.Namespace) -> int:
    password = read_password(args)
    if password is None:
        raise CliError(f"give the new password with --password-stdin or ${PASSWORD_ENV}")
    with opened_services(args) as services:
        user = services.accounts.create_user(args.login, args.name, password)
    print(f"created user {user.login} ({user.display_name})")
    return 0
