"""Arguments of ``switchboard compose``, ``reply`` and ``forward``; run by
``desktop.cli.compose_command``."""

from __future__ import annotations

import argparse
from typing import Any

from desktop.cli.arguments import add_sign_in_arguments, positive

RUN = "desktop.cli.compose_command"


def register(subparsers: Any) -> None:
    compose = subparsers.add_parser(
        "compose",
        help="write a message from a profile and send it",
        description="Write a message from --profile (its owner signs in) and send it through "
        "that profile's server, unless --queue-only or --draft.",
    )
    add_sign_in_arguments(compose, user_required=False, profile_required=True)
    _recipients(compose, to_required=True)
    compose.add_argument("--subject", required=True, help="the subject")
    compose.add_argument(
        "--body-file", metavar="FILE", required=True, help="the text, from FILE or - for stdin"
    )
    _common(compose)
    compose.set_defaults(handler=f"{RUN}:run_compose")

    reply = subparsers.add_parser(
        "reply",
        help="answer a message from the profile that received it",
        description="Answer message ID (as in 'inbox --json') from the profile that received "
        "it, quoting it. --from sends from another profile: leaving the original's "
        "organization prints a warning and needs --yes.",
    )
    reply.add_argument("message_id", metavar="ID", type=positive, help="the message to answer")
    reply.add_argument("--all", action="store_true", help="answer everyone it went to")
    reply.add_argument(
        "--body-file", metavar="FILE", required=True, help="the text, from FILE or - for stdin"
    )
    _answering(reply)
    reply.set_defaults(handler=f"{RUN}:run_reply")

    forward = subparsers.add_parser(
        "forward",
        help="send a message on from the profile that received it",
        description="Forward message ID (as in 'inbox --json') inline, or whole with "
        "--as-attachment, from the profile that received it.",
    )
    forward.add_argument("message_id", metavar="ID", type=positive, help="the message")
    _recipients(forward, to_required=True)
    forward.add_argument("--body-file", metavar="FILE", help="text above the forwarded message")
    forward.add_argument(
        "--as-attachment", action="store_true", help="attach the message as it was received"
    )
    _answering(forward)
    forward.set_defaults(handler=f"{RUN}:run_forward")


def _recipients(parser: argparse.ArgumentParser, *, to_required: bool) -> None:
    for name, required in (("--to", to_required), ("--cc", False), ("--bcc", False)):
        parser.add_argument(
            name,
            metavar="ADDRESS",
            action="append",
            default=[],
            required=required,
            help=f"a recipient in {name[2:].title()} (repeat for more, or separate with commas)",
        )


def _answering(parser: argparse.ArgumentParser) -> None:
    add_sign_in_arguments(parser)
    parser.add_argument("--from", dest="sender", metavar="EMAIL", help="send from this profile")
    parser.add_argument(
        "--yes", action="store_true", help="confirm sending from another organization"
    )
    _common(parser)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--attach", metavar="FILE", action="append", default=[], help="attach a file (repeat)"
    )
    parser.add_argument(
        "--queue-only", action="store_true", help="put it in the outbox without sending now"
    )
    parser.add_argument(
        "--draft", action="store_true", help="keep it as a draft instead of sending it"
    )
