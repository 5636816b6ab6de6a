"""What every command acting for a user shares: the store to open and how the user signs in.

The password comes from ``SWITCHBOARD_PASSWORD``, from standard input with ``--password-stdin``,
or else from the token an earlier ``--remember`` left in the keyring. It is never accepted as an
argument, where other local users could read it in the process list.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from desktop.cli.errors import CliError
from desktop.services.authorization import SignedInUser
from desktop.services.container import Services, build_services
from desktop.services.errors import AccountError
from desktop.services.secrets import SecretStoreError
from desktop.store.engine import DATABASE_URL_ENV
from desktop.store.migrate import StoreUpgradeError

PASSWORD_ENV = "SWITCHBOARD_PASSWORD"


def add_database_argument(parser: argparse.ArgumentParser, *, suppress: bool = False) -> None:
    """``--database-url``, accepted before the command and after it (``suppress`` for after)."""
    parser.add_argument(
        "--database-url",
        metavar="URL",
        default=argparse.SUPPRESS if suppress else None,
        help=f"the store to use (default: ${DATABASE_URL_ENV} or the SQLite file in the app home)",
    )


def add_sign_in_arguments(
    parser: argparse.ArgumentParser, *, user_required: bool = True, profile_required: bool = False
) -> None:
    parser.add_argument(
        "--user", metavar="LOGIN", required=user_required, help="the user to act as"
    )
    parser.add_argument(
        "--profile",
        metavar="EMAIL",
        required=profile_required,
        help="the profile to act as (default: the user's first profile)",
    )
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help=f"read the password from standard input (else ${PASSWORD_ENV}, else a remembered "
        "sign-in)",
    )
    parser.add_argument(
        "--remember",
        action="store_true",
        help="keep a token in the OS keyring so that later commands need no password",
    )
    add_database_argument(parser, suppress=True)


def read_password(args: argparse.Namespace) -> str | None:
    if args.password_stdin:
        line = sys.stdin.readline()
        password = line[:-1] if line.endswith("\n") else line
        if not password:
            raise CliError("no password on standard input")
        return password
    return os.environ.get(PASSWORD_ENV) or None


@contextmanager
def opened_services(args: argparse.Namespace) -> Iterator[Services]:
    """The services over the chosen store; service errors become one clear line, exit 2."""
    try:
        with converted_errors(), build_services(getattr(args, "database_url", None)) as services:
            yield services
    except StoreUpgradeError as error:
        raise CliError(str(error)) from error


@contextmanager
def converted_errors() -> Iterator[None]:
    try:
        yield
    except (AccountError, SecretStoreError) as error:
        raise CliError(str(error)) from error


def sign_in_from_args(
    services: Services, args: argparse.Namespace, login: str | None = None
) -> SignedInUser:
    """Sign in as ``login`` (default ``--user``) and activate ``--profile`` if given."""
    login = login or args.user
    if login is None:
        raise CliError("say which user acts with --user LOGIN")
    if args.remember and not services.secrets.is_persistent:
        raise CliError("cannot remember the sign-in: there is no usable keyring on this system")
    password = read_password(args)
    accounts = services.accounts
    if password is not None:
        actor = accounts.sign_in(login, password, remember=args.remember)
    else:
        remembered = accounts.sign_in_remembered(login)
        if remembered is None:
            raise CliError(
                f"{login} must sign in: set ${PASSWORD_ENV} or pass --password-stdin "
                "(add --remember to skip this next time)"
            )
        actor = remembered
    if args.profile:
        email = args.profile.strip().lower()
        match = next((p for p in accounts.list_profiles(actor) if p.email == email), None)
        if match is None:
            raise CliError(f"{login} has no profile with email {args.profile}")
        actor = accounts.switch_profile(actor, match.id)
    return actor
