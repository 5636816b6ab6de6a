"""Straight-line encode and exact-decode functions generated for one layout.

A loop over fields costs more than the work it does (a lookup and a shift per field), so, as
``collections.namedtuple`` does for its methods, the loop is unrolled into source generated from
the layout's shape and compiled once per codec. Only names and integers from the layout reach
the source; the word tables are passed in as variables, never pasted into it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from desktop.core.idsentence.results import Decoded

#: (phrases, shift, mask) of one group of neighbouring fields, see ``codec._phrase_tables``.
PhraseTable = tuple[tuple[str, ...], int, int]


def _compile(source: str, name: str, variables: dict[str, Any]) -> Callable[..., Any]:
    """Compiles ``source``, a factory ``make`` whose parameters are ``variables``: closure
    variables are the fastest names to read in the function it returns."""
    namespace: dict[str, Any] = {}
    exec(compile(source, f"<idsentence {name}>", "exec"), namespace)
    function: Callable[..., Any] = namespace["make"](**variables)
    return function


def compile_encoder(
    tables: Sequence[PhraseTable], limit: int, refuse: Callable[[object], None]
) -> Callable[[int], str]:
    """``n -> sentence``: one lookup per group of fields, joined by an f-string."""
    variables: dict[str, Any] = {"refuse": refuse, "limit": limit}
    parts = []
    for i, (phrases, shift, mask) in enumerate(tables):
        variables[f"t{i}"] = phrases
        parts.append(f"{{t{i}[(n >> {shift}) & {mask}]}}")
    source = (
        f"def make({', '.join(variables)}):\n"
        "    def encode(n):\n"
        "        if n.__class__ is not int or not 0 <= n < limit:\n"
        "            refuse(n)\n"
        f'        return f"{" ".join(parts)}"\n'
        "    return encode\n"
    )
    return _compile(source, "encode", variables)


def compile_exact_decoder(
    tables: Sequence[dict[str, int]], fallback: Callable[[str], Decoded]
) -> Callable[[str], Decoded]:
    """``sentence -> Decoded`` for sentences typed exactly as printed; anything else (a word not
    in its table, the wrong number of words, not even a string) goes to ``fallback``.

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
    lookups = " | ".join(f"e{i}[w{i}]" for i in range(len(tables)))
    source = (
        f"def make({', '.join(variables)}):\n"
        "    def decode(text):\n"
        "        try:\n"
        f"            {', '.join(words)}, = text.split()\n"
        f"            return new_tuple(Decoded, ({lookups}, []))\n"
        "        except (KeyError, ValueError, AttributeError):\n"
        "            return fallback(text)\n"
        "    return decode\n"
    )
    return _compile(source, "decode", variables)
