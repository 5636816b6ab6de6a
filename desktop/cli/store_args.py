"""Arguments of ``switchboard store encrypt``; run by ``desktop.cli.store_command``."""

from __future__ import annotations

from typing import Any

from desktop.cli.arguments import PASSWORD_ENV, add_database_argument

RUN = "desktop.cli.store_command"


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("store", help="the store on this computer")
    commands = parser.add_subparsers(title="store commands", metavar="ACTION", required=True)
    encrypt = commands.add_parser(
        "encrypt",
        help="encrypt a plain store left by an older Switchboard",
        description="Encrypt the plain store in place with SQLCipher, keyed by your password. "
        "The encrypted copy is checked (every table's rows, integrity, full-text search) "
        "before it replaces the plain file, whose migration copies are then removed; "
        "interrupted, the store is left plain or encrypted, never half of each. Close the "
        "window and other commands first. Only a store with one user can be encrypted: "
        f"nobody else's password is known. The password comes from ${PASSWORD_ENV} or "
        "--password-stdin.",
    )
    encrypt.add_argument("--user", metavar="LOGIN", required=True, help="the store's user")
    encrypt.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    add_database_argument(encrypt, suppress=True)
    encrypt.set_defaults(handler=f"{RUN}:run_encrypt")
