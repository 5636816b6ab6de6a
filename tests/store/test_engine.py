"""The embedded store is private to its owner and configured for concurrent desktop use."""

from __future__ import annotations

import stat
from pathlib import Path

from sqlalchemy import Engine, inspect, text


def test_store_file_is_owner_only(engine: Engine, app_home: Path) -> None:
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    for path in app_home.glob("store.sqlite3*"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_sqlite_runs_in_wal_with_foreign_keys_and_a_busy_timeout(engine: Engine) -> None:
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 30_000


def test_migrations_create_the_accounts_schema(engine: Engine) -> None:
    tables = set(inspect(engine).get_table_names())
    assert {"users", "profiles", "audit_events", "alembic_version"} <= tables
