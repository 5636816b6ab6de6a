"""Counts said in English: "twenty", "thirty three", "thirty-three", "thirtythree", "3".

The vocabulary is small and fixed, so misspelt number words are matched against it directly.
"""

from __future__ import annotations

from typing import NamedTuple

_UNITS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]

UNIT_WORDS: dict[str, int] = {word: value for value, word in enumerate(_UNITS)}
TENS_WORDS: dict[str, int] = {word: 20 + 10 * i for i, word in enumerate(_TENS)}
#: What a number sounds like when it is written down by ear.
HOMOPHONES: dict[str, int] = {"to": 2, "too": 2, "for": 4, "fore": 4, "ate": 8, "tree": 3}
_EXACT = {**UNIT_WORDS, **TENS_WORDS, **HOMOPHONES}
_SPELLED = {**UNIT_WORDS, **TENS_WORDS}
_SPELLED_WORDS = tuple(_SPELLED)
_LONGEST_WORD = max(map(len, _SPELLED_WORDS))


MAX_DIGITS = 9


class HeardNumber(NamedTuple):
    value: int
    consumed: int
    corrected: bool


def number_to_words(n: int) -> str:
    """0-99 as read aloud; IDs never need more."""
    if not 0 <= n < 100:
        raise ValueError(f"{n} is outside 0-99")
    if n < 20:
        return _UNITS[n]
    tens, unit = divmod(n, 10)
    return _TENS[tens - 2] if unit == 0 else f"{_TENS[tens - 2]} {_UNITS[unit]}"


def _word_value(token: str, max_distance: int = 2) -> tuple[int, bool] | None:
    """Exact number word, else the single nearest one if it is clearly the nearest."""
    exact = _EXACT.get(token)
    if exact is not None:
        return exact, token in HOMOPHONES
    if not 3 <= len(token) <= _LONGEST_WORD + max_distance:
        return None  # too short to tell apart, or too long to be within reach of any
    from rapidfuzz import process  # only misspelt counts need it; see the matcher's doc
    from rapidfuzz.distance import OSA

    limit = min(max_distance, 1 if len(token) < 6 else 2)
    nearest = process.extract(
        token, _SPELLED_WORDS, scorer=OSA.distance, limit=2, score_cutoff=limit
    )
    if len(nearest) == 1 or (len(nearest) == 2 and nearest[1][1] > nearest[0][1]):
        return _SPELLED[nearest[0][0]], True
    return None


def _glued(token: str) -> int | None:
    """'thirtythree' typed without a space."""
    for word, tens in TENS_WORDS.items():
        if token.startswith(word):
            unit = UNIT_WORDS.get(token[len(word) :])
            if unit is not None and 0 < unit < 10:
                return tens + unit
    return None


def hear_number(tokens: list[str], start: int, take_unit: bool = True) -> HeardNumber | None:
    """Reads a count at ``tokens[start]``, taking the next token too when it is its unit.

    The unit must be at most one letter off: 'twenty bright' is twenty and an adjective, not
    'twenty eight' misspelt.
    """
    token = tokens[start]
    if token.isdigit():
        # a count has a digit or two; a long run of digits is no count, and int() of thousands
        # of digits is refused by Python itself
        return HeardNumber(int(token), 1, False) if len(token) <= MAX_DIGITS else None
    glued = _glued(token)
    if glued is not None:
        return HeardNumber(glued, 1, False)
    heard = _word_value(token)
    if heard is None:
        return None
    value, corrected = heard
    if take_unit and value in TENS_WORDS.values() and start + 1 < len(tokens):
        unit = _word_value(tokens[start + 1], max_distance=1)
        if unit is not None and 0 < unit[0] < 10:
            return HeardNumber(value + unit[0], 2, corrected or unit[1])
    return HeardNumber(value, 1, corrected)
