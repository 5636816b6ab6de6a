"""``switchboard mail ACTION ID...``: the window's mail actions from a shell.

IDs that are unknown or another user's are named one by one and the rest are still done. The
change is made in the store first; then the command waits for each profile's queue to tell the
server, so that when it returns the server has it (or it says that the server waits).
"""

from __future__ import annotations

import argparse
import sys

from desktop.cli.errors import CliError
from desktop.cli.signin import opened_services, sign_in_user_or_owner
from desktop.services.authorization import SignedInUser
from desktop.services.container import Services
from desktop.services.mail.action_audit import count_words
from desktop.services.mail.actions import ActionResult, ConfirmationNeededError

SOME_REFUSED = 1
SERVER_WAITS = 3
FLAGS = {
    "flag": {"flagged": True},
    "unflag": {"flagged": False},
    "read": {"seen": True},
    "unread": {"seen": False},
}
DONE_WORDS = {
    "move": "Moved",
    "archive": "Archived",
    "delete": "Deleted",
    "flag": "Flagged",
    "unflag": "Removed the flag from",
    "read": "Marked as read",
    "unread": "Marked as unread",
}


def run_action(args: argparse.Namespace) -> int:
    from desktop.services.mail.imap_sync import SyncError

    with opened_services(args) as services:
        actor = sign_in_user_or_owner(services, args)
        ids, refused = accepted_ids(services, actor, args.ids)
        if not ids:
            return SOME_REFUSED
        result = _act(services, actor, args, ids)
        print(f"{DONE_WORDS[args.action]} {count_words(result.changed)}.")
        waits = False
        for profile_id in result.profile_ids:
            try:
                if args.action in FLAGS:
                    services.mail_sync.push_flags_now(actor, profile_id)
                else:
                    services.mail_sync.apply_actions_now(actor, profile_id)
            except SyncError as error:
                waits = True
                print(
                    "switchboard: the change is made here; the mail server is told at the next "
                    f"sync ({error}).",
                    file=sys.stderr,
                )
    if waits:
        return SERVER_WAITS
    return SOME_REFUSED if refused else 0


def accepted_ids(
    services: Services, actor: SignedInUser, asked: list[int]
) -> tuple[list[int], dict[int, str]]:
    """The asked IDs the actor may act on, in order, once each; the others named on stderr."""
    wanted = list(dict.fromkeys(asked))
    refused = services.mail_actions.refused(actor, wanted)
    for reason in refused.values():
        print(f"switchboard: {reason}", file=sys.stderr)
    return [message_id for message_id in wanted if message_id not in refused], refused


def _act(
    services: Services, actor: SignedInUser, args: argparse.Namespace, ids: list[int]
) -> ActionResult:
    actions = services.mail_actions
    if args.action == "move":
        return actions.move(actor, ids, args.to)
    if args.action == "archive":
        return actions.archive(actor, ids)
    if args.action == "delete":
        try:
            return actions.delete(actor, ids, permanent=args.yes)
        except ConfirmationNeededError as error:
            raise CliError(f"{error} Add --yes to delete them permanently.") from error
    return actions.set_flags(actor, ids, **FLAGS[args.action])
