"""Another process's writer that holds SQLite's write lock while a test shows a read not waiting.

The writer (a plain sqlite3 connection on a thread of its own, as a sync or an import of another
app would be) takes the lock with an uncommitted insert and keeps it until the test lets it go.
A read that waited for the lock would wait SQLite's busy timeout; the writer gives up at half of
it, so such a read would find the lock free and :meth:`HeldWriteLock.still_held` would say so.
The test thus asserts an order (the read answered while the writer held the lock), not a duration
a loaded machine could miss: it passes however slow the machine is, below the giving-up time.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from desktop.store.engine import SQLITE_BUSY_TIMEOUT_MS

GIVE_UP_S = SQLITE_BUSY_TIMEOUT_MS / 1000 / 2


class HeldWriteLock:
    def __init__(self, store: Path) -> None:
        self._store = store
        self._taken = threading.Event()
        self._release = threading.Event()
        self._gave_up = threading.Event()
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._hold, name="other-writer", daemon=True)

    def take(self) -> None:
        self._thread.start()
        assert self._taken.wait(GIVE_UP_S), self._failure or "the writer never took the lock"

    def still_held(self) -> bool:
        """The writer has held the lock, unbroken, from :meth:`take` until now."""
        return self._taken.is_set() and not self._gave_up.is_set()

    def release(self) -> None:
        self._release.set()
        self._thread.join(GIVE_UP_S)
        assert not self._thread.is_alive(), "the writer did not let go of the lock"

    def _hold(self) -> None:
        other = sqlite3.connect(self._store, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute(
                "INSERT INTO users (login, display_name, password_hash, preferences, created_at) "
                "VALUES ('writer', 'Writer', 'x', '{}', '2026-01-01 00:00:00')"
            )
            self._taken.set()
            if not self._release.wait(GIVE_UP_S):
                self._gave_up.set()  # said before the lock is free, so no read can slip past
            other.execute("ROLLBACK")
        except BaseException as error:
            self._failure = error
            raise
        finally:
            other.close()


@contextmanager
def write_lock_held_elsewhere(store: Path) -> Iterator[HeldWriteLock]:
    """The lock is taken on entry and let go on exit; the writer's insert is rolled back."""
    lock = HeldWriteLock(store)
    lock.take()
    try:
        yield lock
    finally:
        lock.release()
