"""Straight-line encode and exact-decode functions generated for one layout.

A loop over fields costs more than the work it does (a lookup and a shift per field), so, as
``collections.namedtuple`` does for its methods, the loop is unrolled into source generated from
the layout's shape and compiled once per codec. Only names and integers from the layout reach
the source; the word tables are passed in as variables, never pasted into it.

Each comes in a form for one item and a form for a list of lines, as a stream arrives: the loop
over lines is generated too, so a line on the exact path costs no call at all (a list of clean
lines is one comprehension). A line that is not on it goes to ``missed(number, line)``, whose
text (or None, for nothing) takes its place.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from desktop.core.idsentence.results import Decoded

#: (phrases, shift, mask) of one group of neighbouring fields, see ``codec._phrase_tables``.
PhraseTable = tuple[tuple[str, ...], int, int]
#: ``(lines, number of the first line, missed) -> output lines``, see the module doc.
LinesFunction = Callable[[Sequence[str], int, Callable[[int, str], str | None]], list[str]]


class Encoders(NamedTuple):
    encode: Callable[[int], str]
    encode_lines: LinesFunction


class Decoders(NamedTuple):
    decode: Callable[[str], Decoded]
    value_of: Callable[[str], int]
    decode_lines: LinesFunction


def _compile(source: str, name: str, variables: dict[str, Any]) -> Any:
    """Compiles ``source``, a factory ``make`` whose parameters are ``variables``: closure
    variables are the fastest names to read in the functions it returns."""
    namespace: dict[str, Any] = {}
    exec(compile(source, f"<idsentence {name}>", "exec"), namespace)
    return namespace["make"](**variables)


#: A ``*_lines`` function: first the whole list in one comprehension (``{bulk}``, which is
#: given up at the first line off the exact path), then, only if that failed, line by line
#: around ``{body}``, which appends and continues on success and else falls through to missed.
_LINES_LOOP = (
    "    def {name}(lines, first, missed):\n"
    "        try:\n"
    "            out = {bulk}\n"
    "            if len(out) == len(lines):\n"
    "                return out\n"
    "        except {errors}:\n"
    "            pass\n"
    "        out = []\n"
    "        append = out.append\n"
    "        for number, line in enumerate(lines, first):\n"
    "            try:\n"
    "{body}"
    "            except {errors}:\n"
    "                pass\n"
    "            text = missed(number, line)\n"
    "            if text is not None:\n"
    "                append(text)\n"
    "        return out\n"
)


def compile_encoder(
    tables: Sequence[PhraseTable], limit: int, refuse: Callable[[object], None]
) -> Encoders:
    """``n -> sentence``: one lookup per group of fields, joined by an f-string; and its lines
    form, which takes a line that ``int`` reads as a number in range."""
    variables: dict[str, Any] = {"refuse": refuse, "limit": limit}
    parts = []
    for i, (phrases, shift, mask) in enumerate(tables):
        variables[f"t{i}"] = phrases
        parts.append(f"{{t{i}[(n >> {shift}) & {mask}]}}")
    sentence = f'f"{" ".join(parts)}"'
    body = (
        "                n = int(line)\n"
        "                if 0 <= n < limit:\n"
        f"                    append({sentence})\n"
        "                    continue\n"
    )
    source = (
        f"def make({', '.join(variables)}):\n"
        "    def encode(n):\n"
        "        if n.__class__ is not int or not 0 <= n < limit:\n"
        "            refuse(n)\n"
        f"        return {sentence}\n"
        + _LINES_LOOP.format(
            name="encode_lines",
            bulk=f"[{sentence} for n in map(int, lines) if 0 <= n < limit]",
            body=body,
            errors="ValueError",
        )
        + "    return encode, encode_lines\n"
    )
    return Encoders(*_compile(source, "encode", variables))


def compile_exact_decoder(
    tables: Sequence[dict[str, int]], fallback: Callable[[str], Decoded]
) -> Decoders:
    """``sentence -> Decoded`` for sentences typed exactly as printed; anything else (a word not
    in its table, the wrong number of words, not even a string) goes to ``fallback``. Also
    ``value_of``, the same for callers that only want the number (no result to allocate), and the
    lines form, which prints each line's number.

    The tables map each field's words to their value already shifted into place, so the values
    only need to be or-ed together.
    """
    variables: dict[str, Any] = {
        "fallback": fallback,
        "new_tuple": tuple.__new__,
        "Decoded": Decoded,
    }
    words = []
    for i, table in enumerate(tables):
        variables[f"e{i}"] = table
        words.append(f"w{i}")
    unpack = f"{', '.join(words)}, = "
    lookups = " | ".join(f"e{i}[w{i}]" for i in range(len(tables)))
    errors = "(KeyError, ValueError, AttributeError)"
    body = (
        f"                {unpack}line.split()\n"
        f"                append(str({lookups}))\n"
        "                continue\n"
    )
    source = (
        f"def make({', '.join(variables)}):\n"
        "    def decode(text):\n"
        "        try:\n"
        f"            {unpack}text.split()\n"
        f"            return new_tuple(Decoded, ({lookups}, []))\n"
        f"        except {errors}:\n"
        "            return fallback(text)\n"
        "    def value_of(text):\n"
        "        try:\n"
        f"            {unpack}text.split()\n"
        f"            return {lookups}\n"
        f"        except {errors}:\n"
        "            return fallback(text).value\n"
        + _LINES_LOOP.format(
            name="decode_lines",
            bulk=f"[str({lookups}) for {unpack[:-3]} in map(str.split, lines)]",
            body=body,
            errors="(KeyError, ValueError)",
        )
        + "    return decode, value_of, decode_lines\n"
    )
    return Decoders(*_compile(source, "decode", variables))
