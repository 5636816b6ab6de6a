"""Layouts: which fields an ID sentence has, read from JSON data files and checked on load.

A layout is data rather than code so that a list handed out to customers can never change by
accident in a refactoring; the checks here refuse any file that would give two IDs one sentence.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop.core.idsentence.errors import LayoutError
from desktop.core.idsentence.text import normal_form
from desktop.core.resources import resources_dir

#: Layouts picked by size, for ``--layout 16|32|64``.
LAYOUT_BY_BITS = {16: "phone-16", 32: "classic-32", 64: "phone-64"}
DEFAULT_LAYOUT = "classic-32"


@dataclass(frozen=True)
class NumberField:
    """A count said as a number; its value is the number minus ``first``."""

    name: str
    bits: int
    first: int

    @property
    def last(self) -> int:
        return self.first + (1 << self.bits) - 1


@dataclass(frozen=True)
class WordField:
    """A word slot; its value is the word's index. ``aliases`` map heard forms to list words."""

    name: str
    bits: int
    words: tuple[str, ...]
    plural: bool = False
    aliases: Mapping[str, str] = field(default_factory=dict)


Field = NumberField | WordField


@dataclass(frozen=True)
class Layout:
    name: str
    description: str
    fields: tuple[Field, ...]

    @property
    def bits(self) -> int:
        return sum(f.bits for f in self.fields)


def layouts_dir() -> Path:
    return resources_dir() / "layouts"


def available_layouts() -> list[str]:
    return sorted(p.stem for p in layouts_dir().glob("*.json"))


def resolve_layout_name(name_or_bits: str | int) -> str:
    """Accepts a layout name or its size in bits (16, 32, 64), as typed on a command line."""
    key = str(name_or_bits).strip()
    if key.isascii() and key.isdigit() and int(key) in LAYOUT_BY_BITS:
        return LAYOUT_BY_BITS[int(key)]
    if key in available_layouts():
        return key
    sizes = ", ".join(str(bits) for bits in sorted(LAYOUT_BY_BITS))
    raise LayoutError(
        f"unknown layout {key!r}; have {', '.join(available_layouts())} (or bits: {sizes})"
    )


def load_layout(name: str) -> Layout:
    """Reads ``layouts/NAME.json`` and its hearing aids ``layouts/hearing/NAME.json``."""
    path = layouts_dir() / f"{name}.json"
    hearing_path = layouts_dir() / "hearing" / f"{name}.json"
    hearing = _read_json(hearing_path) if hearing_path.exists() else {}
    return parse_layout(_read_json(path), hearing, source=path.name)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise LayoutError(f"{path.name}: cannot read layout: {error}") from error
    if not isinstance(data, dict):
        raise LayoutError(f"{path.name}: a layout file holds one JSON object")
    return data


def parse_layout(data: dict[str, Any], hearing: dict[str, Any], source: str) -> Layout:
    raw_fields = data.get("fields")
    if not isinstance(raw_fields, list) or not raw_fields:
        raise LayoutError(f"{source}: 'fields' must be a non-empty list")
    hearing_fields = hearing.get("fields", {})
    if not isinstance(hearing_fields, dict):
        raise LayoutError(f"{source}: hearing 'fields' must be an object")
    fields = []
    for raw in raw_fields:
        if not isinstance(raw, dict):
            raise LayoutError(f"{source}: every field must be an object")
        fields.append(_parse_field(raw, hearing_fields.get(raw.get("name"), {}), source))
    names = [f.name for f in fields]
    if len(set(names)) != len(names):
        raise LayoutError(f"{source}: field names must be unique, got {names}")
    unknown = set(hearing_fields) - set(names)
    if unknown:
        raise LayoutError(f"{source}: hearing aids for unknown fields {sorted(unknown)}")
    layout = Layout(
        name=str(data.get("name", "")),
        description=str(data.get("description", "")),
        fields=tuple(fields),
    )
    if not layout.name:
        raise LayoutError(f"{source}: a layout needs a name")
    if data.get("bits") != layout.bits:
        raise LayoutError(
            f"{source}: declares {data.get('bits')} bits but its fields add up to {layout.bits}"
        )
    return layout


def _parse_field(raw: dict[str, Any], hearing: dict[str, Any], source: str) -> Field:
    name, bits = raw.get("name"), raw.get("bits")
    if not isinstance(name, str) or not name:
        raise LayoutError(f"{source}: every field needs a name")
    where = f"{source}: field {name!r}"
    if not isinstance(bits, int) or isinstance(bits, bool) or not 1 <= bits <= 16:
        raise LayoutError(f"{where}: 'bits' must be an integer from 1 to 16")
    if "first" in raw:
        first = raw["first"]
        if not isinstance(first, int) or isinstance(first, bool) or first < 0:
            raise LayoutError(f"{where}: 'first' must be a non-negative integer")
        return NumberField(name, bits, first)
    words = raw.get("words")
    if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
        raise LayoutError(f"{where}: needs 'words' (a list of strings) or 'first'")
    if len(words) != 1 << bits:
        raise LayoutError(f"{where}: {bits} bits need {1 << bits} words, got {len(words)}")
    if all(w.isdigit() for w in words):
        return _number_field_from_words(name, bits, words, where)
    plural = hearing.get("plural", False)
    if not isinstance(plural, bool):
        raise LayoutError(f"{where}: 'plural' must be true or false")
    _check_words(words, plural, where)
    aliases = hearing.get("aliases", {})
    if not isinstance(aliases, dict):
        raise LayoutError(f"{where}: 'aliases' must map heard words to list words")
    _check_aliases(aliases, words, where)
    return WordField(name, bits, tuple(words), plural, aliases)


def _number_field_from_words(name: str, bits: int, words: list[str], where: str) -> NumberField:
    """A list of numerals (the classic count) is kept only if it is a plain consecutive range."""
    first = int(words[0])
    if [int(w) for w in words] != list(range(first, first + len(words))) or any(
        w != str(int(w)) for w in words
    ):
        raise LayoutError(f"{where}: numbers must be consecutive and written plainly")
    return NumberField(name, bits, first)


def _check_words(words: list[str], plural: bool, where: str) -> None:
    seen: dict[str, str] = {}
    for word in words:
        if not word.isascii() or not word.isalpha() or word != word.lower():
            raise LayoutError(f"{where}: {word!r} must be one lower-case word of letters a-z")
        key = normal_form(word, plural)
        if key in seen:
            raise LayoutError(
                f"{where}: {seen[key]!r} and {word!r} read the same"
                if seen[key] != word
                else f"{where}: {word!r} appears twice"
            )
        seen[key] = word


def _check_aliases(aliases: dict[Any, Any], words: list[str], where: str) -> None:
    known = set(words)
    for heard, word in aliases.items():
        if word not in known:
            raise LayoutError(
                f"{where}: alias {heard!r} points at {word!r}, not a word of the list"
            )
        if not isinstance(heard, str) or not heard.isalpha() or heard != heard.lower():
            raise LayoutError(f"{where}: alias {heard!r} must be one lower-case word of letters")
        if heard in known:
            raise LayoutError(f"{where}: alias {heard!r} would hide the list word {heard!r}")
