"""What every command acting for a user shares when it runs: the store to open and how the user
signs in (the arguments for both are in ``desktop.cli.arguments``, which the parser imports).

The password comes from ``SWITCHBOARD_PASSWORD``, from standard input with ``--password-stdin``,
or else from the token an earlier ``--remember`` left in the keyring. It is never accepted as an
argument, where other local users could read it in the process list.

An encrypted store opens only with the acting user's password or remembered sign-in, so the
command's user is known before the store is opened; a new store is created encrypted only by
the command that makes its first user.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from desktop.cli.arguments import PASSWORD_ENV
from desktop.cli.errors import CliError
from desktop.services.authorization import SignedInUser
from desktop.services.container import Services, build_services
from desktop.services.errors import AccountError
from desktop.services.secrets import SecretStoreError
from desktop.services.store_opening import StoreDoor, StoreKind
from desktop.store.migrate import StoreUpgradeError

PASSWORD_READ = "_switchboard_password_read"
"""Where a namespace keeps the password once read: standard input can be read only once."""


def read_password(args: argparse.Namespace) -> str | None:
    if PASSWORD_READ in vars(args):
        read: str | None = getattr(args, PASSWORD_READ)
        return read
    password = _read_password(args)
    setattr(args, PASSWORD_READ, password)
    return password


def _read_password(args: argparse.Namespace) -> str | None:
    if args.password_stdin:
        line = sys.stdin.readline()
        password = line[:-1] if line.endswith("\n") else line
        if not password:
            raise CliError("no password on standard input")
        return password
    return os.environ.get(PASSWORD_ENV) or None


@contextmanager
def opened_services(
    args: argparse.Namespace,
    *,
    acting: argparse.Namespace | None = None,
    first_user: tuple[str, str, str] | None = None,
) -> Iterator[Services]:
    """The services over the chosen store; service errors become one clear line, exit 2.

    ``acting`` says who acts when it is not ``args`` itself (``user create``, whose standard
    input holds the new user's password); ``first_user`` (login, name, password) creates a new
    store, encrypted and keyed by that password.
    """
    try:
        with converted_errors(), _open(args, acting or args, first_user) as services:
            yield services
    except StoreUpgradeError as error:
        raise CliError(str(error)) from error


def _open(
    args: argparse.Namespace,
    acting: argparse.Namespace,
    first_user: tuple[str, str, str] | None,
) -> Services:
    door = StoreDoor(getattr(args, "database_url", None))
    kind = door.kind
    if kind is StoreKind.NEW:
        if first_user is None:
            raise CliError(
                f"there is no store at {door.file} yet: create its first user with "
                "switchboard user create LOGIN --name NAME"
            )
        return door.create(*first_user)
    if kind is not StoreKind.ENCRYPTED:
        return build_services(door.database_url)
    login = acting.user or _only_login(door)
    password = read_password(acting)
    if password is not None:
        return door.open_with_password(login, password)
    remembered = door.open_remembered(login)
    if remembered is None:
        raise CliError(
            f"the store is encrypted and {login} must sign in to open it: set "
            f"${PASSWORD_ENV} or pass --password-stdin (add --remember to skip this next time)"
        )
    return remembered


def _only_login(door: StoreDoor) -> str:
    logins = [login for login, _name in door.logins()]
    if len(logins) != 1:
        raise CliError("the store is encrypted: say which user opens it with --user LOGIN")
    return logins[0]


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


def sign_in_user_or_owner(services: Services, args: argparse.Namespace) -> SignedInUser:
    """Sign in as --user, or as the owner of --profile when no user is named."""
    from desktop.services.mail.settings import profile_owner

    login = args.user
    if login is None:
        if not args.profile:
            raise CliError("say who acts with --user LOGIN or --profile EMAIL")
        owner = profile_owner(services.session_factory, args.profile)
        if owner is None:
            raise CliError(f"there is no profile with email {args.profile}")
        login = owner.login
    return sign_in_from_args(services, args, login)
