"""Arguments of ``switchboard lookup``; run by ``desktop.cli.lookup_command``."""

from __future__ import annotations

from typing import Any

from desktop.cli.arguments import add_sign_in_arguments


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "lookup",
        help="find the user and profile behind a support ID",
        description="Find who owns a support ID. Allowed only while acting as an admin profile.",
    )
    parser.add_argument(
        "support_id",
        metavar="SENTENCE|INT",
        help="the support ID someone read out: its sentence (quoted) or its number",
    )
    add_sign_in_arguments(parser, profile_required=True)
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(handler="desktop.cli.lookup_command:run")
