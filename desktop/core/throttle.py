"""How long a login must wait after wrong passwords: a few free tries, then doubling delays.

Pure arithmetic so that the CLI (which may wait) and the GUI (which must not block its thread)
apply the same rule to the counter the store keeps per login.
"""

from __future__ import annotations

from datetime import timedelta

FREE_ATTEMPTS = 3
MAX_DELAY = timedelta(minutes=5)


def delay_after(failures: int) -> timedelta:
    """The wait imposed after ``failures`` wrong passwords in a row."""
    if failures < FREE_ATTEMPTS:
        return timedelta(0)
    exponent = min(failures - FREE_ATTEMPTS, 16)
    return min(timedelta(seconds=2**exponent), MAX_DELAY)
