"""Support IDs on the command line: the core reading of a number or sentence, as a CliError.

An ambiguous sentence is refused with its candidates named, because guessing could show support
the wrong person's account.
"""

from __future__ import annotations

from desktop.cli.errors import CliError
from desktop.core.idsentence import (
    AmbiguousSentenceError,
    IdSentenceError,
    default_codec,
    read_support_id,
)


def parse_support_id(text: str) -> int:
    try:
        return read_support_id(text, default_codec()).value
    except AmbiguousSentenceError as error:
        readings = "; ".join(f"{c.value} ({c.sentence})" for c in error.candidates)
        raise CliError(f"{error} (it could be: {readings})") from error
    except IdSentenceError as error:
        raise CliError(str(error)) from error


def support_id_sentence(support_id: int) -> str:
    return default_codec().encode(support_id)
