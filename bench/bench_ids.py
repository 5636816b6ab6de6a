"""ID sentences in process: encode, exact decode beside two reference decoders, decode with one
typo, cold start, peak memory, and the single-letter typo census of every layout.

The references do the same work as ``Codec.value_of`` (a sentence as printed to its number):
the seed-style one (split, ``list.index`` per word, shift and add) and a plain per-word dict
decoder (split, one dict lookup per word, shift and or), the honest bar. ``Codec.decode`` is
timed too; it also builds a result with the corrections, so it is shown, not judged.

Work is done in chunks of CHUNK items so the benchmark itself never holds a million sentences;
only the calls are timed, by CPU time of this process (the machine is shared: wall-clock time is
printed too). Within a round the decoders take turns at going first on each chunk (whichever
goes first finds the sentences in the CPU cache); the whole workload runs ROUNDS times and each
figure is the median of the rounds with their range. Cold figures are the first call in a fresh
process, timed there (median and range of several processes). Peak memory is measured twice:
tracemalloc's peak of Python allocations while a codec is built and works through a chunk of
each kind, and the peak resident set (VmHWM, the whole process, interpreter included) of a fresh
subprocess that runs the full workload. VmHWM rather than ru_maxrss: a child's ru_maxrss starts
from its parent's size at fork on Linux, so it would report the benchmark's own memory.
"""

from __future__ import annotations

import random
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from functools import partial
from typing import Any

from bench.timing import Figure, ratio
from desktop.core.idsentence import Codec, IdSentenceError, load_codec
from desktop.core.idsentence.census import typo_census
from desktop.core.idsentence.layout import WordField

ENCODES = 1_000_000
TYPO_DECODES = 100_000
ROUNDS = 3
CHUNK = 10_000
SEED = 20261125

ENCODE_TARGET = 1_000_000  # per second
DICT_SPEEDUP_TARGET = 1.5  # exact decode (value_of) throughput over the plain dict decoder
TYPO_TARGET = 50_000  # per second
MEMORY_TARGET_MB = 60.0
CENSUS_RIGHT_TARGET = 0.90  # on the classic lists


def seed_style_decoder(codec: Codec) -> Callable[[str], int]:
    """What one would write first: split on spaces, list.index per word, shift and add."""
    lists = [list(words) for words in codec.field_words()]
    widths = [len(words).bit_length() - 1 for words in lists]

    def decode(text: str) -> int:
        value = 0
        for words, width, token in zip(lists, widths, text.split(" "), strict=True):
            value = (value << width) + words.index(token)
        return value

    return decode


def dict_decoder(codec: Codec) -> Callable[[str], int]:
    """What one would write second: split, one dict lookup per word, shift and or."""
    tables = [{word: i for i, word in enumerate(words)} for words in codec.field_words()]
    widths = [len(table).bit_length() - 1 for table in tables]

    def decode(text: str) -> int:
        value = 0
        for table, width, token in zip(tables, widths, text.split(), strict=True):
            value = (value << width) | table[token]
        return value

    return decode


def one_typo(sentence: str, codec: Codec, rng: random.Random) -> str:
    """One insertion, deletion, substitution or transposition in one word of a word slot."""
    words = sentence.split(" ")
    slots = [i for i, f in enumerate(codec.layout.fields) if isinstance(f, WordField)]
    position = rng.choice(slots)
    word = words[position]
    i = rng.randrange(len(word))
    letter = rng.choice("abcdefghijklmnopqrstuvwxyz")
    kind = rng.randrange(4)
    if kind == 0:
        word = word[:i] + letter + word[i:]
    elif kind == 1 and len(word) > 2:
        word = word[:i] + word[i + 1 :]
    elif kind == 2 and i < len(word) - 1:
        word = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    else:
        word = word[:i] + letter + word[i + 1 :]
    words[position] = word
    return " ".join(words)


def chunks(total: int) -> list[int]:
    return [min(CHUNK, total - start) for start in range(0, total, CHUNK)]


class Clock:
    """CPU and wall time of one kind of work, added up over chunks."""

    def __init__(self) -> None:
        self.cpu = self.wall = 0.0
        self._cpu = self._wall = 0.0

    def start(self) -> None:
        self._cpu, self._wall = time.process_time(), time.perf_counter()

    def stop(self) -> None:
        self.cpu += time.process_time() - self._cpu
        self.wall += time.perf_counter() - self._wall


class Timings:
    def __init__(self) -> None:
        self.encode, self.typo = Clock(), Clock()
        #: Exact decoding, by decoder: ours (a result, a number) and the two references.
        self.decoders = {name: Clock() for name in DECODERS}
        self.typo_right = self.typo_refused = self.typo_wrong = self.typo_other_word = 0


DECODERS = ("decode", "value_of", "dict", "seed-style")


