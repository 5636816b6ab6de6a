"""Reading and showing support IDs on the command line: a number, or its sentence.

A sentence is decoded as forgivingly as the ID-sentence codec allows (misheard words are
corrected when only one reading fits); an ambiguous one is refused with its candidates named,
because guessing could show support the wrong person's account.
"""

from __future__ import annotations

from desktop.cli.errors import CliError
from desktop.core.idsentence import AmbiguousSentenceError, IdSentenceError, default_codec

SUPPORT_ID_LIMIT = 2**32


def parse_support_id(text: str) -> int:
    value = text.strip()
    if value.isdecimal():
        if int(value) >= SUPPORT_ID_LIMIT:
            raise CliError(f"{text!r} is not a support ID (at most {SUPPORT_ID_LIMIT - 1})")
        return int(value)
    try:
        return default_codec().decode(value).value
    except AmbiguousSentenceError as error:
        readings = "; ".join(f"{c.value} ({c.sentence})" for c in error.candidates)
        raise CliError(f"{error} (it could be: {readings})") from error
    except IdSentenceError as error:
        raise CliError(f"{text!r} is not a support ID: {error}") from error


def support_id_sentence(support_id: int) -> str:
    return default_codec().encode(support_id)
