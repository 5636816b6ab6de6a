"""Figures that can be trusted on a shared machine: runs take turns, each figure is a median.

Every kind of work runs several times, in an order that alternates between rounds (so neither
side always finds the caches warm or the machine quiet), and is reported as its median with the
range of all runs.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Figure:
    """All runs of one kind of work, in seconds (or any unit the caller measured)."""

    runs: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    def shown(self, scale: float = 1000.0, unit: str = "ms") -> str:
        low, high = min(self.runs) * scale, max(self.runs) * scale
        return (
            f"{self.median * scale:.1f} {unit} (range {low:.1f}-{high:.1f}, {len(self.runs)} runs)"
        )

    def rate(self, count: int) -> str:
        """Items per second at the median, with the range of rates."""
        fastest, slowest = count / min(self.runs), count / max(self.runs)
        return f"{count / self.median:,.0f}/s (range {slowest:,.0f}-{fastest:,.0f})"


def as_installed(env: Mapping[str, str]) -> dict[str, str]:
    """``env`` for a timed fresh process of ours, with Python's bytecode cache allowed.

    An installed app starts from compiled modules (pip compiles them when it installs); a
    session that sets PYTHONDONTWRITEBYTECODE would have every start compile each module of ours
    again, and time that instead.
    """
    return {name: value for name, value in env.items() if name != "PYTHONDONTWRITEBYTECODE"}


def alternating(work: Sequence[Callable[[], T]], rounds: int) -> list[list[T]]:
    """Runs each of ``work`` ``rounds`` times, forwards in even rounds and backwards in odd ones;
    what each run returned, by item of ``work``."""
    runs: list[list[T]] = [[] for _ in work]
    order = list(range(len(work)))
    for number in range(rounds):
        for i in order if number % 2 == 0 else reversed(order):
            runs[i].append(work[i]())
    return runs


def ratio(reference: Figure, ours: Figure) -> str:
    """How many times faster ours is, at the medians and over the ranges."""
    best = min(reference.runs) / max(ours.runs)
    worst_case = max(reference.runs) / min(ours.runs)
    low, high = sorted((best, worst_case))
    return f"{reference.median / ours.median:.2f}x (range {low:.2f}-{high:.2f})"
