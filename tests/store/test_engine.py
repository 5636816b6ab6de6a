"""The embedded store is private to its owner and configured for concurrent desktop use."""

from __future__ import annotations

import stat
import threading
from pathlib import Path

from sqlalchemy import Engine, inspect, text

from desktop.store.session import SessionFactory, unit_of_work


def test_store_file_is_owner_only(sqlite_engine: Engine, app_home: Path) -> None:
    with sqlite_engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    for path in app_home.glob("store.sqlite3*"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_sqlite_runs_in_wal_with_foreign_keys_and_a_busy_timeout(sqlite_engine: Engine) -> None:
    with sqlite_engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 30_000


def test_migrations_create_the_accounts_schema(engine: Engine) -> None:
    tables = set(inspect(engine).get_table_names())
    assert {"users", "profiles", "audit_events", "alembic_version"} <= tables


def test_wal_and_shared_memory_files_are_owner_only(sqlite_engine: Engine, app_home: Path) -> None:
    with sqlite_engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO users (login, display_name, password_hash, preferences, created_at) "
                "VALUES ('ada', 'Ada', 'h', '{}', '2026-01-01 00:00:00')"
            )
        )
        wal_files = sorted(path.name for path in app_home.glob("store.sqlite3-*"))
        assert wal_files == ["store.sqlite3-shm", "store.sqlite3-wal"]
        for path in app_home.glob("store.sqlite3*"):
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert stat.S_IMODE(app_home.stat().st_mode) == 0o700


class JobFailedError(Exception):
    pass


def test_a_background_jobs_session_is_closed_whatever_happens(
    session_factory: SessionFactory, engine: Engine
) -> None:
    outcomes: list[str] = []

    def job(kind: str) -> None:
        try:
            with unit_of_work(session_factory) as session:
                session.execute(text("SELECT 1"))
                if kind == "error":
                    raise JobFailedError
                if kind == "exit":
                    raise SystemExit(3)
        except (JobFailedError, SystemExit) as error:
            outcomes.append(type(error).__name__)
        else:
            outcomes.append("ok")

    threads = [threading.Thread(target=job, args=(kind,)) for kind in ("ok", "error", "exit") * 4]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == sorted(["ok", "JobFailedError", "SystemExit"] * 4)
    assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]
