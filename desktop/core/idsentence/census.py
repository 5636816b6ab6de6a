"""The single-typo census: how every one-letter slip of every list word decodes.

It is how the forgiving decoder is held to its promise: a slip decodes to the right ID or is
refused, and only decodes to another ID when the slip is itself that other word of the list.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field

from desktop.core.idsentence.codec import Codec
from desktop.core.idsentence.errors import IdSentenceError
from desktop.core.idsentence.layout import WordField


def single_letter_typos(word: str) -> set[str]:
    """Every insertion, deletion, substitution and transposition of one letter."""
    letters = string.ascii_lowercase
    typos: set[str] = set()
    for i in range(len(word) + 1):
        typos.update(word[:i] + c + word[i:] for c in letters)
    for i in range(len(word)):
        typos.add(word[:i] + word[i + 1 :])
        typos.update(word[:i] + c + word[i + 1 :] for c in letters)
    for i in range(len(word) - 1):
        typos.add(word[:i] + word[i + 1] + word[i] + word[i + 2 :])
    typos.discard(word)
    typos.discard("")
    return typos


@dataclass
class Census:
    layout: str
    right: int = 0
    refused: int = 0
    #: Decoded to another ID because the typo is another word of the same list (dogs/hogs).
    other_word: int = 0
    #: Decoded to another ID for any other reason: (intended word, typo, word decoded).
    wrong: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.right + self.refused + self.other_word + len(self.wrong)

    def summary(self) -> str:
        total = self.total
        return (
            f"{self.layout}: {total} single-letter typos: "
            f"right {self.right / total:.2%}, refused {self.refused / total:.2%}, "
            f"wrong {(self.other_word + len(self.wrong)) / total:.2%} "
            f"(of which typo is another list word {self.other_word / total:.2%}, "
            f"other {len(self.wrong) / total:.2%})"
        )


def typo_census(codec: Codec) -> Census:
    """Decodes whole sentences (the other slots spelt right) so every layer of decoding counts."""
    census = Census(codec.name)
    fields = codec.layout.fields
    base = codec.encode(0).split()
    shift = codec.bits
    for position, slot_field in enumerate(fields):
        shift -= slot_field.bits
        if not isinstance(slot_field, WordField):
            continue
        words = set(slot_field.words)
        for index, word in enumerate(slot_field.words):
            for typo in sorted(single_letter_typos(word)):
                tokens = list(base)
                tokens[position] = typo
                try:
                    value = codec.decode(" ".join(tokens)).value
                except IdSentenceError:
                    census.refused += 1
                    continue
                if value == index << shift:
                    census.right += 1
                elif typo in words:
                    census.other_word += 1
                else:
                    decoded = slot_field.words[(value >> shift) & ((1 << slot_field.bits) - 1)]
                    census.wrong.append((word, typo, decoded))
    return census
