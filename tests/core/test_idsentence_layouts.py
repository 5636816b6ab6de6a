"""Layout files: the classic contract stays as handed out, our own lists keep the phone rules."""

from __future__ import annotations

import hashlib
import itertools
import json
from typing import Any

import pytest
from better_profanity import profanity
from jellyfish import metaphone
from rapidfuzz.distance import OSA

from desktop.core.idsentence import LayoutError, available_layouts, load_codec
from desktop.core.idsentence.layout import WordField, layouts_dir, load_layout, parse_layout

#: sha256 of the classic file as shipped to customers; sentences already handed out depend on it.
CLASSIC_SHA256 = "4441b0659d6903f7c5d5c3e27a3c9af309198a147b57cd453e99aa135dcca22f"
PHONE_LAYOUTS = ["phone-16", "phone-64"]


def test_the_classic_file_is_byte_for_byte_the_contract() -> None:
    data = (layouts_dir() / "classic-32.json").read_bytes()
    assert hashlib.sha256(data).hexdigest() == CLASSIC_SHA256


def test_classic_sentences_already_handed_out_keep_their_numbers() -> None:
    codec = load_codec("classic-32")
    assert codec.decode("20 exultant leopards strode intensely").value == 2474137653
    assert codec.encode(0) == "2 adorable aardvarks ambled absentmindedly"
    assert codec.encode(2**32 - 1) == "33 zany zebras zoomed zestfully"
    # the odd spellings are part of the contract
    assert "dinasaurs" in codec.encode(30 << 13)


def test_three_sizes_are_shipped_and_picked_by_bits() -> None:
    assert {"classic-32", "phone-16", "phone-64"} <= set(available_layouts())
    assert [load_codec(bits).bits for bits in (16, 32, 64)] == [16, 32, 64]
    assert load_codec("16").name == "phone-16"
    with pytest.raises(LayoutError, match="unknown layout '48'"):
        load_codec(48)
    with pytest.raises(LayoutError, match="unknown layout '\u00b3\u00b2'"):
        load_codec("\u00b3\u00b2")  # digits to str.isdigit, but no number to int()


def _phone_fields() -> list[tuple[str, WordField]]:
    return [
        (name, field)
        for name in PHONE_LAYOUTS
        for field in load_layout(name).fields
        if isinstance(field, WordField)
    ]


@pytest.mark.parametrize(("layout", "field"), _phone_fields(), ids=lambda v: getattr(v, "name", v))
def test_our_words_are_three_edits_apart_and_sound_different(layout: str, field: WordField) -> None:
    too_close = [
        (a, b) for a, b in itertools.combinations(field.words, 2) if OSA.distance(a, b) < 3
    ]
    assert too_close == []
    keys: dict[str, list[str]] = {}
    for word in field.words:
        keys.setdefault(metaphone(word), []).append(word)
    assert {key: words for key, words in keys.items() if len(words) > 1} == {}


@pytest.mark.parametrize(("layout", "field"), _phone_fields(), ids=lambda v: getattr(v, "name", v))
def test_our_words_are_not_offensive(layout: str, field: WordField) -> None:
    assert [w for w in field.words if profanity.contains_profanity(w)] == []


def test_the_profanity_check_does_catch_offensive_words() -> None:
    assert profanity.contains_profanity("shit")


def _layout(**changes: Any) -> dict[str, Any]:
    layout: dict[str, Any] = {
        "name": "tiny",
        "bits": 3,
        "fields": [
            {"name": "count", "bits": 1, "first": 2},
            {"name": "noun", "bits": 2, "words": ["otters", "badgers", "herons", "lemurs"]},
        ],
    }
    layout.update(changes)
    return layout


def test_a_valid_layout_loads() -> None:
    layout = parse_layout(_layout(), {}, "tiny.json")
    assert layout.bits == 3


@pytest.mark.parametrize(
    ("words", "message"),
    [
        (["otters", "badgers", "herons"], "2 bits need 4 words, got 3"),
        (["otters", "badgers", "herons", "otters"], "'otters' appears twice"),
        (["otters", "badgers", "herons", "Otters"], "must be one lower-case word"),
        (["otters", "badgers", "herons", "two words"], "must be one lower-case word"),
    ],
)
def test_bad_word_lists_are_refused(words: list[str], message: str) -> None:
    data = _layout()
    data["fields"][1]["words"] = words
    with pytest.raises(LayoutError, match=message):
        parse_layout(data, {}, "tiny.json")


def test_words_that_would_be_heard_as_one_are_refused() -> None:
    data = _layout()
    data["fields"][1]["words"] = ["colour", "badgers", "herons", "color"]
    with pytest.raises(LayoutError, match="'colour' and 'color' read the same"):
        parse_layout(data, {}, "tiny.json")
    data["fields"][1]["words"] = ["otters", "badgers", "herons", "otter"]
    plural = {"fields": {"noun": {"plural": True}}}
    with pytest.raises(LayoutError, match="'otters' and 'otter' read the same"):
        parse_layout(data, plural, "tiny.json")
    assert parse_layout(data, {}, "tiny.json").bits == 3  # not a plural slot: two words


def test_declared_bits_must_match_the_fields() -> None:
    with pytest.raises(LayoutError, match="declares 4 bits but its fields add up to 3"):
        parse_layout(_layout(bits=4), {}, "tiny.json")


def test_aliases_must_point_at_list_words_and_hide_none() -> None:
    wrong_target = {"fields": {"noun": {"aliases": {"otter": "beavers"}}}}
    with pytest.raises(LayoutError, match="points at 'beavers'"):
        parse_layout(_layout(), wrong_target, "tiny.json")
    hiding = {"fields": {"noun": {"aliases": {"herons": "otters"}}}}
    with pytest.raises(LayoutError, match="would hide the list word 'herons'"):
        parse_layout(_layout(), hiding, "tiny.json")
    unknown_field = {"fields": {"verb": {"aliases": {}}}}
    with pytest.raises(LayoutError, match="unknown fields"):
        parse_layout(_layout(), unknown_field, "tiny.json")


def test_numbers_in_a_word_list_must_be_a_plain_range() -> None:
    data = _layout()
    data["fields"][1]["words"] = ["1", "2", "4", "5"]
    with pytest.raises(LayoutError, match="consecutive"):
        parse_layout(data, {}, "tiny.json")


def test_every_shipped_file_is_valid_json_with_a_matching_name() -> None:
    for path in layouts_dir().glob("*.json"):
        assert json.loads(path.read_text())["name"] == path.stem
