"""The partial indexes of ``messages`` as the models create them, on each kind of store; and the
models load without SQLAlchemy's PostgreSQL dialect, which a SQLite store never needs."""

from __future__ import annotations

import subprocess
import sys

from sqlalchemy import text

from desktop.store.engine import make_engine
from desktop.store.models import Base

PARTIAL = ("ix_messages_unread", "uq_messages_profile_hash", "uq_messages_profile_message_id")


def test_create_all_makes_each_partial_index_with_its_where(empty_database_url: str) -> None:
    engine = make_engine(empty_database_url)
    Base.metadata.create_all(engine)
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            query = "SELECT name, sql FROM sqlite_master WHERE type = 'index'"
        else:
            query = "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'messages'"
        definitions: dict[str, str] = {row[0]: row[1] for row in connection.execute(text(query))}
    engine.dispose()

    wheres = {name: definitions[name].partition(" WHERE ")[2] for name in PARTIAL}
    if empty_database_url.startswith("sqlite"):
        assert wheres == {
            "ix_messages_unread": "seen = 0",
            "uq_messages_profile_hash": "uid IS NULL AND message_id IS NULL",
            "uq_messages_profile_message_id": "uid IS NULL AND message_id IS NOT NULL",
        }
    else:  # as PostgreSQL prints them back
        assert wheres == {
            "ix_messages_unread": "(NOT seen)",
            "uq_messages_profile_hash": "((uid IS NULL) AND (message_id IS NULL))",
            "uq_messages_profile_message_id": "((uid IS NULL) AND (message_id IS NOT NULL))",
        }


def test_the_models_load_without_the_postgresql_dialect() -> None:
    probe = (
        "import sys, desktop.store.models; print('sqlalchemy.dialects.postgresql' in sys.modules)"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    ).stdout.strip()
    assert loaded == "False"
