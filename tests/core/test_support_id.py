"""One reading of a support ID for every field and command: its number or its sentence."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.core.idsentence import (
    AmbiguousSentenceError,
    IdSentenceError,
    default_codec,
    load_codec,
    parse_id,
    read_support_id,
)

LEOPARDS = 2474137653


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2474137653", LEOPARDS),
        ("  2 474 137 653\n", LEOPARDS),
        ("2,474,137,653", LEOPARDS),
        ("\uff12\uff14\uff17\uff14\uff11\uff13\uff17\uff16\uff15\uff13", LEOPARDS),  # full-width
        ("20 exultant leopards strode intensely", LEOPARDS),
        ("  Twenty exultant leopard strode intensly ", LEOPARDS),
        ("0", 0),
    ],
)
def test_a_number_or_a_sentence_gives_the_id(typed: str, expected: int) -> None:
    assert read_support_id(typed, default_codec()).value == expected


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("\u00b2", "'\u00b2' is not a support ID: type its number in digits only, or its sentence"),
        ("\u00bd", "'\u00bd' is not a support ID: type its number in digits only"),
        ("12.5", "'12.5' is not a support ID: type its number in digits only"),
        ("4294967296", "is not a support ID: 4294967296 is too large for the classic-32 layout"),
        ("-1", "'-1' is not a support ID: an ID cannot be negative: -1"),
        ("9" * 4301, "is not a support ID: a number of 4,301 digits is far too large for an ID"),
        ("12x", "'12x' is not a support ID: missing the adjective"),
        ("x" * 100_000, "100,000 characters are far too many"),
        ("   ", "type the support ID: its number or its sentence"),
        ("", "type the support ID: its number or its sentence"),
    ],
)
def test_anything_else_is_refused_with_a_message(typed: str, message: str) -> None:
    with pytest.raises(IdSentenceError) as caught:
        read_support_id(typed, default_codec())
    assert message in str(caught.value)
    assert len(str(caught.value)) < 300  # a pasted page is not repeated back in full


def test_the_corrections_made_to_read_a_sentence_are_kept() -> None:
    read = read_support_id("20 exultant leopard strode intensely", default_codec())
    assert [(c.heard, c.corrected) for c in read.corrections] == [("leopard", "leopards")]
    assert read_support_id("2474137653", default_codec()).corrections == []


def test_an_ambiguous_sentence_keeps_its_candidates() -> None:
    with pytest.raises(AmbiguousSentenceError) as caught:
        read_support_id("20 furzy leopards strode intensely", default_codec())
    assert [c.value for c in caught.value.candidates] == [2484623413, 2485671989]


def test_the_range_is_the_codecs_layout() -> None:
    assert read_support_id("65535", load_codec(16)).value == 65535
    with pytest.raises(IdSentenceError, match="too large for the phone-16 layout"):
        read_support_id("65536", load_codec(16))
    assert read_support_id(str(2**64 - 1), load_codec(64)).value == 2**64 - 1


@given(
    value=st.integers(min_value=0, max_value=2**32 - 1),
    spelling=st.sampled_from(["{}", " {} ", "+{}", "000{}", "{}\r", "\t{}"]),
)
def test_a_batch_reads_a_clean_number_as_parse_id_does(value: int, spelling: str) -> None:
    """Batches take ``int``'s fast path and fall back to parse_id: both must agree."""
    codec = default_codec()
    line = spelling.format(value)
    assert codec.encode_lines([line], 1, lambda *_: None) == [codec.encode(parse_id(line))]


@given(text=st.text(max_size=12))
def test_a_batch_line_off_the_fast_path_is_passed_on_never_misread(text: str) -> None:
    codec = default_codec()
    missed: list[str] = []
    out = codec.encode_lines([text], 1, lambda _, line: missed.append(line))
    try:
        expected = [codec.encode(codec.check(int(text)))]
    except (ValueError, IdSentenceError):
        expected = []
    assert out == expected
    assert missed == ([] if expected else [text])
