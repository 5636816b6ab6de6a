"""``switchboard self-test``: proves an installation (or a PyInstaller bundle) works end to end."""

from __future__ import annotations

import argparse

from desktop.selftest import run_self_test


def run(_args: argparse.Namespace) -> int:
    return run_self_test()
