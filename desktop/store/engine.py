"""Engines for the embedded SQLite store and for a shared PostgreSQL directory.

SQLite is set up for a desktop app with background jobs: WAL so that readers never wait for the
sync writer, foreign keys on (SQLite leaves them off), and a busy timeout so that two writers
queue instead of failing with "database is locked".

A transaction says at its start whether it may write, through the connection's execution options
(set by :mod:`desktop.store.session`):

* a write transaction starts with ``BEGIN IMMEDIATE``. With deferred transactions, a unit of work
  that reads and then writes can find at the write that another connection committed meanwhile;
  SQLite then answers "database is locked" at once, without waiting for the busy timeout. Taking
  the write lock up front turns that into an orderly queue, and it also makes DDL transactional,
  which migrations rely on. :data:`LOCK_WAIT` shortens the queue for writes that would rather
  give up than wait (see :mod:`desktop.store.side_writes`).
* a read transaction (:data:`READ_ONLY`) starts with a plain deferred ``BEGIN`` under
  ``PRAGMA query_only``: in WAL mode it reads a snapshot and never waits for a writer, however
  long that writer holds the lock, and a write slipped into it fails instead of queueing.
* a bulk write transaction (:data:`CHECKPOINT_LATER`) commits without the WAL checkpoint SQLite
  would otherwise run in the committing connection: its writer checkpoints on a thread of its
  own (:mod:`desktop.store.checkpoints`). Every other write transaction checkpoints as usual.

A failed statement's values (a subject, a body, addresses) never appear in its error's text
(``hide_parameters``): errors reach the log through tracebacks, and the log holds no mail.

Given the store's data key, every connection is a SQLCipher one keyed before anything else runs
(:mod:`desktop.store.cipher`); all of the above then works unchanged on the encrypted file.
"""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

from desktop.paths import store_file
from desktop.store.cipher import connect_encrypted, dbapi, sqlite_errors

DATABASE_URL_ENV = "SWITCHBOARD_DATABASE_URL"
SQLITE_BUSY_TIMEOUT_MS = 30_000
WAL_SWITCH_RETRY_S = 0.01
READ_ONLY = "switchboard_read_only"
"""Execution option: this connection's transaction only reads (deferred, ``query_only``)."""
LOCK_WAIT = "switchboard_lock_wait"
"""Execution option: seconds a write transaction waits for the write lock (default: the busy
timeout); past it, beginning fails with "database is locked"."""
CHECKPOINT_LATER = "switchboard_checkpoint_later"
"""Execution option: this write transaction's commit leaves the WAL checkpoint to its writer's
checkpoint thread (:class:`desktop.store.checkpoints.Checkpoints`)."""
_KEYS: WeakKeyDictionary[Engine, bytes | None] = WeakKeyDictionary()
"""Each SQLite engine's data key, for copies of its store (never written anywhere)."""
WAL_AUTOCHECKPOINT_PAGES = 1000
"""SQLite's own default: the WAL size in pages past which a commit checkpoints."""


def default_database_url() -> str:
    return os.environ.get(DATABASE_URL_ENV) or f"sqlite:///{store_file()}"


def create_private_file(path: Path) -> None:
    """Create the store file readable by its owner only, before SQLite creates it world-readable.

    SQLite gives its -wal and -shm files the mode of the main file, so this covers them too.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    os.close(fd)
    path.chmod(0o600)


def make_engine(url: str | None = None, *, key: bytes | None = None, **kwargs: Any) -> Engine:
    """An engine over the store; with ``key``, over its SQLCipher-encrypted file."""
    url = url or default_database_url()
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        if key is not None:
            raise ValueError("only the embedded SQLite store is encrypted by Switchboard")
        return create_engine(url, pool_pre_ping=True, hide_parameters=True, **kwargs)
    if parsed.database and parsed.database != ":memory:":
        create_private_file(Path(parsed.database))
    timeout = SQLITE_BUSY_TIMEOUT_MS / 1000
    if key is None:
        engine = create_engine(
            url, connect_args={"timeout": timeout}, hide_parameters=True, **kwargs
        )
    else:
        if not parsed.database or parsed.database == ":memory:":
            raise ValueError("an encrypted store is a file")
        path = Path(parsed.database)
        engine = create_engine(
            url,
            module=dbapi(),
            creator=lambda: connect_encrypted(path, key, timeout=timeout, check_same_thread=False),
            hide_parameters=True,
            **kwargs,
        )
    _KEYS[engine] = key
    event.listen(engine, "connect", _configure_sqlite_connection)
    event.listen(engine, "begin", _begin)
    return engine


def connect_like(engine: Engine, path: Path) -> Any:
    """A driver connection to another file (a backup) encrypted as the engine's store is, or
    plain like it: a copy is never less protected than its store."""
    timeout = SQLITE_BUSY_TIMEOUT_MS / 1000
    key = _KEYS.get(engine)
    if key is None:
        return sqlite3.connect(path, timeout=timeout)
    return connect_encrypted(path, key, timeout=timeout)


def _configure_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        _use_wal(cursor)
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def _use_wal(cursor: Any) -> None:
    """Switch the store to WAL once; later connections find it so and change nothing.

    Switching needs the file to itself, and SQLite answers "database is locked" at once, without
    its busy handler, when two connections want it at the same moment (several apps opening a
    new store together): that case is retried until the busy timeout.
    """
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite_errors() as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(WAL_SWITCH_RETRY_S)


def _begin(connection: Connection) -> None:
    options = connection.get_execution_options()
    read_only = bool(options.get(READ_ONLY, False))
    _set_query_only(connection, read_only)
    if read_only:
        connection.exec_driver_sql("BEGIN")
        return
    later = bool(options.get(CHECKPOINT_LATER, False))
    _set_autocheckpoint(connection, 0 if later else WAL_AUTOCHECKPOINT_PAGES)
    wait = options.get(LOCK_WAIT)
    if wait is None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
        return
    connection.exec_driver_sql(f"PRAGMA busy_timeout={int(wait * 1000)}")
    try:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    finally:
        connection.exec_driver_sql(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")


def _set_autocheckpoint(connection: Connection, pages: int) -> None:
    """Like ``query_only``, the setting outlives the transaction, so it is set whenever it
    changes: a pooled connection a bulk write used must checkpoint again for the next writer."""
    info = connection.connection.info
    if info.get("wal_autocheckpoint", WAL_AUTOCHECKPOINT_PAGES) != pages:
        connection.exec_driver_sql(f"PRAGMA wal_autocheckpoint={pages}")
        info["wal_autocheckpoint"] = pages


def _set_query_only(connection: Connection, enabled: bool) -> None:
    """Switch ``query_only`` only when it changes: it outlives the transaction on the connection."""
    info = connection.connection.info
    if info.get(READ_ONLY, False) != enabled:
        connection.exec_driver_sql(f"PRAGMA query_only={'ON' if enabled else 'OFF'}")
        info[READ_ONLY] = enabled
