"""No line typed or pasted makes decoding slow or hungry: each is answered in milliseconds.

The matcher's search grows with the square of a word's length, so before words and lines were
bounded a 2,000-letter word took 44 s and 3.7 GB, and a 4,215-digit line was killed at 24 GB.
"""

from __future__ import annotations

import random
import string
import time
import tracemalloc
from collections.abc import Callable

import pytest

from desktop.core.idsentence import IdSentenceError, default_codec, load_codec

#: Far above what these take (a few milliseconds), far below what they took unbounded.
SECONDS = 1.0
PEAK_MB = 50.0


def letters(count: int, seed: int = 1, alphabet: str = string.ascii_lowercase) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice(alphabet) for _ in range(count))


def measured(call: Callable[[], object]) -> tuple[str, float, float]:
    """The message ``call`` was refused with, its seconds and the peak MB it allocated."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(IdSentenceError) as caught:
            call()
        return str(caught.value), time.perf_counter() - started, _peak_mb()
    finally:
        tracemalloc.stop()


def _peak_mb() -> float:
    return tracemalloc.get_traced_memory()[1] / 2**20


@pytest.fixture(autouse=True)
def warm_codecs() -> None:
    """The forgiving decoder builds its search tables on first use; that is not what is timed."""
    for bits in (16, 32, 64):
        with pytest.raises(IdSentenceError):
            load_codec(bits).decode("purple")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (f"20 {letters(2000)} leopards strode intensely", "2,000 letters, longer than any"),
        (letters(4215, alphabet=string.digits), "4,215 characters are far too many for a"),
        (" ".join(letters(7, seed=n) for n in range(12_500)), "99,999 characters are far too"),
        (letters(100_000), "100,000 characters are far too many"),
    ],
    ids=["2000-letter word", "4215 digits", "100 kB of words", "100 kB word"],
)
def test_a_huge_line_is_refused_quickly_and_in_little_memory(line: str, message: str) -> None:
    refused, seconds, peak = measured(lambda: default_codec().decode(line))
    assert message in refused
    assert seconds < SECONDS
    assert peak < PEAK_MB


@pytest.mark.parametrize("bits", [16, 32, 64])
def test_the_worst_line_within_the_bounds_is_still_quick(bits: int) -> None:
    """As many words as are read at all, each as long as a word can be and still be taken."""
    codec = load_codec(bits)
    longest = max(len(max(words, key=len)) for words in codec.field_words()) + 4
    words = 3 * len(codec.slot_names)
    line = " ".join(letters(longest, seed=n) for n in range(words))
    _, seconds, peak = measured(lambda: codec.decode(line))
    assert seconds < SECONDS
    assert peak < PEAK_MB


def test_a_long_word_is_named_with_its_slot() -> None:
    with pytest.raises(IdSentenceError, match=r"^'yyyy.*' is not a noun: 30 letters, longer than"):
        default_codec().decode(f"20 exultant {'y' * 30} strode intensely")


def test_a_misspelt_word_of_the_longest_length_is_still_corrected() -> None:
    """The bound leaves every word that could be taken: 'absentmindedly' with slips added."""
    decoded = default_codec().decode("20 exultant leopards strode absenttminndeddly")
    assert decoded.corrections[0].corrected == "absentmindedly"