def run_workload(
    codec: Codec, encodes: int, typo_decodes: int, with_references: bool = True
) -> Timings:
    rng = random.Random(SEED)
    limit = codec.bits
    timings = Timings()
    encode = codec.encode
    decoders: dict[str, Callable[[str], Any]] = {
        "decode": codec.decode,
        "value_of": codec.value_of,
    }
    if with_references:
        decoders["dict"] = dict_decoder(codec)
        decoders["seed-style"] = seed_style_decoder(codec)
    names = list(decoders)
    for number, size in enumerate(chunks(encodes)):
        ids = [rng.getrandbits(limit) for _ in range(size)]
        timings.encode.start()
        sentences = [encode(n) for n in ids]
        timings.encode.stop()
        # whichever decoder runs first finds the new sentences still in the CPU cache, so they
        # take turns at going first
        turn = number % len(names)
        for name in names[turn:] + names[:turn]:
            decode, clock = decoders[name], timings.decoders[name]
            clock.start()
            values = [decode(s) for s in sentences]
            clock.stop()
            if name == "decode":
                values = [d.value for d in values]
            if values != ids:
                raise AssertionError(f"{name} did not give the encoded IDs back")
    for size in chunks(typo_decodes):
        ids = [rng.getrandbits(limit) for _ in range(size)]
        typed = [one_typo(encode(n), codec, rng) for n in ids]
        results: list[int | None] = []
        timings.typo.start()
        for text in typed:
            try:
                results.append(codec.decode(text).value)
            except IdSentenceError:
                results.append(None)
        timings.typo.stop()
        for n, text, got in zip(ids, typed, results, strict=True):
            if got is None:
                timings.typo_refused += 1
            elif got == n:
                timings.typo_right += 1
            elif codec.encode(got) == text:
                timings.typo_other_word += 1  # the typo made another word of the list
            else:
                timings.typo_wrong += 1
    return timings


def traced_peak_mb() -> float:
    """Peak of Python allocations while the codec is built and works through one chunk of each."""
    tracemalloc.start()
    try:
        run_workload(_fresh_codec(), CHUNK, CHUNK)
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def _fresh_codec() -> Codec:
    """A codec built here, not the cached one, so that building it is inside what is traced."""
    from desktop.core.idsentence.layout import load_layout

    return Codec(load_layout("classic-32"))


def subprocess_peak_mb(encodes: int, typo_decodes: int) -> tuple[float, float]:
    """Peak resident set of a fresh interpreter: bare, and running one round of the workload."""
    bare = _child_peak_mb("pass")
    full = _child_peak_mb(
        "from bench.bench_ids import _fresh_codec, run_workload\n"
        f"run_workload(_fresh_codec(), {encodes}, {typo_decodes}, with_references=False)"
    )
    return bare, full


def _child_peak_mb(code: str) -> float:
    report = (
        "\nfrom pathlib import Path\n"
        "print([l for l in Path('/proc/self/status').read_text().splitlines()"
        " if l.startswith('VmHWM:')][0].split()[1])"
    )
    command = [sys.executable, "-c", code + report]
    result = subprocess.run(command, capture_output=True, text=True, check=True, timeout=900)
    return int(result.stdout.split()[-1]) / 1024


COLD = """
import time
started = time.perf_counter()
from desktop.core.idsentence import load_codec
codec = load_codec({layout!r})
imported = time.perf_counter()
sentence = codec.encode(2474137653 % 2 ** codec.bits)
encoded = time.perf_counter()
codec.value_of(sentence)
decoded = time.perf_counter()
codec.decode(sentence.replace(" ", "  x ", 1).replace("  x ", " ", 1)[:-1])
forgiven = time.perf_counter()
print(imported - started, encoded - imported, decoded - encoded, forgiven - decoded)
"""


def cold(layout: str, processes: int) -> list[Figure]:
    """First calls in fresh processes: import and build, encode, exact decode, and a decode
    with a typo (which builds the forgiving decoder's tables)."""
    runs: list[list[float]] = [[], [], [], []]
    for _ in range(processes):
        command = [sys.executable, "-c", COLD.format(layout=layout)]
        result = subprocess.run(command, capture_output=True, text=True, check=True, timeout=120)
        for kind, seconds in zip(runs, map(float, result.stdout.split()), strict=True):
            kind.append(seconds)
    return [Figure(tuple(r)) for r in runs]


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def rate_figure(rounds: list[Timings], count: int, clock: Callable[[Timings], Clock]) -> Figure:
    """Seconds per item of each round, by CPU time."""
    return Figure(tuple(clock(t).cpu / count for t in rounds))


def _decoder_clock(name: str, timings: Timings) -> Clock:
    return timings.decoders[name]


def per_second(figure: Figure) -> str:
    return figure.shown(scale=1e9, unit="ns") + f" = {1 / figure.median:>12,.0f} /s"


