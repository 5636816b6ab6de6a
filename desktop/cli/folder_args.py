"""Arguments of ``switchboard folders``; run by ``desktop.cli.folder_command``."""

from __future__ import annotations

from typing import Any

from desktop.cli.arguments import add_sign_in_arguments

RUN = "desktop.cli.folder_command"


def register(subparsers: Any) -> None:
    folders = subparsers.add_parser(
        "folders",
        help="list the folders of a profile with their unread and total messages",
        description="The folders of --profile as its last sync found them, as a tree, each "
        "with its role (inbox, sent, drafts, archive, trash, junk), its unread and total "
        "messages, and whether it is synced. 'inbox --folder NAME --profile EMAIL' lists one.",
    )
    add_sign_in_arguments(folders, user_required=False, profile_required=True)
    folders.add_argument("--json", action="store_true", help="print JSON")
    folders.set_defaults(handler=f"{RUN}:run_folders")
