"""``switchboard user create``: add a person who will sign in once for all their profiles."""

from __future__ import annotations

import argparse

from desktop.cli.arguments import PASSWORD_ENV
from desktop.cli.errors import CliError
from desktop.cli.signin import opened_services, read_password, sign_in_from_args


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
    acting = argparse.Namespace(
        user=args.user,
        profile=args.profile,
        password_stdin=False,
        remember=False,
        database_url=getattr(args, "database_url", None),
    )
    first_user = (args.login, args.name, password) if args.user is None else None
    with opened_services(args, acting=acting, first_user=first_user) as services:
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
