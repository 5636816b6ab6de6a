"""Arguments of ``switchboard self-test``; run by ``desktop.cli.selftest_command``."""

from __future__ import annotations

from typing import Any

RUN = "desktop.cli.selftest_command:run"


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "self-test",
        help="check this installation offscreen in a temporary store",
        description="Make a temporary store, migrate it, and open and close the main window "
        "offscreen. Exit 0 when every step passes.",
    )
    parser.set_defaults(handler=RUN)
