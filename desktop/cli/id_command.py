"""``switchboard id encode|decode``: IDs and their sentences, one per line, for staff and scripts.

With no arguments each command reads one item per line from stdin, so a whole list can be piped
through. Every item is tried; stdout holds only results, every bad item gets one
``switchboard: error: ...`` line on stderr, and the exit status is 2 if any item was bad.

Plain output is made a block of lines at a time by the codec's lines functions: a line on the
exact path (a number in range, a sentence as printed) costs no call, and only the others go
through the forgiving reading that finds what was meant or says what is wrong. ``--json`` reports
corrections and candidates per item, so it reads item by item.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from collections.abc import Callable, Iterator
from typing import Any, TextIO

from desktop.cli.errors import USAGE_ERROR, CliError
from desktop.core.idsentence import (
    AmbiguousSentenceError,
    Codec,
    Correction,
    IdSentenceError,
    LayoutError,
    load_codec,
    parse_id,
)
from desktop.core.idsentence.compiled import LinesFunction

#: Characters read from stdin at a time: one read and one split per block, not per line. A block
#: is hundreds of lines, so what each costs is nothing beside the work on them, yet small enough
#: that its lines and results stay in the processor's cache: blocks of 16K characters ran 10-25%
#: faster than blocks of 1M on every layout, encoding and decoding alike.
BLOCK_CHARS = 1 << 14


def run_encode(args: argparse.Namespace) -> int:
    codec = _codec(args)
    if args.json:
        return _encode_json(codec, _items(args.ids, _stdin()))

    def encode(item: str) -> str:
        return codec.encode(parse_id(item))

    return _run_lines(codec.encode_lines, encode, args.ids)


def run_decode(args: argparse.Namespace) -> int:
    codec = _codec(args)
    sentences = args.sentences
    # An unquoted sentence arrives as one word per argument; no single word is ever a sentence.
    if len(sentences) > 1 and all(len(s.split()) == 1 for s in sentences):
        sentences = [" ".join(sentences)]
    if args.json:
        return _decode_json(codec, _items(sentences, _stdin()))

    def decode(item: str) -> str:
        return str(codec.value_of(item))

    return _run_lines(codec.decode_lines, decode, sentences)


# -- plain output, a block at a time ----------------------------------------------------------


def _run_lines(lines: LinesFunction, forgiving: Callable[[str], str], arguments: list[str]) -> int:
    """Runs ``lines`` over the arguments, or over stdin block by block; ``forgiving`` reads an
    item that missed the exact path, or raises IdSentenceError saying what is wrong with it."""
    from_stdin = not arguments
    problems: list[str] = []

    def missed(number: int, line: str) -> str | None:
        item = line.strip()
        if from_stdin and not item:
            return None  # blank lines in a list are not items
        try:
            return forgiving(item)
        except IdSentenceError as error:
            problems.extend(_problem(_label(number, arguments), error))
            return None

    bad = False
    for block, first in _blocks(arguments):
        _write(sys.stdout, lines(block, first, missed))
        if problems:
            bad = True
            _write(sys.stderr, problems)
            problems.clear()
    return USAGE_ERROR if bad else 0


def _blocks(arguments: list[str]) -> Iterator[tuple[list[str], int]]:
    """(lines, number of the first) of the arguments, or of stdin in blocks of whole lines."""
    if arguments:
        yield arguments, 1
        return
    stdin, carry, first = _stdin(), "", 1
    while block := stdin.read(BLOCK_CHARS):
        lines = (carry + block).split("\n")
        carry = lines.pop()
        yield lines, first
        first += len(lines)
    if carry:
        yield [carry], first


def _label(number: int, arguments: list[str]) -> str:
    """Names the item in a message: its line on stdin, or its place among several arguments."""
    if not arguments:
        return f"line {number}: "
    return f"item {number}: " if len(arguments) > 1 else ""


def _problem(label: str, error: IdSentenceError) -> list[str]:
    lines = [f"switchboard: error: {label}{error}"]
    if isinstance(error, AmbiguousSentenceError):
        lines.extend(f"  candidate: {c.value}  {c.sentence}" for c in error.candidates)
    return lines


def _write(stream: TextIO, lines: list[str]) -> None:
    if lines:
        stream.write("\n".join(lines))
        stream.write("\n")


# -- JSON, item by item -----------------------------------------------------------------------


def _encode_json(codec: Codec, items: Iterator[tuple[str, str]]) -> int:
    status = 0
    for label, item in items:
        try:
            value = parse_id(item)
            sentence = codec.encode(value)
        except IdSentenceError as error:
            status = USAGE_ERROR
            _write(sys.stderr, _problem(label, error))
            _emit({"input": item, "error": str(error)})
            continue
        spoken = codec.read_aloud(value)
        _emit({"input": item, "value": value, "sentence": sentence, "spoken": spoken})
    return status


def _decode_json(codec: Codec, items: Iterator[tuple[str, str]]) -> int:
    status = 0
    for label, item in items:
        try:
            decoded = codec.decode(item)
        except IdSentenceError as error:
            status = USAGE_ERROR
            _write(sys.stderr, _problem(label, error))
            candidates = [
                {
                    "value": c.value,
                    "sentence": c.sentence,
                    "corrections": _corrections(c.corrections),
                }
                for c in getattr(error, "candidates", [])
            ]
            _emit({"input": item, "error": str(error), "candidates": candidates})
            continue
        _emit(
            {
                "input": item,
                "value": decoded.value,
                "sentence": codec.encode(decoded.value),
                "corrections": _corrections(decoded.corrections),
            }
        )
    return status


def _items(arguments: list[str], stdin: TextIO) -> Iterator[tuple[str, str]]:
    """(label, item) pairs; the label names the item in error messages of a batch."""
    if arguments:
        for number, item in enumerate(arguments, start=1):
            yield _label(number, arguments), item
        return
    for number, line in enumerate(stdin, start=1):
        if line.strip():
            yield _label(number, arguments), line.strip()


def _emit(record: dict[str, Any]) -> None:
    print(json.dumps(record, ensure_ascii=False))


def _corrections(corrections: list[Correction]) -> list[dict[str, str]]:
    return [c._asdict() for c in corrections]


# -- shared -----------------------------------------------------------------------------------


def _codec(args: argparse.Namespace) -> Codec:
    try:
        return load_codec(args.layout)
    except LayoutError as error:
        raise CliError(str(error)) from error


def _stdin() -> TextIO:
    """Standard input where bytes that are not UTF-8 become U+FFFD: that line then gets its
    message like any other bad line, and the lines after it are still read."""
    stdin = sys.stdin
    if isinstance(stdin, io.TextIOWrapper):
        stdin.reconfigure(errors="replace")
    return stdin
