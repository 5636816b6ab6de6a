"""``switchboard store encrypt``: the same encryption the window offers at sign-in."""

from __future__ import annotations

import argparse
import sys

from desktop.cli.arguments import PASSWORD_ENV
from desktop.cli.errors import CliError
from desktop.cli.signin import converted_errors, read_password
from desktop.services.store_opening import StoreDoor
from desktop.services.store_upgrade import StoreEncryption
from desktop.store.migrate import StoreUpgradeError


def run_encrypt(args: argparse.Namespace) -> int:
    password = read_password(args)
    if password is None:
        raise CliError(f"give {args.user}'s password with ${PASSWORD_ENV} or --password-stdin")
    try:
        with converted_errors():
            encryption = StoreEncryption(StoreDoor(args.database_url))
            encryption.encrypt(args.user, password).close()
    except StoreUpgradeError as error:
        raise CliError(str(error)) from error
    print(
        f"switchboard: the store {encryption.door.file} is encrypted; only {args.user}'s "
        "password opens it now",
        file=sys.stderr,
    )
    return 0
