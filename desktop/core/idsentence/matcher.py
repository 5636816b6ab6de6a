"""Finding the list word that a typed word was meant to be, within one slot.

Exact forms (the word, its singular or plural, its British or American spelling, aliases) are one
dict lookup. Misspellings are looked up in a symmetric-delete index (every form with one or two
letters deleted), so only a handful of words ever get their edit distance computed, and in an
index of metaphone keys, because staff write down what they hear. A word is only taken when it is
clearly nearer than every other; otherwise the contenders are returned and nobody guesses.

The distance and sound libraries are imported where a word first needs matching: encoding and
exact decoding never do, and ``switchboard id`` starts faster without them.
"""

from __future__ import annotations

from collections import defaultdict
from functools import cached_property
from typing import NamedTuple

from desktop.core.idsentence.layout import WordField
from desktop.core.idsentence.text import number_variants, spelling_variants

#: What sounding alike takes off a distance; below MARGIN so that sound alone never outvotes a
#: nearer spelling, which is what keeps a single typo from decoding to a different word.
SOUND_BONUS = 0.4
#: How much nearer the best word must be than the runner-up to be taken.
MARGIN = 0.5
#: How many more slips a word that sounds right may have, and the most slips ever forgiven.
SOUND_SLACK = 2
MAX_SLIP = 2 + SOUND_SLACK


class Match(NamedTuple):
    """``taken``: index of the word taken, or None; ``contenders``: the words still in the
    running when nothing was taken although some were ``close``."""

    taken: int | None
    corrected: bool
    contenders: tuple[int, ...]
    close: bool


def _deletes(word: str) -> list[str]:
    """The word with one letter deleted, at each place (repeats are harmless to lookups)."""
    return [word[:i] + word[i + 1 :] for i in range(len(word))]


def allowed_distance(token: str, sounds_alike: bool) -> int:
    """Short words have few letters to spare: two slips in six letters leave too little of the
    word to be sure ('purple' is not 'turtle'). A word that sounds the same may be spelt further
    off, as heard words are ('fenix', 'phoenix')."""
    base = 1 if len(token) <= 6 else 2
    return base + (SOUND_SLACK if sounds_alike else 0)


class WordMatcher:
    """Reads one word slot. Its tables are built on first use, not with the codec: they cost
    most of a codec's build and are needed only once a word is not spelt as listed, which
    encoding and exact decoding (``id encode 5``, a batch of clean sentences) never meet.
    """

    def __init__(self, field: WordField) -> None:
        self.field = field
        self.words = field.words

    @cached_property
    def exact(self) -> dict[str, int]:
        """Every exact form that names one word; a form two words could share is left out."""
        return self._build_forms(self.field)

    @cached_property
    def longest(self) -> int:
        """No token longer than this can be taken: the distance between two words is at least
        the difference of their lengths, and no slip ever allowed is larger than MAX_SLIP."""
        return max(map(len, self.exact)) + MAX_SLIP

    @cached_property
    def _near(self) -> dict[str, tuple[str, ...]]:
        """Every form and each of its one- and two-letter deletions, to the forms they came from."""
        near: defaultdict[str, set[str]] = defaultdict(set)
        for form in self.exact:
            near[form].add(form)
            for deleted in _deletes(form):
                near[deleted].add(form)
                for twice in _deletes(deleted):
                    near[twice].add(form)
        return {key: tuple(forms) for key, forms in near.items()}

    @cached_property
    def _sounds(self) -> dict[str, tuple[str, ...]]:
        from jellyfish import metaphone

        sounds: defaultdict[str, set[str]] = defaultdict(set)
        for form in self.exact:
            sounds[metaphone(form)].add(form)
        return {key: tuple(forms) for key, forms in sounds.items()}

    @staticmethod
    def _build_forms(field: WordField) -> dict[str, int]:
        forms = {word: index for index, word in enumerate(field.words)}
        derived: defaultdict[str, set[int]] = defaultdict(set)
        for index, word in enumerate(field.words):
            variants = spelling_variants(word)
            if field.plural:
                numbers = number_variants(word)
                variants |= numbers.union(*(spelling_variants(n) for n in numbers))
            for variant in variants:
                derived[variant].add(index)
        for alias, word in field.aliases.items():
            forms[alias] = field.words.index(word)
        for variant, owners in derived.items():
            if len(owners) == 1 and variant not in forms:
                forms[variant] = next(iter(owners))
        return forms

    def match(self, token: str) -> Match:
        """Callers keep ``token`` to at most ``longest`` letters: the search grows with the square
        of its length (every two-letter deletion), and a longer token can match nothing."""
        index = self.exact.get(token)
        if index is not None:
            return Match(index, token != self.words[index], (), True)
        from jellyfish import metaphone

        sounding = self._sounds.get(metaphone(token), ())
        near = self._near
        # One letter off is by far the most common typo; its neighbours share a one-letter
        # deletion with it, so the far larger two-letter neighbourhood is only searched after.
        once = _deletes(token)
        forms = set(sounding).union(*filter(None, map(near.get, [token, *once])))
        decided = self._decide(token, forms, sounding, final=False)
        if decided is not None:
            return decided
        for probe in {d[:i] + d[i + 1 :] for d in once for i in range(len(d))}:
            hits = near.get(probe)
            if hits:
                forms.update(hits)
        decided = self._decide(token, forms, sounding, final=True)
        assert decided is not None
        return decided

    def _decide(
        self, token: str, forms: set[str], sounding: tuple[str, ...], final: bool
    ) -> Match | None:
        """Takes the clearly nearest word; None means "look further" (only when not final)."""
        from rapidfuzz.distance import OSA

        exact = self.exact
        distance = OSA.distance
        distances: dict[int, int] = {}
        for form in forms:
            index = exact[form]
            # beyond 3 edits nothing is taken, so the exact figure is not needed
            found = distance(token, form, score_cutoff=3)
            if found < distances.get(index, 4):
                distances[index] = found
        if not distances or (not final and min(distances.values()) > 1):
            return None if not final else Match(None, True, (), False)
        if len(distances) == 1 and not sounding:
            # the usual typo: one word in reach, so there is nobody to compare it with
            ((only, found),) = distances.items()
            taken = found <= allowed_distance(token, sounds_alike=False)
            return Match(only, True, (), True) if taken else Match(None, True, (), False)
        sound_alike = {exact[form] for form in sounding}
        scores = {
            index: found - SOUND_BONUS if index in sound_alike else float(found)
            for index, found in distances.items()
        }
        best = min(scores, key=scores.__getitem__)
        if distances[best] > allowed_distance(token, best in sound_alike):
            return Match(None, True, (), False)
        best_score = scores[best]
        rivals = sorted(i for i, score in scores.items() if score - best_score < MARGIN)
        if rivals == [best]:
            return Match(best, True, (), True)
        return Match(None, True, tuple(sorted(rivals, key=scores.__getitem__)), True)

    def nearest(self, token: str, count: int = 3) -> tuple[int, ...]:
        """The closest words by spelling, for an error message; only used on the error path."""
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        ranked = process.extract(token, tuple(self.exact), scorer=OSA.distance, limit=count * 4)
        nearest: list[int] = []
        for form, _, _ in ranked:
            index = self.exact[form]
            if index not in nearest:
                nearest.append(index)
        return tuple(nearest[:count])
