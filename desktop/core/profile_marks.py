"""The letters that mark a profile beside its colour, so that colour is never its only sign.

A person who cannot tell the red profile from the green one still reads "SO" and "RC" on each
row. Marks are short enough for a chip on every row of the message list, and unique among one
user's profiles: two accounts at one organization (a member and an admin account, say) get
"SM" and "SM2" rather than the same letters.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_WORD = re.compile(r"[^\W\d_][\w'\u2019]*")  # a word starts with a letter
_SMALL_WORDS = frozenset(
    {"of", "the", "and", "for", "at", "in", "on", "de", "la", "le", "der", "die", "das", "und"}
)
_SMALL_WORDS |= {"für", "du", "des", "van", "von", "y", "e", "et"}


def initials(organization: str) -> str:
    """Two letters of an organization's name: its first two words that carry meaning."""
    words: list[str] = [w for w in _WORD.findall(organization) if w.casefold() not in _SMALL_WORDS]
    if not words:
        return "?"
    if len(words) == 1:
        return words[0][:2].capitalize()
    return (words[0][0] + words[1][0]).upper()


def profile_marks(organizations: Sequence[str]) -> list[str]:
    """Each profile's mark, in the order given; a repeated mark is numbered from its second use."""
    marks: list[str] = []
    seen: dict[str, int] = {}
    for organization in organizations:
        mark = initials(organization)
        seen[mark] = seen.get(mark, 0) + 1
        marks.append(mark if seen[mark] == 1 else f"{mark}{seen[mark]}")
    return marks
