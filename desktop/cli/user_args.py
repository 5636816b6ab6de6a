"""Arguments of ``switchboard user create|sign-out``; run by ``desktop.cli.user_command``."""

from __future__ import annotations

from typing import Any

from desktop.cli.arguments import PASSWORD_ENV, add_database_argument, add_sign_in_arguments

RUN = "desktop.cli.user_command"


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
    create.set_defaults(handler=f"{RUN}:run_create")

    sign_out = commands.add_parser(
        "sign-out",
        help="forget the remembered sign-in of a user on this machine",
        description="Forget the token that --remember kept in the keyring, so the next command "
        "asks for the password again.",
    )
    add_sign_in_arguments(sign_out)
    sign_out.set_defaults(handler=f"{RUN}:run_sign_out")
