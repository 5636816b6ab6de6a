"""``switchboard folders`` and the view that ``inbox --folder`` names.

``--folder`` takes a role word ("sent", "trash": the unified view over every profile, or over
``--profile`` only) or, with ``--profile``, the name of one of its folders; a folder name wins
over a role word, so that a folder really called "Archive" on a server that marks another one
can still be listed.
"""

from __future__ import annotations

import argparse
import json

from desktop.cli.errors import CliError
from desktop.cli.signin import opened_services, sign_in_user_or_owner
from desktop.core.mail_views import INBOX_VIEW, UNIFIED_ROLES, MailView, role_view
from desktop.services.authorization import SignedInUser
from desktop.services.mail.folder_tree import FolderCount, ProfileFolders
from desktop.services.mail.mailbox import Mailbox


def run_folders(args: argparse.Namespace) -> int:
    with opened_services(args) as services:
        actor = sign_in_user_or_owner(services, args)
        profile = _profile_folders(services.mailbox, actor)
    if args.json:
        print(json.dumps([_as_json(f) for f in profile.folders], indent=2, ensure_ascii=False))
        return 0
    print(f"{profile.email}:")
    for folder in profile.folders:
        indent = "  " * len(folder.path)
        role = f" ({folder.role.value})" if folder.role.value else ""
        synced = "" if folder.subscribed and folder.selectable else ", not synced"
        print(f"{indent}{folder.path[-1]}{role}: {folder.unread} unread of {folder.total}{synced}")
    return 0


def view_from_args(
    mailbox: Mailbox, actor: SignedInUser, folder: str | None, *, one_profile: bool
) -> MailView:
    """The view ``inbox --folder NAME`` asks for (the unified Inbox without ``--folder``).

    ``one_profile``: ``--profile`` was given, so NAME may be a folder of the active profile.
    """
    if folder is None:
        return INBOX_VIEW
    if one_profile:
        profile = _profile_folders(mailbox, actor)
        if any(known.name == folder for known in profile.folders):
            return MailView.of_folder(profile.profile_id, folder)
    view = role_view(folder)
    if view is not None:
        return view
    roles = ", ".join(role.value for role in UNIFIED_ROLES)
    if not one_profile:
        raise CliError(
            f"There is no view called '{folder}'. Use one of {roles}, or add --profile to list "
            "a folder of that profile."
        )
    raise CliError(
        f"The profile has no folder called '{folder}'. 'switchboard folders --profile EMAIL' "
        "lists its folders."
    )


def _profile_folders(mailbox: Mailbox, actor: SignedInUser) -> ProfileFolders:
    for profile in mailbox.folder_tree(actor):
        if profile.profile_id == actor.active_profile_id:
            return profile
    raise CliError("That profile is not one of yours.")


def _as_json(folder: FolderCount) -> dict[str, object]:
    return {
        "name": folder.name,
        "role": folder.role.value or None,
        "delimiter": folder.delimiter,
        "subscribed": folder.subscribed,
        "selectable": folder.selectable,
        "unread": folder.unread,
        "total": folder.total,
    }
