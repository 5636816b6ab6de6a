"""Alembic environment: runs migrations on the engine the app hands over, never from a URL file.

All pending revisions run in one transaction, so a failure leaves the schema as it was on
PostgreSQL and on SQLite alike (the engine begins SQLite transactions itself, which makes its DDL
transactional). SQLite's foreign keys are switched off while batch migrations copy and drop
tables, because with them on, dropping the old copy of ``profiles`` would cascade into every
row that refers to it; the keys are checked before committing and switched back on afterwards.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, Engine

from desktop.store.models import Base

config = context.config
target_metadata = Base.metadata

MIGRATION_LOCK = 0x53574254
"""PostgreSQL advisory lock taken for the upgrade, so that team members starting the app at once
on a shared directory upgrade it one after the other; the later ones then find nothing to do.
(SQLite stores are upgraded under the start-up file lock of ``desktop.store.migrate``.)"""


def _set_sqlite_foreign_keys(connection: Connection, enabled: bool) -> None:
    cursor = connection.connection.cursor()
    try:
        cursor.execute(f"PRAGMA foreign_keys={'ON' if enabled else 'OFF'}")
    finally:
        cursor.close()


def run_migrations_online() -> None:
    engine: Engine = config.attributes["engine"]
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            _set_sqlite_foreign_keys(connection, enabled=False)
        try:
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                render_as_batch=sqlite,
                compare_type=True,
                on_version_apply=config.attributes.get("on_version_apply"),
            )
            with context.begin_transaction():
                if connection.dialect.name == "postgresql":
                    connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
                context.run_migrations()
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                    if broken:
                        raise RuntimeError(f"the migration broke {len(broken)} foreign key(s)")
            connection.commit()
        finally:
            if sqlite:
                _set_sqlite_foreign_keys(connection, enabled=True)


run_migrations_online()
