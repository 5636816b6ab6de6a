"""``switchboard audit``: a user's own activity, or with an admin profile and --all, everyone's."""

from __future__ import annotations

import argparse
import json
from typing import Any

from desktop.cli import egress_report
from desktop.cli.signin import add_sign_in_arguments, opened_services, sign_in_from_args


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "audit",
        help="show the audit log",
        description="Show the signed-in user's own activity, newest first. With --all (while "
        "acting as an admin profile) show every user's.",
    )
    add_sign_in_arguments(parser)
    parser.add_argument("--all", action="store_true", help="every user's events (admins only)")
    parser.add_argument("--limit", type=_positive, default=None, help="show at most N events")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument(
        "--egress",
        action="store_true",
        help="list the connections made to mail servers instead (host, TLS, bytes, commands)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.egress:
        return egress_report.run(args)
    with opened_services(args) as services:
        actor = sign_in_from_args(services, args)
        events = services.audit.list_events(actor, everyone=args.all, limit=args.limit)
    if args.json:
        rows = [
            {
                "at": event.at.isoformat(),
                "login": event.login,
                "profile_id": event.profile_id,
                "action": event.action,
                "target": event.target,
                "outcome": event.outcome,
            }
            for event in events
        ]
        print(json.dumps(rows, indent=2))
        return 0
    for event in events:
        print(
            f"{event.at:%Y-%m-%d %H:%M:%S}  {event.outcome:<6}  {event.login or '-':<12}  "
            f"{event.action}  {event.target}"
        )
    return 0


def _positive(text: str) -> int:
    if not text.isdecimal() or int(text) == 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive whole number")
    return int(text)
