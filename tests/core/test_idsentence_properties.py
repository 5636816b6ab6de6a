"""Properties over the whole ID space of every layout, and the census of every one-letter slip."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.core.idsentence import load_codec
from desktop.core.idsentence.census import single_letter_typos, typo_census

BITS = [16, 32, 64]


@pytest.mark.parametrize("bits", BITS)
@given(data=st.data())
def test_decode_undoes_encode(bits: int, data: st.DataObject) -> None:
    codec = load_codec(bits)
    value = data.draw(st.integers(min_value=0, max_value=2**bits - 1))
    assert codec.decode(codec.encode(value)).value == value
    assert codec.decode(codec.read_aloud(value)).value == value


@pytest.mark.parametrize("bits", BITS)
@given(data=st.data())
def test_no_two_ids_share_a_sentence(bits: int, data: st.DataObject) -> None:
    codec = load_codec(bits)
    a, b = data.draw(
        st.lists(st.integers(0, 2**bits - 1), min_size=2, max_size=2, unique=True), label="ids"
    )
    assert codec.encode(a) != codec.encode(b)
    assert codec.read_aloud(a) != codec.read_aloud(b)


def test_every_16_bit_id_has_its_own_sentence() -> None:
    codec = load_codec(16)
    sentences = {codec.encode(value) for value in range(2**16)}
    assert len(sentences) == 2**16


def test_single_letter_typos_cover_the_four_kinds() -> None:
    typos = single_letter_typos("cat")
    assert {"at", "cart", "cot", "act"} <= typos
    assert "cat" not in typos
    assert len(typos) == len(set(typos))


@pytest.mark.parametrize("layout", ["classic-32", "phone-16", "phone-64"])
def test_single_letter_typo_census(layout: str, capsys: pytest.CaptureFixture[str]) -> None:
    census = typo_census(load_codec(layout))
    with capsys.disabled():
        print(f"\n{census.summary()}")
    assert census.wrong == []
    assert census.right / census.total >= 0.90
    if layout != "classic-32":
        # our lists keep three edits between words, so a single slip never meets another word
        assert census.other_word == 0


@pytest.mark.parametrize("bits", BITS)
@given(
    data=st.data(),
    separator=st.sampled_from([" ", "  ", "-", "_", ", ", " - ", "\t"]),
    case=st.sampled_from([str.upper, str.title, str.lower, str.capitalize]),
    end=st.sampled_from(["", ".", "!", "?", " ."]),
)
def test_case_separators_and_punctuation_never_change_the_id(
    bits: int, data: st.DataObject, separator: str, case: Callable[[str], str], end: str
) -> None:
    codec = load_codec(bits)
    value = data.draw(st.integers(min_value=0, max_value=2**bits - 1))
    spoken = data.draw(st.booleans(), label="read aloud")
    sentence = codec.read_aloud(value) if spoken else codec.encode(value)
    typed = case(separator.join(sentence.split())) + end
    decoded = codec.decode(typed)
    assert decoded.value == value
    assert decoded.corrections == []
