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

    create = commands.add_parser(
        "create",
        help="add a profile to a user",
        description="Add a member profile to --user (the first profile of an empty store is "
        "its administrator). Only an admin changes a role, with set-role.",
    )
    add_sign_in_arguments(create)
    create.add_argument("--org", required=True, help="the organization")
    create.add_argument("--email", required=True, help="the profile's email address")
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

    set_role = commands.add_parser(
        "set-role",
        help="make a profile an admin or a member (admins only)",
        description="Set the role of the profile with email EMAIL. --user signs in as an admin "
        "and --profile names the admin profile acting; the store's last admin profile keeps "
        "its role.",
    )
    set_role.add_argument("email", metavar="EMAIL", help="the profile whose role changes")
    set_role.add_argument("role", choices=[role.value for role in Role], help="the new role")
    add_sign_in_arguments(set_role, profile_required=True)
    set_role.set_defaults(handler=run_set_role)

    server_command.register(commands)


def run_create(args: argparse.Namespace) -> int:
    draft = ProfileDraft(
        organization=args.org, email=args.email, title=args.title, phone=args.phone
    )
    with opened_services(args) as services:
        actor = sign_in_from_args(services, args)
        profile = services.accounts.create_profile(actor, draft)
    print(
        f"created profile {profile.email}: support ID {profile.support_id} "
        f"({support_id_sentence(profile.support_id)})"
    )
    if profile.role is Role.ADMIN:
        print(f"{profile.email} is the first profile, so it is the administrator of this store")
    return 0


def run_set_role(args: argparse.Namespace) -> int:
    role = Role(args.role)
    with opened_services(args) as services:
        actor = sign_in_from_args(services, args)
        accounts = services.accounts
        profile = accounts.set_role(actor, accounts.profile_id_for_email(actor, args.email), role)
    print(f"{profile.email} is now {'an admin' if role is Role.ADMIN else 'a member'}")
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
    from desktop.cli.errors import CliError

    support_id = parse_support_id(args.support_id)
    with opened_services(args) as services:
        accounts = services.accounts
        login = args.user or accounts.login_owning_support_id(support_id)
        if login is None:
            raise CliError(f"no profile has support ID {support_id}")
        actor = sign_in_from_args(services, args, login)
        accounts.delete_profile(actor, accounts.profile_id_for_support_id(actor, support_id))
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
