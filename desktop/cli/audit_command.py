"""``switchboard audit``: a user's own activity, or with an admin profile and --all, everyone's."""

from __future__ import annotations

import argparse
import json

from desktop.cli import egress_report
from desktop.cli.signin import opened_services, sign_in_from_args


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
