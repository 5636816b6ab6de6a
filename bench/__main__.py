"""Runs the benchmarks named on the command line, or all of them, each printing its figures.

A benchmark is a module ``bench/bench_<name>.py`` with a ``main() -> int`` that prints what it
measured beside its target and returns non-zero when a target is missed.
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path


def available() -> list[str]:
    return sorted(p.stem.removeprefix("bench_") for p in Path(__file__).parent.glob("bench_*.py"))


def main(argv: list[str]) -> int:
    if "--quick" in argv:  # each benchmark reads it and shrinks its sizes (under 2 minutes)
        os.environ["SWITCHBOARD_BENCH_QUICK"] = "1"
        argv = [name for name in argv if name != "--quick"]
    names = argv or available()
    unknown = sorted(set(names) - set(available()))
    if unknown:
        print(f"bench: unknown benchmark(s) {', '.join(unknown)}; have {', '.join(available())}")
        return 2
    failed = []
    for name in names:
        print(f"== {name} ==", flush=True)
        module = importlib.import_module(f"bench.bench_{name}")
        if module.main() != 0:
            failed.append(name)
    if failed:
        print(f"bench: targets missed in {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
