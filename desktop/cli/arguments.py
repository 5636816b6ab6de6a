"""Arguments shared by the commands' parsers, kept free of the store so that building the
parser (for ``--help``, or for ``switchboard id``, which needs no store) stays instant."""

from __future__ import annotations

import argparse

PASSWORD_ENV = "SWITCHBOARD_PASSWORD"
#: ``desktop.store.engine.DATABASE_URL_ENV``, named here for the help text without importing
#: SQLAlchemy (a test keeps the two equal).
DATABASE_URL_ENV = "SWITCHBOARD_DATABASE_URL"


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


def positive(text: str) -> int:
    if not text.isdecimal() or int(text) == 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive whole number")
    return int(text)
