"""One session per unit of work, and whether it writes is said when it opens.

Sessions are never shared: each CLI command, each GUI action and each background job opens its
own, which always closes, so a job that dies still returns its connection.

* :func:`unit_of_work` may write: it commits on success and rolls back on error. On SQLite it
  takes the write lock as it begins (``BEGIN IMMEDIATE``), so it queues behind another writer.
* :func:`read_only` only reads: on SQLite a deferred transaction on a WAL snapshot, which never
  waits for a writer (and a write in it fails at once); on PostgreSQL a ``READ ONLY``
  transaction. Every read path uses it, so that a long sync, an import or another process
  holding the write lock never delays what the user is looking at.

Why not begin every transaction deferred and retry when a read turns into a write and finds the
lock taken (``SQLITE_BUSY``)? SQLite reports that at once, without waiting, and the only cure is
to run the whole unit of work again; the session layer cannot replay the caller's code (it may
have touched the keyring or the network), so every caller would need its own retry loop. Saying
up front which units write keeps that correct by construction: writers queue, readers never do.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from desktop.store.engine import CHECKPOINT_LATER, LOCK_WAIT, READ_ONLY

SessionFactory = sessionmaker[Session]


def make_session_factory(engine: Engine) -> SessionFactory:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def unit_of_work(
    factory: SessionFactory, *, lock_wait: float | None = None, checkpoint_later: bool = False
) -> Iterator[Session]:
    """A writing unit of work; ``lock_wait`` bounds the wait for SQLite's write lock (seconds);
    ``checkpoint_later`` is for a bulk writer that checkpoints the WAL itself
    (:mod:`desktop.store.checkpoints`)."""
    session = factory()
    try:
        options: dict[str, object] = {}
        if lock_wait is not None:
            options[LOCK_WAIT] = lock_wait
        if checkpoint_later:
            options[CHECKPOINT_LATER] = True
        if options:
            session.connection(execution_options=options)
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@contextmanager
def read_only(factory: SessionFactory) -> Iterator[Session]:
    """A unit of work that only reads; nothing is committed (a read has nothing to commit)."""
    session = factory()
    try:
        session.connection(execution_options={READ_ONLY: True, "postgresql_readonly": True})
        yield session
    finally:
        session.close()
