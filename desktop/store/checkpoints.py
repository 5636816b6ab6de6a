"""WAL checkpoints of a bulk write on a thread of their own, so that its commits never wait for
the disk.

SQLite checkpoints from the committing connection once the WAL holds 1,000 pages; under
``synchronous=NORMAL`` each checkpoint fsyncs the WAL and the database file. On a first sync of
20,000 messages those fsyncs were 0.65 s of the writer's 1.6 s (measured, 500 messages a commit),
and their share grew with the mailbox. A bulk writer's transactions skip that checkpoint
(``unit_of_work(..., checkpoint_later=True)``); :class:`Checkpoints` runs a ``PASSIVE`` one after
each of them on another connection instead, which copies pages back while the next batch is
written: a passive checkpoint never blocks a writer, nor a writer it.

The log only starts over from its beginning when a write begins with every frame copied back, and
a writer that never waited for its checkpoints would grow the WAL by the whole job (181 MB for
those 20,000 messages). So once a checkpoint finds more than :data:`WAL_LIMIT_PAGES` in the log,
the writer checkpoints the rest itself before its next write, and that write restarts the log.
A checkpoint still running after :data:`MAX_WRITES_AHEAD` further writes holds the next one back:
on a disk slower than the writer the log would otherwise grow faster than checkpoints report it.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor

from sqlalchemy import Engine

from desktop.store.cipher import sqlite_errors

log = logging.getLogger(__name__)

WAL_LIMIT_PAGES = 8192
"""How long the WAL may grow during a bulk write (32 MB at SQLite's 4 kB pages)."""
MAX_WRITES_AHEAD = 2
"""How many writes may commit while one checkpoint runs."""


class Checkpoints:
    """Checkpoints after each write of one bulk writer, one at a time; SQLite engines only."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="wal-checkpoint")
        self._running: Future[None] | None = None
        self._log_pages = 0
        self._ahead = 0

    def before_write(self) -> None:
        """Copy back the whole log when it has grown past its limit, so the write restarts it."""
        if self._log_pages > WAL_LIMIT_PAGES:
            self._finish()
            self._checkpoint()
            self._log_pages = 0  # the coming write starts the log over
        elif self._ahead >= MAX_WRITES_AHEAD:
            self._finish()

    def written(self) -> None:
        """Start a checkpoint of what was just committed, unless one is still running (it will
        leave the rest to the next one)."""
        self._ahead += 1
        if self._running is None or self._running.done():
            self._finish()
            self._ahead = 0
            self._running = self._pool.submit(self._checkpoint)

    def close(self) -> None:
        try:
            self._finish()
        finally:
            self._pool.shutdown(wait=True)

    def _finish(self) -> None:
        running, self._running = self._running, None
        if running is not None:
            running.result()

    def _checkpoint(self) -> None:
        pages = checkpoint(self._engine)
        if pages is not None:
            self._log_pages = pages


def checkpoint(engine: Engine) -> int | None:
    """A ``PASSIVE`` checkpoint now; the pages still in the log, None if it failed.

    For a writer that committed with :data:`~desktop.store.engine.CHECKPOINT_LATER` and has
    reported its work: the checkpoint its commit skipped runs after the report instead.
    """
    # A pooled DB-API connection outside any transaction: a checkpoint cannot run in one.
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        row = cursor.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    except sqlite_errors() as error:  # the next commit of any other writer checkpoints instead
        log.warning("WAL checkpoint failed: %s", error)
        return None
    finally:
        connection.close()
    return int(row[1])
