"""A bulk writer's commits leave WAL checkpoints to its own thread; the WAL stays bounded and
every other writer checkpoints as before."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from desktop.store import checkpoints
from desktop.store.checkpoints import Checkpoints
from desktop.store.engine import WAL_AUTOCHECKPOINT_PAGES
from desktop.store.session import make_session_factory, unit_of_work

ROW = "x" * 40_000  # ten pages a row


def autocheckpoint(engine: Engine, *, checkpoint_later: bool) -> int:
    with unit_of_work(make_session_factory(engine), checkpoint_later=checkpoint_later) as session:
        return int(session.execute(text("PRAGMA wal_autocheckpoint")).scalar_one())


def test_only_bulk_transactions_skip_the_checkpoint_at_commit(sqlite_engine: Engine) -> None:
    # The pool hands back the same connection: the setting must follow each transaction.
    assert autocheckpoint(sqlite_engine, checkpoint_later=True) == 0
    assert autocheckpoint(sqlite_engine, checkpoint_later=False) == WAL_AUTOCHECKPOINT_PAGES
    assert autocheckpoint(sqlite_engine, checkpoint_later=True) == 0
    assert autocheckpoint(sqlite_engine, checkpoint_later=False) == WAL_AUTOCHECKPOINT_PAGES


def wal_pages(app_home: Path) -> int:
    return (app_home / "store.sqlite3-wal").stat().st_size // 4096


def test_a_bulk_write_keeps_the_wal_near_its_limit_and_its_rows_readable(
    sqlite_engine: Engine, app_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(checkpoints, "WAL_LIMIT_PAGES", 200)
    factory = make_session_factory(sqlite_engine)
    with unit_of_work(factory) as session:
        session.execute(text("CREATE TABLE bulk (n INTEGER, payload TEXT)"))
    done = Checkpoints(sqlite_engine)
    largest = 0
    try:
        for batch in range(60):  # about 1,200 pages in all, 20 a batch
            done.before_write()
            with unit_of_work(factory, checkpoint_later=True) as session:
                session.execute(
                    text("INSERT INTO bulk VALUES (:n, :payload)"),
                    [{"n": batch * 2 + i, "payload": ROW} for i in range(2)],
                )
            done.written()
            largest = max(largest, wal_pages(app_home))
    finally:
        done.close()
    # Without checkpoints the log would hold every batch; without restarts it would keep growing.
    assert largest < 600
    with unit_of_work(factory) as session:
        assert session.execute(text("SELECT count(*) FROM bulk")).scalar_one() == 120
    raw = sqlite_engine.raw_connection()  # a checkpoint cannot run inside a transaction
    try:
        busy, log, copied = raw.cursor().execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    finally:
        raw.close()
    assert busy == 0
    assert log == copied
