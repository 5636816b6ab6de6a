"""Arguments of ``switchboard outbox [send]``; run by ``desktop.cli.outbox_command``."""

from __future__ import annotations

from typing import Any

from desktop.cli.arguments import add_sign_in_arguments

RUN = "desktop.cli.outbox_command"


def register(subparsers: Any) -> None:
    outbox = subparsers.add_parser(
        "outbox",
        help="list the messages waiting to be sent, or send them now",
        description="Without ACTION: every outbox entry of --user (or of --profile only) with "
        "its state: queued, sending, sent, failed (with the server's reason) or "
        "may-have-been-sent. 'send': deliver the queued messages now and wait; exit 0 when "
        "all went, 1 when any failed or still waits.",
    )
    # One parser, not sub-commands: argparse lets a sub-command's defaults overwrite sign-in
    # options given before it ("outbox --user ada send").
    outbox.add_argument("action", nargs="?", choices=["send"], metavar="send", help="send now")
    add_sign_in_arguments(outbox, user_required=False)
    outbox.add_argument("--json", action="store_true", help="print the list as JSON")
    outbox.set_defaults(handler=f"{RUN}:run")
