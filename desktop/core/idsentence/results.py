"""Plain result types of the codec, cheap to build: decoding runs a million times a second."""

from __future__ import annotations

from typing import NamedTuple


class Correction(NamedTuple):
    """One word that was not heard as written: what was typed, what it was taken for, where."""

    heard: str
    corrected: str
    slot: str


class Decoded(NamedTuple):
    value: int
    corrections: list[Correction]


class Candidate(NamedTuple):
    """One reading of an ambiguous sentence, complete enough to be offered for a pick."""

    value: int
    sentence: str
    corrections: list[Correction]
