"""Writes that a read must make but must never wait for: the audit entry of a look-up or denial.

A read answers from a snapshot without waiting (see :mod:`desktop.store.session`), but what it
must record still needs SQLite's one write lock, which a sync, an import or another process may
hold for seconds. :class:`SideWrites` tries the write at once with a short wait for the lock
(:data:`QUICK_LOCK_WAIT`): when the store is free, which is nearly always, the entry is committed
before the read returns, exactly as before. When the lock is busy, the entry goes to a queue and a
background thread writes it, waiting as long as any writer would and retrying; the read answers
meanwhile. The queue is drained before the process exits, so an entry is delayed, never dropped
(one that still cannot be written is logged, by action and target only, never silently lost).

Why not a short timeout alone? Then a busy lock would either fail the read or lose the entry;
the audit log must hold every look-up. Why not always queue? Then even an idle store would answer
before its audit entry exists, and a crash right after a read would lose entries that cost nothing
to write at once.
"""

from __future__ import annotations

import atexit
import logging
import queue
import threading
import weakref
from collections.abc import Callable

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from desktop.store.engine import SQLITE_BUSY_TIMEOUT_MS
from desktop.store.session import SessionFactory, unit_of_work

QUICK_LOCK_WAIT = 0.1
"""Seconds a read waits for the write lock before handing its entry to the background."""
RETRIES = 5
"""Attempts of the background thread (each waiting the full busy timeout) before logging."""

Write = Callable[[Session], None]

log = logging.getLogger(__name__)


class SideWrites:
    """One background writer per store; writes stay in order behind it."""

    def __init__(self, session_factory: SessionFactory) -> None:
        self._session_factory = session_factory
        self._queue: queue.Queue[tuple[Write, str]] = queue.Queue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def write(self, work: Write, description: str) -> None:
        """Run ``work`` in a unit of work now, or queue it if the write lock is busy.

        ``description`` names the write in the log (identifiers only, never content).
        """
        if self._queue.unfinished_tasks == 0:
            try:
                with unit_of_work(self._session_factory, lock_wait=QUICK_LOCK_WAIT) as session:
                    work(session)
            except OperationalError as error:
                if not is_busy(error):
                    raise
            else:
                return
        # Queued behind earlier entries even when the lock has just come free: entries keep order.
        self._queue.put((work, description))
        self._start()

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every queued write is done (True) or ``timeout`` seconds pass (False)."""
        done = threading.Event()

        def drained() -> None:
            self._queue.join()
            done.set()

        threading.Thread(target=drained, daemon=True, name="side-writes-flush").start()
        return done.wait(timeout)

    @property
    def pending(self) -> int:
        return self._queue.unfinished_tasks

    def _start(self) -> None:
        with self._lock:
            if self._thread is not None:
                return
            self._thread = threading.Thread(target=self._run, daemon=True, name="side-writes")
            self._thread.start()
        atexit.register(self.flush, RETRIES * SQLITE_BUSY_TIMEOUT_MS / 1000)

    def _run(self) -> None:
        while True:
            work, description = self._queue.get()
            try:
                self._write_patiently(work, description)
            finally:
                self._queue.task_done()

    def _write_patiently(self, work: Write, description: str) -> None:
        for attempt in range(1, RETRIES + 1):
            try:
                with unit_of_work(self._session_factory) as session:
                    work(session)
            except OperationalError as error:
                if not is_busy(error) or attempt == RETRIES:
                    log.error("could not record %s: %s", description, error.orig)
                    return
                log.warning("store busy, retrying to record %s", description)
            except Exception:
                log.exception("could not record %s", description)
                return
            else:
                return


_BY_STORE: weakref.WeakKeyDictionary[SessionFactory, SideWrites] = weakref.WeakKeyDictionary()
_BY_STORE_LOCK = threading.Lock()


def side_writes_for(session_factory: SessionFactory) -> SideWrites:
    """The one background writer of a store, so that its entries stay in order."""
    with _BY_STORE_LOCK:
        found = _BY_STORE.get(session_factory)
        if found is None:
            found = _BY_STORE[session_factory] = SideWrites(session_factory)
        return found


def is_busy(error: OperationalError) -> bool:
    """Whether a write failed only because another connection holds the write lock."""
    message = str(error.orig).lower()
    return "locked" in message or "busy" in message
