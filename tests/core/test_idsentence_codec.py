"""Encoding and forgiving decoding, as staff type what they hear."""

from __future__ import annotations

import pytest

from desktop.core.idsentence import (
    AmbiguousSentenceError,
    Correction,
    IdSentenceError,
    default_codec,
    load_codec,
    parse_id,
)

LEOPARDS = 2474137653  # 20 exultant leopards strode intensely


@pytest.mark.parametrize(
    "typed",
    [
        "20 exultant leopards strode intensely",
        "20 EXULTANT Leopards strode intensely",
        "  20   exultant\tleopards strode intensely.  ",
        "20, exultant leopards strode intensely!",
        "20-exultant-leopards-strode-intensely",
        "20_exultant_leopards_strode_intensely",
        "twenty exultant leopards strode intensely",
        "Twenty exultant leopards strode intensely",
        "20exultant leopards strode intensely",
        "\u201c20 exultant leopards strode intensely\u201d",
    ],
)
def test_the_same_sentence_typed_in_many_ways_decodes_without_corrections(typed: str) -> None:
    decoded = default_codec().decode(typed)
    assert decoded.value == LEOPARDS
    assert decoded.corrections == []


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("thirty three zany zebras zoomed zestfully", 2**32 - 1),
        ("thirty-three zany zebras zoomed zestfully", 2**32 - 1),
        ("thirtythree zany zebras zoomed zestfully", 2**32 - 1),
        ("two adorable aardvarks ambled absentmindedly", 0),
    ],
)
def test_counts_as_english_words(typed: str, value: int) -> None:
    assert default_codec().decode(typed).value == value


@pytest.mark.parametrize(
    ("typed", "heard", "corrected", "slot"),
    [
        ("20 exultant leopard strode intensely", "leopard", "leopards", "noun"),
        ("20 exultant leoprads strode intensely", "leoprads", "leopards", "noun"),
        ("20 exultant leperds strode intensely", "leperds", "leopards", "noun"),
        ("20 exultant leopards strode intensly", "intensly", "intensely", "adverb"),
        ("20 exultant leopards strode in tensely", "in tensely", "intensely", "adverb"),
        ("20 exultent leopards strode intensely", "exultent", "exultant", "adjective"),
        ("twnety exultant leopards strode intensely", "twnety", "20", "count"),
        ("20 honourable oxen ran colourfully", "honourable", "honorable", "adjective"),
        ("20 honorable oxen ran colorfully", "oxen", "oxes", "noun"),
        ("20 honorable oxes traveled colourfully", "colourfully", "colorfully", "adverb"),
        ("20 honorable oxes travelled colorfully", "travelled", "traveled", "verb"),
        ("20 honorable fenixes ran colorfully", "fenixes", "phoenixes", "noun"),
        ("20 honorable fenix ran colorfully", "fenix", "phoenixes", "noun"),
        ("20 honorable dinosaurs ran colorfully", "dinosaurs", "dinasaurs", "noun"),
        ("20 honorable meerkats ran colorfully", "meerkats", "meerkat", "noun"),
        ("20 honorable wolf weighed colorfully", "weighed", "wade", "verb"),
    ],
)
def test_corrections_say_what_was_heard_and_what_it_became(
    typed: str, heard: str, corrected: str, slot: str
) -> None:
    decoded = default_codec().decode(typed)
    assert Correction(heard, corrected, slot) in decoded.corrections
    assert (
        default_codec().encode(decoded.value).split()[default_codec().slot_names.index(slot)]
        == corrected
    )


def test_a_correction_reports_each_word_once_and_nothing_else() -> None:
    decoded = default_codec().decode("Twenty exultant leopard strode intensly.")
    assert decoded.value == LEOPARDS
    assert decoded.corrections == [
        Correction("leopard", "leopards", "noun"),
        Correction("intensly", "intensely", "adverb"),
    ]


def test_a_slip_between_two_words_is_not_guessed() -> None:
    with pytest.raises(AmbiguousSentenceError) as caught:
        default_codec().decode("20 furzy leopards strode intensely")
    message = str(caught.value)
    assert "'furzy' could be the adjective 'furry' or 'fuzzy'" in message
    sentences = {c.sentence for c in caught.value.candidates}
    assert sentences == {"20 furry leopards strode intensely", "20 fuzzy leopards strode intensely"}
    for candidate in caught.value.candidates:
        assert default_codec().decode(candidate.sentence).value == candidate.value
        assert candidate.corrections[0].heard == "furzy"


def test_ambiguity_is_an_id_sentence_error_and_a_value_error() -> None:
    with pytest.raises(ValueError, match="say which"):
        default_codec().decode("20 furzy leopards strode intensely")


def test_a_word_of_no_slot_names_the_word_the_slot_and_the_closest() -> None:
    with pytest.raises(IdSentenceError) as caught:
        default_codec().decode("20 purple leopards strode intensely")
    message = str(caught.value)
    assert message.startswith("'purple' is not an adjective here; closest: ")
    assert "'puzzled'" in message


def test_a_word_of_no_slot_offers_the_nearest_words_as_candidates() -> None:
    with pytest.raises(AmbiguousSentenceError) as caught:
        default_codec().decode("20 purple leopards strode intensely")
    sentences = [c.sentence for c in caught.value.candidates]
    assert "20 puzzled leopards strode intensely" in sentences
    assert len(sentences) == 3


