"""``switchboard profile create|list|delete``: the accounts a user holds."""

from __future__ import annotations

import argparse
import json

from desktop.cli.signin import opened_services, sign_in_from_args
from desktop.cli.support_ids import parse_support_id, support_id_sentence
from desktop.core.roles import Role
from desktop.services.accounts import ProfileDraft, ProfileInfo


def run_create(args: argparse.Namespace) -> int:
    draft = ProfileDraft(
        organization=args.org,
        email=args.email,
        title=args.title,
        phone=args.phone,
        colour=args.colour,
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
        ended = accounts.delete_profile(
            actor, accounts.profile_id_for_support_id(actor, support_id)
        )
    print(f"deleted the profile with support ID {support_id}")
    if ended is not None:
        print(ended)
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
