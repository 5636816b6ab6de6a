"""Arguments of ``switchboard sync``, ``import`` and ``inbox``; run by
``desktop.cli.mail_command``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from desktop.cli import mail_action_args
from desktop.cli.arguments import add_sign_in_arguments, positive

RUN = "desktop.cli.mail_command"


def register(subparsers: Any) -> None:
    sync = subparsers.add_parser(
        "sync",
        help="fetch new mail from the profiles' IMAP servers",
        description="Sync every profile of --user that has a mail server, or only --profile. "
        "Progress goes to stderr. Exit 0 when all succeeded, 1 when a profile failed.",
    )
    add_sign_in_arguments(sync, user_required=False)
    sync.set_defaults(handler=f"{RUN}:run_sync")

    importer = subparsers.add_parser(
        "import",
        help="import mbox files, Maildir folders or .eml files into a profile",
        description="Import mail files into --profile. Messages it already has (same "
        "Message-ID, or same bytes) are skipped, so an interrupted import can simply be rerun.",
    )
    add_sign_in_arguments(importer, user_required=False, profile_required=True)
    importer.add_argument("paths", metavar="PATH", nargs="+", type=Path, help="mail to import")
    importer.set_defaults(handler=f"{RUN}:run_import")

    inbox = subparsers.add_parser(
        "inbox",
        help="list the unified inbox of a user, newest first",
        description="The newest messages over all of the user's profiles (or --profile only). "
        "--folder NAME lists another view instead: sent, drafts, archive, trash or flagged over "
        "every profile, or with --profile one of its folders (see 'switchboard folders').",
    )
    add_sign_in_arguments(inbox)
    inbox.add_argument("--folder", metavar="NAME", help="a view (sent, trash, ...) or a folder")
    inbox.add_argument("--search", metavar="TEXT", help="full-text search: subject, sender, body")
    inbox.add_argument("--limit", type=positive, default=50, help="at most N messages (50)")
    inbox.add_argument("--json", action="store_true", help="print JSON")
    inbox.add_argument(
        "--thread", action="store_true", help="list conversations instead of messages"
    )
    inbox.set_defaults(handler=f"{RUN}:run_inbox")

    mail_action_args.register(subparsers)
