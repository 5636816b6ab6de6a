"""ID sentences: encode, exact decode (beside a straightforward reference decoder), decode with one
typo, peak memory, and the single-letter typo census of every layout.

Work is done in chunks of CHUNK items so the benchmark itself never holds a million sentences;
only the codec calls are timed, by CPU time of this process (the machine is shared: wall-clock
time is printed too, and is what a loaded machine gives). Peak memory is measured twice:
tracemalloc's peak of Python allocations while a codec is built and works through a chunk of
each kind, and the peak resident set (VmHWM, the whole process, interpreter included) of a fresh
subprocess that runs the full workload. VmHWM rather than ru_maxrss: a child's ru_maxrss starts
from its parent's size at fork on Linux, so it would report the benchmark's own memory.
"""

from __future__ import annotations

import random
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable

from desktop.core.idsentence import Codec, Decoded, IdSentenceError, load_codec
from desktop.core.idsentence.census import typo_census
from desktop.core.idsentence.layout import WordField

ENCODES = 1_000_000
TYPO_DECODES = 100_000
CHUNK = 10_000
SEED = 20261125

ENCODE_TARGET = 1_000_000  # per second
SPEEDUP_TARGET = 3.0  # exact decode throughput over the reference decoder
TYPO_TARGET = 50_000  # per second
MEMORY_TARGET_MB = 60.0
CENSUS_RIGHT_TARGET = 0.90  # on the classic lists


def reference_decoder(codec: Codec) -> Callable[[str], int]:
    """What one would write first: split on spaces, list.index per word, shift and add."""
    lists = [list(words) for words in codec.field_words()]
    widths = [len(words).bit_length() - 1 for words in lists]

    def decode(text: str) -> int:
        value = 0
        for words, width, token in zip(lists, widths, text.split(" "), strict=True):
            value = (value << width) + words.index(token)
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
        self.encode, self.decode, self.reference, self.typo = Clock(), Clock(), Clock(), Clock()
        self.typo_right = self.typo_refused = self.typo_wrong = self.typo_other_word = 0


def run_workload(
    codec: Codec, encodes: int, typo_decodes: int, with_reference: bool = True
) -> Timings:
    rng = random.Random(SEED)
    limit = codec.bits
    timings = Timings()
    encode, decode = codec.encode, codec.decode
    reference = reference_decoder(codec)
    for number, size in enumerate(chunks(encodes)):
        ids = [rng.getrandbits(limit) for _ in range(size)]
        timings.encode.start()
        sentences = [encode(n) for n in ids]
        timings.encode.stop()
        # whichever decoder runs first finds the new sentences still in the CPU cache, so the
        # two take turns at going first
        decoded: list[Decoded] = []
        for turn in (0, 1) if number % 2 else (1, 0):
            if turn == 0:
                timings.decode.start()
                decoded = [decode(s) for s in sentences]
                timings.decode.stop()
            elif with_reference:
                timings.reference.start()
                referenced = [reference(s) for s in sentences]
                timings.reference.stop()
                if referenced != ids:
                    raise AssertionError("the reference decoder disagrees with the IDs")
        if [d.value for d in decoded] != ids:
            raise AssertionError("exact decoding did not give the encoded IDs back")
    for size in chunks(typo_decodes):
        ids = [rng.getrandbits(limit) for _ in range(size)]
        typed = [one_typo(encode(n), codec, rng) for n in ids]
        results: list[int | None] = []
        timings.typo.start()
        for text in typed:
            try:
                results.append(decode(text).value)
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


def subprocess_peak_mb() -> tuple[float, float]:
    """Peak resident set of a fresh interpreter: bare, and running the full workload."""
    bare = _child_peak_mb("pass")
    full = _child_peak_mb(
        "from bench.bench_ids import _fresh_codec, run_workload, ENCODES, TYPO_DECODES\n"
        "run_workload(_fresh_codec(), ENCODES, TYPO_DECODES, with_reference=False)"
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


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def rates(clock: Clock, count: int) -> str:
    return f"{count / clock.cpu:>12,.0f} /s CPU ({count / clock.wall:,.0f} /s wall)"


def main() -> int:
    codec = load_codec("classic-32")
    print(f"layout {codec.name}: {ENCODES:,} random IDs, {TYPO_DECODES:,} one-typo sentences")
    timings = run_workload(codec, ENCODES, TYPO_DECODES)
    encode_rate = ENCODES / timings.encode.cpu
    speedup = timings.reference.cpu / timings.decode.cpu
    typo_rate = TYPO_DECODES / timings.typo.cpu
    checks = [
        encode_rate >= ENCODE_TARGET,
        speedup >= SPEEDUP_TARGET,
        typo_rate >= TYPO_TARGET,
    ]
    print(
        f"encode:           {rates(timings.encode, ENCODES)}  target >= {ENCODE_TARGET:,}/s "
        f"{verdict(checks[0])}"
    )
    print(f"exact decode:     {rates(timings.decode, ENCODES)}")
    print(f"reference decode: {rates(timings.reference, ENCODES)}  split, list.index, shift, add")
    wall_speedup = timings.reference.wall / timings.decode.wall
    print(
        f"exact speed-up:   {speedup:>12.2f} x CPU ({wall_speedup:.2f} x wall)  "
        f"target >= {SPEEDUP_TARGET} x {verdict(checks[1])}"
    )
    print(
        f"one-typo decode:  {rates(timings.typo, TYPO_DECODES)}  target >= {TYPO_TARGET:,}/s "
        f"{verdict(checks[2])}"
    )
    typed = TYPO_DECODES
    print(
        f"one-typo outcomes: right {timings.typo_right / typed:.2%}, "
        f"refused {timings.typo_refused / typed:.2%}, "
        f"typo is another list word {timings.typo_other_word / typed:.2%}, "
        f"wrong otherwise {timings.typo_wrong / typed:.2%}"
    )
    checks.append(timings.typo_wrong == 0)

    traced = traced_peak_mb()
    bare, full = subprocess_peak_mb()
    checks.append(full < MEMORY_TARGET_MB)
    print(f"peak memory: tracemalloc {traced:.1f} MB (a codec built, then a chunk of each kind)")
    print(
        f"peak memory: fresh process running the whole workload {full:.1f} MB resident "
        f"(a bare interpreter: {bare:.1f} MB)  target < {MEMORY_TARGET_MB:.0f} MB "
        f"{verdict(checks[-1])}"
    )

    for name in ("phone-16", "phone-64"):
        other = load_codec(name)
        small = run_workload(other, 100_000, 10_000, with_reference=False)
        print(
            f"{name}: encode {100_000 / small.encode.cpu:,.0f} /s, exact decode "
            f"{100_000 / small.decode.cpu:,.0f} /s, one-typo decode "
            f"{10_000 / small.typo.cpu:,.0f} /s (CPU)"
        )

    for name in ("classic-32", "phone-16", "phone-64"):
        census = typo_census(load_codec(name))
        print(f"census {census.summary()}")
        if name == "classic-32":
            checks.append(census.right / census.total >= CENSUS_RIGHT_TARGET)
        checks.append(not census.wrong)
    return 0 if all(checks) else 1
