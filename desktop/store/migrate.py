"""Bringing a store to the schema this version of the app expects, with alembic.

At start the app calls :func:`upgrade_store`: a store written by a newer app is refused (its
schema would be misread), and before an embedded SQLite store is upgraded it is copied aside, so
that whatever happens the user keeps a file the previous version can open. A failing upgrade
leaves the store as it was: all pending revisions run in one transaction, and the SQLite file is
put back from the copy byte for byte.
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from desktop.store.engine import create_private_file

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

log = logging.getLogger(__name__)


class StoreUpgradeError(RuntimeError):
    """The store could not be brought to this app's schema; the message is meant for the user."""


class StoreTooNewError(StoreUpgradeError):
    """The store was written by a newer version of the app."""


class MigrationFailedError(StoreUpgradeError):
    """A migration failed; the store was left as it was."""


@dataclass(frozen=True)
class UpgradeResult:
    from_revision: str | None
    to_revision: str
    backup: Path | None


def alembic_config(engine: Engine) -> Config:
    """A config built in code: no alembic.ini to ship, and the caller's engine is reused."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def script_directory() -> ScriptDirectory:
    return ScriptDirectory(str(MIGRATIONS_DIR))


def head_revision() -> str:
    head = script_directory().get_current_head()
    if head is None:
        raise StoreUpgradeError("this build of Switchboard ships no migrations")
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade_to_head(engine: Engine) -> None:
    """Upgrade without a copy aside: for stores that are new or disposable (tests, self-test)."""
    upgrade_to(engine, head_revision())


def upgrade_to(engine: Engine, revision: str) -> None:
    _refuse_newer_store(engine, current_revision(engine))
    _run_upgrade(engine, current_revision(engine), revision)


def upgrade_store(engine: Engine) -> UpgradeResult:
    """The app-start upgrade: refuse a newer store, copy a SQLite file aside, then upgrade.

    Raises :class:`StoreUpgradeError` (or a subclass) with a message fit to show the user.
    """
    start = current_revision(engine)
    head = head_revision()
    _refuse_newer_store(engine, start)
    if start == head:
        return UpgradeResult(start, head, None)
    store = _sqlite_file(engine)
    backup = _copy_aside(engine, store, start) if store is not None and start else None
    try:
        _run_upgrade(engine, start, head)
    except MigrationFailedError:
        if store is not None and backup is not None:
            _restore(engine, store, backup)
        raise
    log.info("upgraded the store from schema %s to %s", start or "(empty)", head)
    return UpgradeResult(start, head, backup)


def _refuse_newer_store(engine: Engine, revision: str | None) -> None:
    if revision is None:
        return
    known = {script.revision for script in script_directory().walk_revisions()}
    if revision not in known:
        raise StoreTooNewError(
            f"the store {_describe(engine)} was written by a newer version of Switchboard "
            f"(schema {revision}; this version knows up to {head_revision()}); "
            "update Switchboard to open it"
        )


def _run_upgrade(engine: Engine, start: str | None, target: str) -> None:
    scripts = script_directory()
    pending = [
        script.revision for script in reversed(list(scripts.iterate_revisions(target, start)))
    ]
    applied: list[str] = []

    def record(*, step: Any, **_kwargs: Any) -> None:
        applied.append(step.up_revision_id)

    config = alembic_config(engine)
    config.attributes["on_version_apply"] = record
    try:
        command.upgrade(config, target)
    except Exception as error:
        failed = next((rev for rev in pending if rev not in applied), target)
        doc = scripts.get_revision(failed)
        title = doc.doc if doc is not None else ""
        raise MigrationFailedError(
            f"upgrading the store {_describe(engine)} from schema {start or '(empty)'} failed "
            f"in migration {failed} ({title}): {error}. The store was left as it was."
        ) from error
    finally:
        engine.dispose()


def _describe(engine: Engine) -> str:
    store = _sqlite_file(engine)
    return str(store) if store is not None else engine.url.render_as_string(hide_password=True)


def _sqlite_file(engine: Engine) -> Path | None:
    if engine.dialect.name != "sqlite":
        return None
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def _copy_aside(engine: Engine, store: Path, revision: str | None) -> Path:
    """Copy the file while no connection is open, after folding any WAL content into it."""
    engine.dispose()
    wal = store.with_name(store.name + "-wal")
    if wal.exists() and wal.stat().st_size > 0:
        connection = sqlite3.connect(store)
        try:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            connection.close()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    backup = store.with_name(f"{store.name}.{stamp}.schema-{revision or 'empty'}.bak")
    create_private_file(backup)
    shutil.copyfile(store, backup)
    log.info("copied the store aside to %s before upgrading", backup)
    return backup


def _restore(engine: Engine, store: Path, backup: Path) -> None:
    engine.dispose()
    for suffix in ("-wal", "-shm"):
        store.with_name(store.name + suffix).unlink(missing_ok=True)
    staging = store.with_name(store.name + ".restoring")
    create_private_file(staging)
    shutil.copyfile(backup, staging)
    os.replace(staging, store)
    log.warning("upgrade failed; put the store back from %s", backup)
