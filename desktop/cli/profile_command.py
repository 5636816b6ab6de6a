"""``switchboard profile create|list|delete|set-server``: the accounts a user holds."""

from __future__ import annotations

import argparse
import json
from typing import Any

from desktop.cli import server_command
from desktop.cli.signin import add_sign_in_arguments, opened_services, sign_in_from_args
from desktop.cli.support_ids import parse_support_id, support_id_sentence
from desktop.core.roles import Role
from desktop.services.accounts import ProfileDraft, ProfileInfo


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("profile", help="manage a user's profiles")
    commands = parser.add_subparsers(title="profile commands", metavar="ACTION", required=True)

    create = commands.add_parser("create", help="add a profile to a user")
    add_sign_in_arguments(create)
    create.add_argument("--org", required=True, help="the organization")
    create.add_argument("--email", required=True, help="the profile's email address")
    create.add_argument("--role", choices=[role.value for role in Role], default=Role.MEMBER.value)
    create.add_argument("--title", default="", help="job title at the organization")
    create.add_argument("--phone", default="", help="phone number at the organization")
    create.set_defaults(handler=run_create)

    listing = commands.add_parser("list", help="list a user's profiles with their support IDs")
    add_sign_in_arguments(listing)
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(handler=run_list)

    remove = commands.add_parser(
        "delete",
        help="delete a profile",
        description="Delete the profile with this support ID. Its owner signs in, unless --user "
        "names an admin acting through an admin --profile.",
    )
    remove.add_argument(
        "support_id", metavar="ID", help="the profile's support ID: its number or sentence"
    )
    add_sign_in_arguments(remove, user_required=False)
    remove.set_defaults(handler=run_delete)

    server_command.register(commands)


def run_create(args: argparse.Namespace) -> int:
    draft = ProfileDraft(
        organization=args.org,
        email=args.email,
        role=Role(args.role),
        title=args.title,
        phone=args.phone,
    )
    with opened_services(args) as services:
        actor = sign_in_from_args(services, args)
        profile = services.accounts.create_profile(actor, draft)
    print(
        f"created profile {profile.email}: support ID {profile.support_id} "
        f"({support_id_sentence(profile.support_id)})"
    )
    return 0


def run_list(args: argparse.Namespace) -> int:
    with opened_services(args) as services:
        actor = sign_in_from_args(services, args)
        profiles = services.accounts.list_profiles(actor)
    if args.json:
        print(json.dumps([_as_json(profile) for profile in profiles], indent=2))
        return 0
    if not profiles:
        print(f"{args.user} has no profiles yet")
    for profile in profiles:
        print(
            f"{profile.support_id:>10}  {support_id_sentence(profile.support_id)}\n"
            f"            {profile.role.value:<6}  {profile.email}  {profile.organization}"
            + (f"  ({profile.title})" if profile.title else "")
        )
    return 0


def run_delete(args: argparse.Namespace) -> int:
    support_id = parse_support_id(args.support_id)
    with opened_services(args) as services:
        accounts = services.accounts
        profile_id = accounts.profile_id_for_support_id(support_id)
        actor = sign_in_from_args(
            services, args, args.user or accounts.login_owning_support_id(support_id)
        )
        accounts.delete_profile(actor, profile_id)
    print(f"deleted the profile with support ID {support_id}")
    return 0


def _as_json(profile: ProfileInfo) -> dict[str, object]:
    return {
        "support_id": profile.support_id,
        "support_sentence": support_id_sentence(profile.support_id),
        "organization": profile.organization,
        "role": profile.role.value,
        "title": profile.title,
        "email": profile.email,
        "phone": profile.phone,
        "colour": profile.colour,
    }
