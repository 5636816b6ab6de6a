"""Encoding integers as sentences and reading sentences typed by ear back into integers.

Two paths: a sentence typed exactly as printed is decoded with one dict lookup per word (fields'
values are stored pre-shifted, so the words' values just add up); anything else goes through
tokenizing, per-slot matching and, when words are missing or extra, an alignment of words to slots
that explains the problem by slot name.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import NamedTuple

from desktop.core.idsentence.compiled import (
    LinesFunction,
    compile_encoder,
    compile_exact_decoder,
)
from desktop.core.idsentence.errors import AmbiguousSentenceError, IdSentenceError
from desktop.core.idsentence.layout import Field, Layout, NumberField, WordField
from desktop.core.idsentence.matcher import WordMatcher
from desktop.core.idsentence.numbers import hear_number, number_to_words
from desktop.core.idsentence.results import Candidate, Correction, Decoded
from desktop.core.idsentence.text import tokenize

#: Costs of the alignment: a slot read with a typo costs less than a slot left out or a word left
#: over, so a typo is never explained away as a missing word.
_COST_EXACT, _COST_FORM, _COST_TYPO, _COST_JOINED = 0.0, 0.2, 1.0, 0.5
_COST_AMBIGUOUS, _COST_UNKNOWN, _COST_MISSING, _COST_EXTRA = 2.0, 4.0, 3.0, 3.0
MAX_CANDIDATES = 24
MAX_WORDS_PER_SLOT = 3
#: Some thirty times the longest sentence of any layout: room for any spacing and punctuation
#: (and a long word, refused with its slot named), while a pasted page is refused unread.
MAX_SENTENCE_CHARS = 4_096


class Reading(NamedTuple):
    """One slot read from ``consumed`` tokens; ``taken`` (the field value) is None when it could
    not be taken: then ``contenders`` are the words in the running, or ``unknown`` says no word
    was close (the nearest are only looked up if it gets reported), or ``problem`` says why the
    slot cannot be read at all.
    """

    consumed: int
    heard: str
    taken: int | None
    corrected: bool
    contenders: tuple[int, ...]
    cost: float
    unknown: bool = False
    problem: str | None = None


def _shown(token: str) -> str:
    """A typed word quoted for a message, cut short if someone pasted a wall of text."""
    return repr(token if len(token) <= 24 else token[:20] + "\u2026")


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _article(noun: str) -> str:
    return f"an {noun}" if noun[:1] in "aeiou" else f"a {noun}"


class _Slot:
    def __init__(self, field: Field, shift: int, matcher: WordMatcher | None) -> None:
        self.field = field
        self.name = field.name
        self.shift = shift
        self.mask = (1 << field.bits) - 1
        self.matcher = matcher

    def spelling(self, index: int) -> str:
        field = self.field
        return str(field.first + index) if isinstance(field, NumberField) else field.words[index]

    def spellings(self) -> tuple[str, ...]:
        return tuple(self.spelling(i) for i in range(self.mask + 1))

    def spoken(self, index: int) -> str:
        field = self.field
        if isinstance(field, NumberField):
            return number_to_words(field.first + index)
        return field.words[index]

    def read(self, tokens: list[str], start: int) -> Reading:
        if isinstance(self.field, NumberField):
            return self._read_number(self.field, tokens, start)
        assert self.matcher is not None
        return self._read_word(self.matcher, tokens[start])

    def alternatives(self, tokens: list[str], start: int, first: Reading) -> list[Reading]:
        """Other readings for the alignment to weigh: two tokens that are one list word split
        apart ('in tensely', exact forms only), or a count without the unit it took."""
        if isinstance(self.field, NumberField):
            if first.consumed == 1:
                return []
            return [self._read_number(self.field, tokens, start, take_unit=False)]
        if self.matcher is None or start + 1 >= len(tokens):
            return []
        index = self.matcher.exact.get(tokens[start] + tokens[start + 1])
        if index is None:
            return []
        heard = f"{tokens[start]} {tokens[start + 1]}"
        return [Reading(2, heard, index, True, (), _COST_JOINED)]

    def _read_word(self, matcher: WordMatcher, token: str) -> Reading:
        # neither kind of token could match a word, and searching for one would cost time and
        # memory that grow with the square of the token's length
        if token.isdigit():
            problem = f"{_shown(token)} is not {_article(self.name)}; a number only goes in a count"
            return Reading(1, token, None, True, (), _COST_UNKNOWN, problem=problem)
        if len(token) > matcher.longest:
            problem = (
                f"{_shown(token)} is not {_article(self.name)}: {len(token):,} letters, "
                f"longer than any {self.name}"
            )
            return Reading(1, token, None, True, (), _COST_UNKNOWN, problem=problem)
        match = matcher.match(token)
        if match.taken is not None:
            if not match.corrected:
                cost = _COST_EXACT
            else:
                cost = _COST_FORM if token in matcher.exact else _COST_TYPO
            return Reading(1, token, match.taken, match.corrected, (), cost)
        if match.close:
            return Reading(1, token, None, True, match.contenders, _COST_AMBIGUOUS)
        return Reading(1, token, None, True, (), _COST_UNKNOWN, unknown=True)

    def _read_number(
        self, field: NumberField, tokens: list[str], start: int, take_unit: bool = True
    ) -> Reading:
        heard = hear_number(tokens, start, take_unit)
        expected = f"a number from {field.first} to {field.last}"
        if heard is None:
            problem = f"{_shown(tokens[start])} is not {_article(self.name)}; expected {expected}"
            return Reading(1, tokens[start], None, True, (), _COST_UNKNOWN, problem=problem)
        text = " ".join(tokens[start : start + heard.consumed])
        if not field.first <= heard.value <= field.last:
            problem = f"the {self.name} must be {field.first}-{field.last}, not {heard.value}"
            return Reading(heard.consumed, text, None, True, (), _COST_UNKNOWN, problem=problem)
        cost = _COST_TYPO if heard.corrected else _COST_EXACT
        index = heard.value - field.first
        return Reading(heard.consumed, text, index, heard.corrected, (), cost)


#: Neighbouring fields are encoded together from one table of ready-made phrases while the
#: table stays small (2**13 entries): fewer lookups and shorter joins per encode.
PHRASE_BITS = 13


def _phrase_tables(slots: tuple[_Slot, ...]) -> tuple[tuple[tuple[str, ...], int, int], ...]:
    groups: list[list[_Slot]] = []
    for slot in slots:
        if groups and sum(s.field.bits for s in groups[-1]) + slot.field.bits <= PHRASE_BITS:
            groups[-1].append(slot)
        else:
            groups.append([slot])
    tables = []
    for group in groups:
        phrases = tuple(
            " ".join(words) for words in itertools.product(*(s.spellings() for s in group))
        )
        bits = sum(s.field.bits for s in group)
        tables.append((phrases, group[-1].shift, (1 << bits) - 1))
    return tuple(tables)


#: One step of reading a sentence: a slot and how it was read (None: missing), or a word left over.
Step = tuple[int, Reading | None] | str


class Codec:
    """Encodes and decodes one layout; build it once (``load_codec``) and share it freely."""

    #: ``n -> sentence``; raises IdSentenceError for negatives, too large values, non-integers.
    encode: Callable[[int], str]
    #: ``text -> Decoded``: forgiving, see the module doc; raises IdSentenceError (or its
    #: AmbiguousSentenceError, with ``.candidates``) with a message naming the problem.
    decode: Callable[[str], Decoded]
    #: ``text -> int``: ``decode(text).value``, without building the result on the exact path.
    value_of: Callable[[str], int]
    #: Streams: ``(lines, first line's number, missed) -> output lines``. A line that is an ID in
    #: range (encode) or a sentence as printed (decode) gives its output at once; any other line
    #: is passed to ``missed(number, line)``, whose text, if not None, stands in its place.
    encode_lines: LinesFunction
    decode_lines: LinesFunction

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self.name = layout.name
        self.bits = layout.bits
        self._limit = 1 << self.bits
        slots, shift = [], self.bits
        # fields that hear the same words (the two clauses of phone-64) share one matcher
        matchers: dict[tuple[object, ...], WordMatcher] = {}
        for field in layout.fields:
            shift -= field.bits
            matcher = None
            if isinstance(field, WordField):
                key = (field.words, field.plural, tuple(sorted(field.aliases.items())))
                matcher = matchers.get(key)
                if matcher is None:
                    matcher = matchers[key] = WordMatcher(field)
            slots.append(_Slot(field, shift, matcher))
        self._slots = tuple(slots)
        self._exact = tuple(
            {word: index << s.shift for index, word in enumerate(s.spellings())}
            for s in self._slots
        )
        self._slot_tables = tuple(zip(range(len(slots)), self._slots, self._exact, strict=True))
        self.slot_names = tuple(s.name for s in self._slots)
        self.encode, self.encode_lines = compile_encoder(
            _phrase_tables(self._slots), self._limit, self._refuse
        )
        self.decode, self.value_of, self.decode_lines = compile_exact_decoder(
            self._exact, self._decode_heard
        )

    # -- encoding ---------------------------------------------------------------------------

    def field_words(self) -> tuple[tuple[str, ...], ...]:
        """Each field's words as printed (counts as numerals), in field order."""
        return tuple(slot.spellings() for slot in self._slots)

    def read_aloud(self, n: int) -> str:
        """The sentence as said on the phone: the count in words, so nobody reads '13' as '30'."""
        if n.__class__ is not int or not 0 <= n < self._limit:
            self._refuse(n)
        return " ".join(s.spoken((n >> s.shift) & s.mask) for s in self._slots)

    def check(self, n: int) -> int:
        """``n`` if it is an ID of this layout; else IdSentenceError says why not."""
        if n.__class__ is not int or not 0 <= n < self._limit:
            self._refuse(n)
        return n

    def _refuse(self, n: object) -> None:
        if isinstance(n, bool) or not isinstance(n, int):
            raise IdSentenceError(f"an ID must be a whole number, not {n!r}")
        if n < 0:
            raise IdSentenceError(f"an ID cannot be negative: {n}")
        if n >= self._limit:
            raise IdSentenceError(
                f"{n} is too large for the {self.name} layout (at most {self._limit - 1})"
            )

    # -- decoding ---------------------------------------------------------------------------

    def _decode_heard(self, text: str) -> Decoded:
        if not isinstance(text, str):
            raise IdSentenceError(f"a sentence must be text, not {type(text).__name__}")
        if len(text) > MAX_SENTENCE_CHARS:
            raise IdSentenceError(
                f"{len(text):,} characters are far too many for a support ID sentence (at most "
                f"{MAX_SENTENCE_CHARS:,}); expected {self._shape()}"
            )
        tokens = tokenize(text)
        if not tokens:
            raise IdSentenceError(f"the sentence is empty; expected {self._shape()}")
        if len(tokens) > MAX_WORDS_PER_SLOT * len(self._slots):
            # aligning a pasted paragraph word by word would only make a long error message
            raise IdSentenceError(
                f"{len(tokens)} words are far too many for a support ID; expected {self._shape()}"
            )
        in_order = self._read_in_order(tokens)
        if in_order is not None:
            value, steps = in_order
            if not steps:
                return Decoded(value, [])
            if len(steps) == 1:
                # the usual slip: one word heard differently and taken; nothing to explain
                j, reading = steps[0]
                if reading.taken is not None:
                    slot = self._slots[j]
                    value |= reading.taken << slot.shift
                    if not reading.corrected:
                        return Decoded(value, [])
                    word = slot.spelling(reading.taken)
                    return Decoded(value, [Correction(reading.heard, word, slot.name)])
            return self._conclude(steps, value)
        return self._conclude(self._align(tokens), 0)

    def _read_in_order(self, tokens: list[str]) -> tuple[int, list[tuple[int, Reading]]] | None:
        """The common case: every slot fills in order and no word is left over.

        Words spelt as listed only add their value; the others are kept as steps to conclude on.
        """
        position, value = 0, 0
        steps: list[tuple[int, Reading]] = []
        count = len(tokens)
        for j, slot, exact in self._slot_tables:
            if position >= count:
                return None
            shifted = exact.get(tokens[position])
            if shifted is not None:
                value |= shifted
                position += 1
                continue
            reading = slot.read(tokens, position)
            steps.append((j, reading))
            position += reading.consumed
        return (value, steps) if position == count else None

    def _align(self, tokens: list[str]) -> list[Step]:
        """Cheapest explanation of the words: each slot read, left out, or a word left over."""
        n_tokens, n_slots = len(tokens), len(self._slots)
        inf = float("inf")
        best = [[inf] * (n_slots + 1) for _ in range(n_tokens + 1)]
        back: dict[tuple[int, int], tuple[int, int, Step]] = {}
        best[0][0] = 0.0
        for i in range(n_tokens + 1):
            for j in range(n_slots + 1):
                here = best[i][j]
                if here == inf:
                    continue
                moves: list[tuple[int, int, float, Step]] = []
                if j < n_slots:
                    moves.append((i, j + 1, _COST_MISSING, (j, None)))
                if i < n_tokens:
                    moves.append((i + 1, j, _COST_EXTRA, tokens[i]))
                    if j < n_slots:
                        slot = self._slots[j]
                        first = slot.read(tokens, i)
                        for reading in [first, *slot.alternatives(tokens, i, first)]:
                            moves.append((i + reading.consumed, j + 1, reading.cost, (j, reading)))
                for ni, nj, cost, step in moves:
                    if here + cost < best[ni][nj]:
                        best[ni][nj] = here + cost
                        back[(ni, nj)] = (i, j, step)
        steps: list[Step] = []
        at = (n_tokens, n_slots)
        while at != (0, 0):
            i, j, step = back[at]
            steps.append(step)
            at = (i, j)
        steps.reverse()
        return steps

    def _conclude(self, steps: Sequence[Step], value: int) -> Decoded:
        """Adds up the steps' values, or raises with every problem found.

        A word that fits no slot, or fits several words of its slot, still leaves a sentence
        whose readings can be listed: those are raised as candidates (the nearest words stand in
        for the unknown one). A word missing or left over, or a bad count, leaves none.
        """
        problems: list[str] = []
        missing: list[str] = []
        extra: list[str] = []
        unreadable = False
        corrections = []
        open_slots: list[tuple[int, Reading]] = []
        for step in steps:
            if isinstance(step, str):
                extra.append(_shown(step))
                continue
            j, reading = step
            slot = self._slots[j]
            if reading is None:
                missing.append(f"the {slot.name}")
            elif reading.problem is not None:
                problems.append(reading.problem)
                unreadable = True
            elif reading.unknown:
                assert slot.matcher is not None
                nearest = slot.matcher.nearest(reading.heard)
                closest = ", ".join(repr(slot.spelling(i)) for i in nearest)
                problems.append(
                    f"{_shown(reading.heard)} is not {_article(slot.name)} here; closest: {closest}"
                )
                open_slots.append((j, reading._replace(contenders=nearest)))
            elif reading.taken is None:
                options = " or ".join(repr(slot.spelling(i)) for i in reading.contenders)
                problems.append(f"{reading.heard!r} could be the {slot.name} {options}; say which")
                open_slots.append((j, reading))
            else:
                value |= reading.taken << slot.shift
                if reading.corrected:
                    word = slot.spelling(reading.taken)
                    corrections.append(Correction(reading.heard, word, slot.name))
        if missing:
            problems.append(f"missing {_and(missing)}")
        if extra:
            problems.append(f"unexpected word{'s' if len(extra) > 1 else ''} {_and(extra)}")
        if missing or extra:
            problems.append(f"expected {self._shape()}")
        if unreadable or missing or extra:
            raise IdSentenceError("; ".join(problems))
        if open_slots:
            candidates = self._candidates(value, corrections, open_slots)
            raise AmbiguousSentenceError("; ".join(problems), candidates)
        return Decoded(value, corrections)

    def _candidates(
        self, value: int, corrections: list[Correction], open_slots: list[tuple[int, Reading]]
    ) -> list[Candidate]:
        candidates = []
        choices = itertools.product(*(reading.contenders for _, reading in open_slots))
        for choice in itertools.islice(choices, MAX_CANDIDATES):
            candidate_value, fixes = value, list(corrections)
            for (j, reading), index in zip(open_slots, choice, strict=True):
                slot = self._slots[j]
                candidate_value |= index << slot.shift
                fixes.append(Correction(reading.heard, slot.spelling(index), slot.name))
            fixes.sort(key=lambda fix: self.slot_names.index(fix.slot))
            candidates.append(Candidate(candidate_value, self.encode(candidate_value), fixes))
        return candidates

    def _shape(self) -> str:
        example = self.encode((0x5A5A5A5A5A5A5A5A >> (64 - self.bits)) if self.bits <= 64 else 0)
        return f"{' '.join(self.slot_names)}, as in {example!r}"
