"""``switchboard lookup``: which user and profile own a support ID (admin profiles only)."""

from __future__ import annotations

import argparse
import json

from desktop.cli.signin import opened_services, sign_in_from_args
from desktop.cli.support_ids import parse_support_id, support_id_sentence


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
