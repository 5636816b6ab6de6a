"""When each profile is due for a periodic sync, and noticing that the machine slept.

The window's timer ticks :meth:`SyncSchedule.due`; a profile is due ``interval`` seconds (of
monotonic time) after its last sync started. A wall clock that jumped ahead of the monotonic clock
between two ticks means the machine slept (monotonic time stands still in suspend), and then
every profile is due at once: mail has piled up while nothing could fetch it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable

log = logging.getLogger(__name__)

DEFAULT_INTERVAL = 300.0
WAKE_SLACK = 60.0


class SyncSchedule:
    def __init__(
        self,
        interval: float = DEFAULT_INTERVAL,
        *,
        wall_clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._interval = interval
        self._wall_clock = wall_clock
        self._monotonic = monotonic
        self._last_sync: dict[int, float] = {}
        self._last_tick = (wall_clock(), monotonic())

    def restart(self) -> None:
        """Forget the time between the last tick and now (the timer was stopped meanwhile)."""
        self._last_tick = (self._wall_clock(), self._monotonic())

    def started(self, profile_id: int) -> None:
        self._last_sync[profile_id] = self._monotonic()

    def due(self, profile_ids: Iterable[int]) -> list[int]:
        """The profiles to sync now, each counted as started."""
        wall, mono = self._wall_clock(), self._monotonic()
        last_wall, last_mono = self._last_tick
        self._last_tick = (wall, mono)
        woke = (wall - last_wall) - (mono - last_mono) > WAKE_SLACK
        if woke:
            log.info("the clock jumped %.0f s: the machine slept; syncing now", wall - last_wall)
        due = [
            profile_id
            for profile_id in profile_ids
            if woke or mono - self._last_sync.get(profile_id, float("-inf")) >= self._interval
        ]
        for profile_id in due:
            self._last_sync[profile_id] = mono
        return due
