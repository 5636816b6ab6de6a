"""Arguments of ``switchboard audit``; run by ``desktop.cli.audit_command``."""

from __future__ import annotations

from typing import Any

from desktop.cli.arguments import add_sign_in_arguments, positive


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "audit",
        help="show the audit log",
        description="Show the signed-in user's own activity, newest first. With --all (while "
        "acting as an admin profile) show every user's.",
    )
    add_sign_in_arguments(parser)
    parser.add_argument("--all", action="store_true", help="every user's events (admins only)")
    parser.add_argument("--limit", type=positive, default=None, help="show at most N events")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument(
        "--egress",
        action="store_true",
        help="list the connections made to mail servers instead (host, TLS, bytes, commands)",
    )
    parser.set_defaults(handler="desktop.cli.audit_command:run")
