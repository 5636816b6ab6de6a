"""``switchboard self-test``: proves an installation (or a PyInstaller bundle) works end to end."""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "self-test",
        help="check this installation offscreen in a temporary store",
        description="Make a temporary store, migrate it, and open and close the main window "
        "offscreen. Exit 0 when every step passes.",
    )
    parser.set_defaults(handler=run)


def run(_args: argparse.Namespace) -> int:
    from desktop.selftest import run_self_test

    return run_self_test()
