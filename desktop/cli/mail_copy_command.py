"""``switchboard mail copy ID... --to-profile EMAIL [--to FOLDER] [--yes]``: the window's copy
into another profile's folder, from a shell.

Copying moves mail from one organization's account into another's, so the command names both
organizations and both addresses and waits for a yes on a terminal; without one (a script, a
pipe) it copies nothing unless ``--yes`` says so. IDs that are unknown or another user's are
named one by one and the rest are copied; then the command waits for the target profile's queue
to tell its server, as ``mail move`` does.
"""

from __future__ import annotations

import argparse
import sys

from desktop.cli.errors import CliError
from desktop.cli.mail_action_command import SERVER_WAITS, SOME_REFUSED, accepted_ids
from desktop.cli.signin import opened_services, sign_in_user_or_owner
from desktop.services.authorization import SignedInUser
from desktop.services.container import Services
from desktop.services.errors import AccountError
from desktop.services.mail.action_audit import count_words

YES = frozenset({"y", "yes"})


def run_copy(args: argparse.Namespace) -> int:
    from desktop.services.mail.imap_sync import SyncError

    with opened_services(args) as services:
        actor = sign_in_user_or_owner(services, args)
        target = _target_profile(services, actor, args.to_profile)
        ids, refused = accepted_ids(services, actor, args.ids)
        if not ids:
            return SOME_REFUSED
        copying = services.profile_copy
        try:
            plan = copying.copy_plan(actor, ids, target, args.to)
            if not args.yes:
                _ask(plan.question)
            result = copying.copy_to_profile(actor, ids, target, args.to, confirmed=True)
        except AccountError as error:
            raise CliError(str(error)) from error
        print(f"Copied {count_words(result.changed)} to {args.to} of {plan.target.words}.")
        try:
            services.mail_sync.apply_actions_now(actor, target)
        except SyncError as error:
            print(
                "switchboard: the copies are made here; the mail server gets them at the next "
                f"sync ({error}).",
                file=sys.stderr,
            )
            return SERVER_WAITS
    return SOME_REFUSED if refused else 0


def _target_profile(services: Services, actor: SignedInUser, email: str) -> int:
    wanted = email.strip().casefold()
    for profile in services.accounts.list_profiles(actor):
        if profile.email.casefold() == wanted:
            return profile.id
    raise CliError(f"{actor.login} has no profile with the address {email}; nothing was copied")


def _ask(question: str) -> None:
    """A yes typed on a terminal, or a refusal that copies nothing."""
    if not sys.stdin.isatty():
        raise CliError(
            f"{question} Nothing was copied: add --yes to copy without being asked "
            "(no terminal to ask on)."
        )
    print(question)
    try:
        answer = input("Copy them? [y/N] ")
    except EOFError:
        answer = ""
    if answer.strip().casefold() not in YES:
        raise CliError("Nothing was copied.")
