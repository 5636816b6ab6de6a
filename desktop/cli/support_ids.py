"""Reading and showing support IDs on the command line."""

from __future__ import annotations

from desktop.cli.errors import CliError

SUPPORT_ID_LIMIT = 2**32


def parse_support_id(text: str) -> int:
    value = text.strip()
    if not value.isdecimal() or int(value) >= SUPPORT_ID_LIMIT:
        raise CliError(f"{text!r} is not a support ID (a number from 0 to {SUPPORT_ID_LIMIT - 1})")
    return int(value)
