"""The ``switchboard id`` commands as a shell runs them: start-up, and batches through stdin.

Start-up: ``switchboard --help`` and ``switchboard id encode 5`` (run as ``python -m desktop``,
as the script does) against a bare ``python -c "import desktop.core.idsentence"``, each in a
fresh process (so every figure is cold, as a shell sees it).

Batches: ``id decode`` and ``id encode`` of N lines against the seed-style reference script
(split and ``list.index`` to decode; ``int``, list lookups and a join to encode), which reads the
same input file and writes the same output, checked byte for byte; it loads its lists from the
layout file itself, so it pays no import of ours. The target is judged on the processes' CPU
time (the machine is shared: waiting for a core is neither program's cost); wall time is shown
beside it. Each figure is the median of interleaved runs with its range (``bench.timing``).
"""

from __future__ import annotations

import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path
from typing import NamedTuple

from bench.timing import Figure, alternating, as_installed, ratio
from desktop.core.idsentence import load_codec
from desktop.core.idsentence.layout import layouts_dir

START_TARGET = 1.5  # at most this many times the bare import
BATCH_TARGET = 3.0  # at least this many times the reference script
SEED = 20261202

REFERENCE = """
import json, sys
fields = json.load(open(sys.argv[2]))["fields"]
lists = [f["words"] if "words" in f else [str(f["first"] + i) for i in range(2 ** f["bits"])]
         for f in fields]
widths = [f["bits"] for f in fields]
if sys.argv[1] == "decode":
    for line in sys.stdin:
        value = 0
        for words, width, token in zip(lists, widths, line.split()):
            value = (value << width) + words.index(token)
        print(value)
else:
    shifts = [sum(widths[i + 1:]) for i in range(len(widths))]
    for line in sys.stdin:
        n = int(line)
        print(" ".join(words[(n >> s) & ((1 << w) - 1)]
                       for words, s, w in zip(lists, shifts, widths)))
"""


class Run(NamedTuple):
    wall: float
    #: CPU time of the process (user and system): what the work itself cost, without the time
    #: it spent waiting for a core on a shared machine.
    cpu: float


def _timed(command: list[str], stdin: Path | None = None, stdout: Path | None = None) -> Run:
    with (
        open(stdin or "/dev/null", "rb") as source,
        open(stdout or "/dev/null", "wb") as sink,
    ):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        # no timeout: with one, waiting polls in sleeps of up to 50 ms, which would be timed too
        code = subprocess.Popen(
            command, stdin=source, stdout=sink, env=as_installed(os.environ)
        ).wait()
        elapsed = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if code != 0:
        raise subprocess.CalledProcessError(code, command)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return Run(elapsed, cpu)


def _figures(runs: list[Run]) -> tuple[Figure, Figure]:
    """(wall, CPU) of the runs."""
    return Figure(tuple(r.wall for r in runs)), Figure(tuple(r.cpu for r in runs))


def start_up(rounds: int) -> bool:
    python = sys.executable
    commands = {
        "python -c pass (for scale, not judged)": [python, "-c", "pass"],
        "python -c 'import desktop.core.idsentence'": [
            python,
            "-c",
            "import desktop.core.idsentence",
        ],
        "switchboard --help": [python, "-m", "desktop", "--help"],
        "switchboard id encode 5": [python, "-m", "desktop", "id", "encode", "5"],
    }
    runs = alternating([partial(_timed, command) for command in commands.values()], rounds)
    figures = [_figures(r)[0] for r in runs]
    reference = figures[1]
    ok = True
    for index, (name, figure) in enumerate(zip(commands, figures, strict=True)):
        line = f"  {name:<44} {figure.shown()}"
        if index >= 2:
            times = figure.median / reference.median
            met = times <= START_TARGET
            ok &= met
            line += f"  {times:.2f}x the import, target <= {START_TARGET}x {_verdict(met)}"
        print(line)
    return ok


def batches(lines: int, rounds: int, folder: Path, judged: bool) -> bool:
    """``judged``: whether the 3x target applies; it is set for 500,000 lines, and a shorter
    run weighs our start-up (a codec to build) far more than the reference script's."""
    reference = folder / "reference.py"
    reference.write_text(REFERENCE)
    rng = random.Random(SEED)
    ok = True
    for bits, name in ((16, "phone-16"), (32, "classic-32"), (64, "phone-64")):
        codec = load_codec(bits)
        ids = [rng.getrandbits(bits) for _ in range(lines)]
        numbers, sentences = folder / f"ids-{bits}.txt", folder / f"sentences-{bits}.txt"
        numbers.write_text("".join(f"{n}\n" for n in ids))
        sentences.write_text("".join(f"{codec.encode(n)}\n" for n in ids))
        layout = str(layouts_dir() / f"{name}.json")
        for action, source, expected in (
            ("decode", sentences, numbers),
            ("encode", numbers, sentences),
        ):
            ours_out, reference_out = folder / "ours.out", folder / "reference.out"
            ours_command = [sys.executable, "-m", "desktop", "id", action, "--layout", str(bits)]
            reference_command = [sys.executable, str(reference), action, layout]
            ours_runs, reference_runs = alternating(
                [
                    partial(_timed, ours_command, source, ours_out),
                    partial(_timed, reference_command, source, reference_out),
                ],
                rounds,
            )
            (ours_wall, ours), (theirs_wall, theirs) = _figures(ours_runs), _figures(reference_runs)
            same = ours_out.read_bytes() == reference_out.read_bytes() == expected.read_bytes()
            met = theirs.median / ours.median >= BATCH_TARGET or not judged
            ok &= same and met
            target = f"target >= {BATCH_TARGET}x {_verdict(met)}" if judged else "(not judged)"
            print(
                f"  {name:<10} {action}  CPU: ours {ours.rate(lines)}, reference "
                f"{theirs.rate(lines)}, {ratio(theirs, ours)} {target}"
                f"{'' if same else ' OUTPUTS DIFFER'}\n"
                f"  {'':<10} {'':<6}  wall: ours {ours_wall.rate(lines)}, reference "
                f"{theirs_wall.rate(lines)}, {ratio(theirs_wall, ours_wall)}"
            )
    return ok


def _verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def main(quick: bool = False) -> int:
    rounds = 3 if quick else 5
    lines = 200_000 if quick else 500_000
    print(f"start-up, fresh processes, {rounds} interleaved rounds (wall time)")
    ok = start_up(rounds * 2 - 1)
    print(f"batches through stdin: {lines:,} lines, {rounds} interleaved rounds (whole processes, "
          "start-up included; outputs compared byte for byte)")  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="bench-id-cli-") as folder:
        ok &= batches(lines, rounds, Path(folder), judged=lines >= 500_000)
    return 0 if ok else 1
