"""Arguments of ``switchboard mail move|copy|archive|delete|flag|unflag|read|unread``; run by
``desktop.cli.mail_action_command`` (``copy`` by ``desktop.cli.mail_copy_command``).
Registered from :mod:`desktop.cli.mail_args`."""

from __future__ import annotations

from typing import Any

from desktop.cli.arguments import add_sign_in_arguments, positive

RUN = "desktop.cli.mail_action_command"
COPY = "desktop.cli.mail_copy_command:run_copy"

ACTIONS = {
    "move": "move messages to another folder of their own profile (--to FOLDER)",
    "copy": "copy messages into a folder of another of your profiles (--to-profile EMAIL, "
    "--to FOLDER, default INBOX), after saying yes to the two organizations named",
    "archive": "move messages to their profile's Archive folder (made when missing)",
    "delete": "move messages to their profile's Trash; those in the Trash are deleted for "
    "good, only with --yes",
    "flag": "flag messages",
    "unflag": "remove the flag from messages",
    "read": "mark messages as read",
    "unread": "mark messages as unread",
}

EXIT_CODES = (
    "Exit 0 when every message was done and the servers have it; 1 when some IDs were "
    "unknown or not yours (named one by one; the rest are done); 2 when nothing was done "
    "(a permanent delete without --yes, a folder that is not there); 3 when the change is "
    "made here but a mail server could not be reached (it is sent at the next sync)."
)


def register(subparsers: Any) -> None:
    mail = subparsers.add_parser(
        "mail",
        help="move, archive, delete, flag or mark messages (IDs from 'switchboard inbox')",
        description="Act on messages by their IDs, as in the window: the change shows here at "
        "once and each profile's mail server is told. " + EXIT_CODES,
    )
    actions = mail.add_subparsers(title="actions", metavar="ACTION", required=True)
    for name, words in ACTIONS.items():
        action = actions.add_parser(name, help=words, description=f"{words}. {EXIT_CODES}")
        add_sign_in_arguments(action, user_required=False)
        action.add_argument("ids", metavar="ID", nargs="+", type=positive, help="message IDs")
        if name == "move":
            action.add_argument(
                "--to", metavar="FOLDER", required=True, help="a folder of the message's profile"
            )
        if name == "delete":
            action.add_argument(
                "--yes", action="store_true", help="delete messages in the Trash for good"
            )
        if name == "copy":
            action.add_argument(
                "--to-profile",
                metavar="EMAIL",
                required=True,
                help="the address of the profile the copies go to",
            )
            action.add_argument(
                "--to", metavar="FOLDER", default="INBOX", help="its folder (default INBOX)"
            )
            action.add_argument(
                "--yes",
                action="store_true",
                help="copy without asking (without it a terminal is asked, anything else refused)",
            )
        handler = COPY if name == "copy" else f"{RUN}:run_action"
        action.set_defaults(handler=handler, action=name)