def test_a_sentence_missing_a_word_offers_no_candidates() -> None:
    with pytest.raises(IdSentenceError) as caught:
        default_codec().decode("20 purple leopards strode")
    assert not isinstance(caught.value, AmbiguousSentenceError)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("40 exultant leopards strode intensely", "the count must be 2-33, not 40"),
        ("one exultant leopards strode intensely", "the count must be 2-33, not 1"),
        ("lots exultant leopards strode intensely", "'lots' is not a count; expected a number"),
        ("20 exultant leopards strode", "missing the adverb"),
        ("exultant leopards strode intensely", "missing the count"),
        ("20 exultant strode intensely", "missing the noun"),
        ("20 exultant leopards strode intensely today", "unexpected word 'today'"),
        ("happy 20 leopards strode intensely", "'20' is not an adjective; a number only goes"),
        ("", "the sentence is empty"),
        ("leopards " * 16, "16 words are far too many for a support ID"),
        ("9" * 4000 + " exultant leopards strode intensely", "'99999999999999999999\u2026' is no"),
        ("20 " + "x" * 100 + " leopards strode intensely", "'xxxxxxxxxxxxxxxxxxxx\u2026' is no"),
        ("?!", "the sentence is empty"),
    ],
)
def test_errors_name_the_problem(typed: str, expected: str) -> None:
    with pytest.raises(IdSentenceError) as caught:
        default_codec().decode(typed)
    assert expected in str(caught.value)


def test_a_missing_slot_also_shows_the_expected_shape() -> None:
    with pytest.raises(IdSentenceError, match="expected count adjective noun verb adverb, as in"):
        default_codec().decode("20 exultant leopards strode")


def test_several_problems_are_all_named() -> None:
    with pytest.raises(IdSentenceError) as caught:
        default_codec().decode("40 purple leopards strode")
    message = str(caught.value)
    assert "not 40" in message
    assert "'purple'" in message
    assert "missing the adverb" in message


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (-1, "cannot be negative: -1"),
        (2**32, "too large for the classic-32 layout (at most 4294967295)"),
        (1.0, "must be a whole number, not 1.0"),
        ("12", "must be a whole number, not '12'"),
        (True, "must be a whole number, not True"),
        (None, "must be a whole number, not None"),
    ],
)
def test_encode_refuses_what_is_not_an_id(value: object, expected: str) -> None:
    with pytest.raises(IdSentenceError) as caught:
        default_codec().encode(value)  # type: ignore[arg-type]
    assert expected in str(caught.value)


def test_read_aloud_says_the_count_in_words() -> None:
    assert default_codec().read_aloud(LEOPARDS) == "twenty exultant leopards strode intensely"
    assert default_codec().read_aloud(2**32 - 1).startswith("thirty three zany")
    assert default_codec().decode(default_codec().read_aloud(LEOPARDS)).value == LEOPARDS


def test_decode_refuses_what_is_not_text() -> None:
    with pytest.raises(IdSentenceError, match="must be text"):
        default_codec().decode(12)  # type: ignore[arg-type]


@pytest.mark.parametrize("bits", [16, 64])
def test_our_layouts_forgive_the_same_way(bits: int) -> None:
    codec = load_codec(bits)
    value = (2**bits - 1) // 3
    words = codec.encode(value).split()
    words[1] = words[1][:-2] + words[1][-1] + words[1][-2]  # transposed letters
    decoded = codec.decode(" ".join(words).upper())
    assert decoded.value == value
    assert [c.slot for c in decoded.corrections] == ["adjective"]


def test_the_second_clause_of_the_64_bit_layout_is_named_in_errors() -> None:
    codec = load_codec(64)
    words = codec.read_aloud(2**63).split()
    with pytest.raises(IdSentenceError, match="missing the second adverb"):
        codec.decode(" ".join(words[:-1]))


def test_a_count_takes_its_unit_only_when_that_is_a_number_word() -> None:
    codec = load_codec(64)
    value = 2426404864  # its second clause reads "twenty bright badgers ..."
    assert "twenty bright" in codec.read_aloud(value)
    assert codec.decode(codec.read_aloud(value)).value == value
    classic = default_codec()
    assert classic.decode("twenty eigth exultant leopards strode intensely").corrections == [
        Correction("twenty eigth", "28", "count")
    ]


def test_field_words_are_the_lists_as_printed() -> None:
    words = default_codec().field_words()
    assert [len(field) for field in words] == [32, 128, 128, 64, 128]
    assert words[0][:3] == ("2", "3", "4")
    assert default_codec().encode(0).split() == [field[0] for field in words]


def test_several_missing_or_extra_words_are_named_together() -> None:
    with pytest.raises(IdSentenceError, match=r"^missing the verb and the adverb; expected"):
        default_codec().decode("21 happy dogs")
    with pytest.raises(IdSentenceError, match=r"^unexpected words 'x' and 'y'; expected"):
        default_codec().decode("x 20 exultant leopards strode intensely y")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("4 294 967 295", 4294967295),
        ("1,234", 1234),
        ("+5", 5),
        ("\u0663", 3),  # an Arabic-Indic digit is still a digit
    ],
)
def test_parse_id_forgives_grouping(typed: str, expected: int) -> None:
    assert parse_id(typed) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1.5", "'1.5' is not a whole number"),
        ("\u00b2", "is not a whole number"),  # superscript two: a digit, but not a number
        ("0x10", "is not a whole number"),
        ("9" * 5000, "a number of 5,000 digits is far too large"),
        ("", "is not a whole number"),
    ],
)
def test_parse_id_refuses_what_is_not_a_number(typed: str, expected: str) -> None:
    with pytest.raises(IdSentenceError, match=expected):
        parse_id(typed)
