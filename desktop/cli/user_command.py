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
        description="Add a user. The first user of an empty store is created freely and its "
        "first profile becomes the store's administrator; after that only an admin creates "
        "users: name yourself with --user and your admin profile with --profile (you sign in "
        f"with ${PASSWORD_ENV} or a remembered sign-in) and give the new password with "
        f"--password-stdin. For the first user the password may also come from ${PASSWORD_ENV}.",
    )
    create.add_argument("login", metavar="LOGIN")
    create.add_argument("--name", required=True, help="the person's display name")
    create.add_argument(
        "--password-stdin", action="store_true", help="read the new password from standard input"
    )
    create.add_argument(
        "--user", metavar="LOGIN", help="the admin creating the user (not for the first user)"
    )
    create.add_argument(
        "--profile", metavar="EMAIL", help="the admin profile to act through (default: the first)"
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
    from desktop.services.errors import PermissionDeniedError

    if args.user is not None and not args.password_stdin:
        raise CliError(
            f"give the new user's password with --password-stdin (${PASSWORD_ENV} holds the "
            f"password of {args.user}, who creates the user)"
        )
    password = read_password(args)
    if password is None:
        raise CliError(f"give the new password with --password-stdin or ${PASSWORD_ENV}")
    with opened_services(args) as services:
        accounts = services.accounts
        if args.user is None:
            try:
                user = accounts.create_first_user(args.login, args.name, password)
            except PermissionDeniedError as error:
                raise CliError(
                    f"{error}: sign in as an admin with --user LOGIN --profile ADMIN_EMAIL and "
                    "give the new password with --password-stdin"
                ) from error
        else:
            acting = argparse.Namespace(
                user=args.user, profile=args.profile, password_stdin=False, remember=False
            )
            actor = sign_in_from_args(services, acting)
            user = accounts.create_user(actor, args.login, args.name, password)
    print(f"created user {user.login} ({user.display_name})")
    if args.user is None:
        print(
            f"{user.login} is the first user of this store: their first profile will be its "
            "administrator"
        )
    return 0


def run_sign_out(args: argparse.Namespace) -> int:
    with opened_services(args) as services:
        actor = sign_in_from_args(services, args)
        services.accounts.sign_out(actor)
    print(f"signed out {actor.login}; the next command will ask for the password")
    return 0
