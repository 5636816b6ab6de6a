"""``switchboard user create``: add a person who will sign in once for all their profiles."""

from __future__ import annotations

import argparse

from desktop.cli.arguments import PASSWORD_ENV
from desktop.cli.errors import CliError
from desktop.cli.signin import opened_services, read_password, sign_in_from_args


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
