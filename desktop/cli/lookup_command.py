"""``switchboard lookup``: which user and profile own a support ID (admin profiles only)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from desktop.cli.signin import add_sign_in_arguments, opened_services, sign_in_from_args
from desktop.cli.support_ids import parse_support_id, support_id_sentence


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
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    support_id = parse_support_id(args.support_id)
    with opened_services(args) as services:
        actor = sign_in_from_args(services, args)
        owner = services.accounts.look_up_support_id(actor, support_id)
    if args.json:
        print(
            json.dumps(
                {
                    "support_id": owner.support_id,
                    "support_sentence": support_id_sentence(owner.support_id),
                    "login": owner.login,
                    "display_name": owner.display_name,
                    "email": owner.email,
                    "organization": owner.organization,
                    "role": owner.role.value,
                },
                indent=2,
            )
        )
        return 0
    print(
        f"support ID {owner.support_id}: {owner.display_name} ({owner.login}), "
        f"profile {owner.email} at {owner.organization} ({owner.role.value})"
    )
    return 0
