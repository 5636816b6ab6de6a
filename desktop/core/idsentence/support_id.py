"""The one reading of a support ID as people type it, for every window field and command.

An ID arrives as its number or as its sentence, with whatever spacing came with it. Digits are
those ``int`` reads (any script's decimal digits, so a full-width or Arabic-Indic keyboard works);
a superscript or a fraction is a digit to ``str.isdigit`` but no number, and gets a message like
any other bad input. Every refusal is an :class:`IdSentenceError` (an ambiguous sentence its
:class:`AmbiguousSentenceError`, with the candidates) whose message names what was typed.
"""

from __future__ import annotations

from desktop.core.idsentence.codec import Codec
from desktop.core.idsentence.errors import AmbiguousSentenceError, IdSentenceError
from desktop.core.idsentence.results import Decoded

#: More digits than any layout needs (2**64 has 20); also keeps int() far from its size limit.
MAX_ID_DIGITS = 40


def parse_id(text: str) -> int:
    """An ID as typed: digits with an optional sign; spaces and thousands separators are
    forgiven, decimals are not (the codec then says why a negative or huge number is no ID)."""
    number = _number_text(text)
    if number is None:
        raise IdSentenceError(f"{_shown(text)} is not a whole number")
    return _to_int(number)


def read_support_id(text: str, codec: Codec) -> Decoded:
    """The ID of ``text``, its number or its sentence in ``codec``'s layout, with the words
    that were corrected to read it (a number has none).

    Text without a letter is taken for a number: no sentence is all digits, and a number with a
    slip in it ('12.5', '3\u00b2') is better refused as a number than read as a sentence.
    """
    if not text.strip():
        raise IdSentenceError("type the support ID: its number or its sentence")
    try:
        if any(character.isalpha() for character in text):
            return codec.decode(text)
        number = _number_text(text)
        if number is None:
            raise IdSentenceError("type its number in digits only, or its sentence")
        return Decoded(codec.check(_to_int(number)), [])
    except AmbiguousSentenceError:
        raise  # its message already names the word and the readings to choose from
    except IdSentenceError as error:
        raise IdSentenceError(f"{_shown(text)} is not a support ID: {error}") from error


def _number_text(text: str) -> str | None:
    """The number without its spacing and grouping, for ``int``; None if it is none."""
    cleaned = "".join(text.split()).replace(",", "").replace("_", "")
    digits = cleaned[1:] if cleaned.startswith(("+", "-")) else cleaned
    return cleaned if digits.isdecimal() else None


def _to_int(number: str) -> int:
    digits = len(number.lstrip("+-"))
    if digits > MAX_ID_DIGITS:
        raise IdSentenceError(f"a number of {digits:,} digits is far too large for an ID")
    return int(number)


def _shown(text: str) -> str:
    """What was typed, quoted for a message and cut short if it is a pasted page."""
    stripped = text.strip()
    return repr(stripped if len(stripped) <= 40 else stripped[:36] + "\u2026")
