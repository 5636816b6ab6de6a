"""Runs the benchmarks named on the command line, or all of them, each printing its figures.

A benchmark is a module ``bench/bench_<name>.py`` with a ``main() -> int`` that prints what it
measured beside its target and returns non-zero when a target is missed. ``--quick`` asks each
benchmark that takes a ``quick`` parameter for its short run (the whole suite in under two
minutes), and sets ``SWITCHBOARD_BENCH_QUICK=1`` for the fresh processes benchmarks time their
cold figures in; the others run in full.
"""

from __future__ import annotations

import importlib
import inspect
import os
import sys
import time
from pathlib import Path

QUICK_ENV = "SWITCHBOARD_BENCH_QUICK"


def available() -> list[str]:
    return sorted(p.stem.removeprefix("bench_") for p in Path(__file__).parent.glob("bench_*.py"))


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    if quick:
        os.environ[QUICK_ENV] = "1"
    names = [name for name in argv if name != "--quick"] or available()
    unknown = sorted(set(names) - set(available()))
    if unknown:
        print(f"bench: unknown benchmark(s) {', '.join(unknown)}; have {', '.join(available())}")
        return 2
    failed = []
    started = time.perf_counter()
    for name in names:
        print(f"== {name} ==", flush=True)
        module = importlib.import_module(f"bench.bench_{name}")
        takes_quick = "quick" in inspect.signature(module.main).parameters
        if (module.main(quick=quick) if takes_quick else module.main()) != 0:
            failed.append(name)
    print(f"bench: {len(names)} benchmark(s) in {time.perf_counter() - started:.0f} s")
    if failed:
        print(f"bench: targets missed in {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
