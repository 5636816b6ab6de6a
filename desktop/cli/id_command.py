"""``switchboard id encode|decode``: IDs and their sentences, one per line, for staff and scripts.

With no arguments each command reads one item per line from stdin, so a whole list can be piped
through. Every item is tried; stdout holds only results, every bad item gets one
``switchboard: error: ...`` line on stderr, and the exit status is 2 if any item was bad.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
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


def _codec(args: argparse.Namespace) -> Codec:
    try:
        return load_codec(args.layout)
    except LayoutError as error:
        raise CliError(str(error)) from error


def _items(arguments: list[str], stdin: TextIO) -> Iterator[tuple[str, str]]:
    """(label, item) pairs; the label names the item in error messages of a batch."""
    if arguments:
        for number, item in enumerate(arguments, start=1):
            yield (f"item {number}: " if len(arguments) > 1 else ""), item
        return
    for number, line in enumerate(stdin, start=1):
        if line.strip():
            yield f"line {number}: ", line.strip()


def _fail(label: str, message: str) -> None:
    print(f"switchboard: error: {label}{message}", file=sys.stderr)


def _emit(record: dict[str, Any]) -> None:
    print(json.dumps(record, ensure_ascii=False))


def _corrections(corrections: list[Correction]) -> list[dict[str, str]]:
    return [c._asdict() for c in corrections]


def run_encode(args: argparse.Namespace) -> int:
    codec = _codec(args)
    status = 0
    for label, item in _items(args.ids, sys.stdin):
        try:
            value = parse_id(item)
            sentence = codec.encode(value)
        except IdSentenceError as error:
            status = USAGE_ERROR
            _fail(label, str(error))
            if args.json:
                _emit({"input": item, "error": str(error)})
            continue
        if args.json:
            spoken = codec.read_aloud(value)
            _emit({"input": item, "value": value, "sentence": sentence, "spoken": spoken})
        else:
            print(sentence)
    return status


def run_decode(args: argparse.Namespace) -> int:
    codec = _codec(args)
    sentences = args.sentences
    # An unquoted sentence arrives as one word per argument; no single word is ever a sentence.
    if len(sentences) > 1 and all(len(s.split()) == 1 for s in sentences):
        sentences = [" ".join(sentences)]
    status = 0
    for label, item in _items(sentences, sys.stdin):
        try:
            decoded = codec.decode(item)
        except AmbiguousSentenceError as error:
            status = USAGE_ERROR
            _fail(label, str(error))
            for candidate in error.candidates:
                print(f"  candidate: {candidate.value}  {candidate.sentence}", file=sys.stderr)
            if args.json:
                candidates = [
                    {
                        "value": c.value,
                        "sentence": c.sentence,
                        "corrections": _corrections(c.corrections),
                    }
                    for c in error.candidates
                ]
                _emit({"input": item, "error": str(error), "candidates": candidates})
            continue
        except IdSentenceError as error:
            status = USAGE_ERROR
            _fail(label, str(error))
            if args.json:
                _emit({"input": item, "error": str(error), "candidates": []})
            continue
        if args.json:
            _emit(
                {
                    "input": item,
                    "value": decoded.value,
                    "sentence": codec.encode(decoded.value),
                    "corrections": _corrections(decoded.corrections),
                }
            )
        else:
            print(decoded.value)
    return status