def main(quick: bool = False) -> int:
    encodes, typo_decodes = (200_000, 20_000) if quick else (ENCODES, TYPO_DECODES)
    codec = load_codec("classic-32")
    print(
        f"layout {codec.name}: {ROUNDS} rounds of {encodes:,} random IDs and {typo_decodes:,} "
        "one-typo sentences; CPU time per item, median (range) of the rounds"
    )
    rounds = [run_workload(codec, encodes, typo_decodes) for _ in range(ROUNDS)]
    encode = rate_figure(rounds, encodes, lambda t: t.encode)
    decoders = {
        name: rate_figure(rounds, encodes, partial(_decoder_clock, name)) for name in DECODERS
    }
    typo = rate_figure(rounds, typo_decodes, lambda t: t.typo)
    checks = [1 / encode.median >= ENCODE_TARGET, 1 / typo.median >= TYPO_TARGET]
    print(f"encode:                {per_second(encode)}  target >= {ENCODE_TARGET:,}/s "
          f"{verdict(checks[0])}")  # fmt: skip
    for name, label in (
        ("value_of", "exact decode value_of"),
        ("decode", "exact decode (result)"),
        ("dict", "dict decoder"),
        ("seed-style", "seed-style decoder"),
    ):
        print(f"{label + ':':<22} {per_second(decoders[name])}")
    for name in ("value_of", "decode"):
        for reference in ("dict", "seed-style"):
            line = f"{name} over {reference}: {ratio(decoders[reference], decoders[name])}"
            if (name, reference) == ("value_of", "dict"):
                met = decoders["dict"].median / decoders["value_of"].median >= DICT_SPEEDUP_TARGET
                checks.append(met)
                line += f"  target >= {DICT_SPEEDUP_TARGET}x {verdict(met)}"
            print(f"  {line}")
    print(f"one-typo decode:       {per_second(typo)}  target >= {TYPO_TARGET:,}/s "
          f"{verdict(checks[1])}")  # fmt: skip
    last, typed = rounds[-1], typo_decodes
    print(
        f"one-typo outcomes: right {last.typo_right / typed:.2%}, "
        f"refused {last.typo_refused / typed:.2%}, "
        f"typo is another list word {last.typo_other_word / typed:.2%}, "
        f"wrong otherwise {last.typo_wrong / typed:.2%}"
    )
    checks.append(last.typo_wrong == 0)

    for layout in ("phone-16", "classic-32", "phone-64"):
        build, first_encode, first_decode, first_typo = cold(layout, processes=ROUNDS)
        print(
            f"cold, {layout} (first call in a fresh process): import and build "
            f"{build.shown()}, encode {first_encode.shown(1e6, 'us')}, exact decode "
            f"{first_decode.shown(1e6, 'us')}, typo decode {first_typo.shown()}"
        )

    traced = traced_peak_mb()
    bare, full = subprocess_peak_mb(encodes, typo_decodes)
    checks.append(full < MEMORY_TARGET_MB)
    print(f"peak memory: tracemalloc {traced:.1f} MB (a codec built, then a chunk of each kind)")
    print(
        f"peak memory: fresh process running one round {full:.1f} MB resident "
        f"(a bare interpreter: {bare:.1f} MB)  target < {MEMORY_TARGET_MB:.0f} MB "
        f"{verdict(checks[-1])}"
    )

    for name in ("phone-16", "phone-64"):
        other = load_codec(name)
        small = [run_workload(other, encodes // 10, typo_decodes // 10) for _ in range(ROUNDS)]
        count = encodes // 10
        other_encode = rate_figure(small, count, lambda t: t.encode)
        other_value = rate_figure(small, count, lambda t: t.decoders["value_of"])
        other_dict = rate_figure(small, count, lambda t: t.decoders["dict"])
        met = other_dict.median / other_value.median >= DICT_SPEEDUP_TARGET
        met_encode = 1 / other_encode.median >= ENCODE_TARGET
        checks += [met, met_encode]
        print(
            f"{name}: encode {1 / other_encode.median:,.0f}/s {verdict(met_encode)}, value_of "
            f"{1 / other_value.median:,.0f}/s, dict decoder {1 / other_dict.median:,.0f}/s, "
            f"value_of over dict {ratio(other_dict, other_value)} {verdict(met)}, one-typo "
            f"decode {typo_decodes // 10 / statistics.median(t.typo.cpu for t in small):,.0f}/s"
        )

    for name in ("classic-32", "phone-16", "phone-64"):
        census = typo_census(load_codec(name))
        print(f"census {census.summary()}")
        if name == "classic-32":
            checks.append(census.right / census.total >= CENSUS_RIGHT_TARGET)
        checks.append(not census.wrong)
    return 0 if all(checks) else 1
