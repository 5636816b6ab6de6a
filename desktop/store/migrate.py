"""Bringing a store to the schema this version of the app expects, with alembic.

At start the app calls :func:`upgrade_store`: a store written by a newer app is refused (its
schema would be misread), and before an embedded SQLite store is upgraded it is copied aside, so
that whatever happens the user keeps a file the previous version can open. A failing upgrade
leaves the store as it was: all pending revisions run in one transaction, which rolls back.

Several apps may start at once on one store (two windows, a CLI command beside the window). The
check-copy-upgrade of a SQLite store therefore runs under a cross-process lock, a file next to
the store (:func:`startup_lock`): without it a second app could copy a half-upgraded file aside,
or upgrade from a revision it read before the first app finished. The revision is read again once
the lock is held, so the later apps find the store at head and do nothing. A store already at
head is opened without taking the lock, so a normal start never waits for another app. PostgreSQL
stores are serialised by an advisory lock inside the migration transaction (see
``migrations/env.py``) and are not copied.

The store file is never replaced while the app runs: another process may have it open, and a
file renamed over its open descriptor would leave that process writing to the old, unlinked copy
(and its WAL would no longer match). The rolled-back transaction is what leaves a failed store
as it was; only if the store is found at another revision afterwards is the copy written back,
page by page through SQLite's backup API, which takes SQLite's own locks.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from desktop.store.engine import READ_ONLY, connect_like, create_private_file

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
STARTUP_LOCK_TIMEOUT = 600.0
"""Seconds an app waits for another app's upgrade of the same store (a big store's full-text
index can take minutes to rebuild) before saying so instead of starting."""

_REVISION_LINE = re.compile(r'^(down_revision|revision)\s*=\s*"?(\w+|None)"?\s*$', re.MULTILINE)

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

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
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def script_directory() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(MIGRATIONS_DIR))


def head_revision() -> str:
    head = script_directory().get_current_head()
    if head is None:
        raise StoreUpgradeError("this build of Switchboard ships no migrations")
    return head


def current_revision(engine: Engine) -> str | None:
    """Read without waiting for writers: an app at head starts while another one writes."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        connection.execution_options(**{READ_ONLY: True})
        return MigrationContext.configure(connection).get_current_revision()


@cache
def head_in_files() -> str | None:
    """The head revision read from the migration files' text, without importing alembic.

    Every command start asks whether the store is at head; alembic's answer costs its import
    and an import of every migration script. None when the files do not name exactly one head
    (alembic then decides); ``tests/store/test_migrations.py`` checks that both agree.
    """
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in (MIGRATIONS_DIR / "versions").glob("*.py"):
        found = dict(_REVISION_LINE.findall(script.read_text(encoding="utf-8")))
        if "revision" not in found:
            return None
        revisions.add(found["revision"])
        parents.add(found.get("down_revision", "None"))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def _stored_revision(engine: Engine) -> str | None:
    """The store's revision by one plain query (None when there is none, or it cannot say)."""
    try:
        with engine.connect() as connection:
            connection.execution_options(**{READ_ONLY: True})
            rows = connection.exec_driver_sql("SELECT version_num FROM alembic_version").all()
    except DBAPIError:
        return None
    return str(rows[0][0]) if len(rows) == 1 else None


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
    quick = head_in_files()
    if quick is not None and _stored_revision(engine) == quick:
        return UpgradeResult(quick, quick, None)  # the usual start: nothing to check further
    head = head_revision()
    start = current_revision(engine)
    _refuse_newer_store(engine, start)
    if start == head:
        return UpgradeResult(start, head, None)
    store = _sqlite_file(engine)
    if store is None:
        _run_upgrade(engine, start, head)
        log.info("upgraded the store from schema %s to %s", start or "(empty)", head)
        return UpgradeResult(start, head, None)
    with startup_lock(store):
        start = current_revision(engine)
        _refuse_newer_store(engine, start)
        if start == head:
            return UpgradeResult(start, head, None)
        backup = _copy_aside(engine, store, start) if start else None
        try:
            _run_upgrade(engine, start, head)
        except MigrationFailedError:
            if backup is not None and current_revision(engine) != start:
                _restore(engine, store, backup)
            raise
    log.info("upgraded the store from schema %s to %s", start or "(empty)", head)
    return UpgradeResult(start, head, backup)


@contextmanager
def startup_lock(store: Path) -> Iterator[None]:
    """Hold the store's start-up lock (``<store>.lock``, owner-only) while upgrading it."""
    from filelock import FileLock, Timeout  # only a store behind this app's schema needs it

    path = store.with_name(store.name + ".lock")
    create_private_file(path)
    lock = FileLock(path, timeout=STARTUP_LOCK_TIMEOUT, mode=0o600)
    try:
        lock.acquire()
    except Timeout as error:
        raise StoreUpgradeError(
            f"another Switchboard has been upgrading the store {store} for over "
            f"{STARTUP_LOCK_TIMEOUT / 60:.0f} minutes; wait for it to finish, then start again"
        ) from error
    try:
        yield
    finally:
        lock.release()


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

    from alembic import command

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
    """Copy the store through SQLite's backup API: a consistent copy, WAL content included,
    whoever else has the file open."""
    engine.dispose()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    backup = store.with_name(f"{store.name}.{stamp}.schema-{revision or 'empty'}.bak")
    create_private_file(backup)
    _copy_database(engine, store, backup)
    log.info("copied the store aside to %s before upgrading", backup)
    return backup


def _restore(engine: Engine, store: Path, backup: Path) -> None:
    """Write the copy back into the store through SQLite, never by replacing the file."""
    engine.dispose()
    _copy_database(engine, backup, store)
    log.warning("upgrade failed; put the store back from %s", backup)


def _copy_database(engine: Engine, source_path: Path, target_path: Path) -> None:
    """Both files opened as the engine opens its store: an encrypted store's copy is encrypted
    with the same key (SQLCipher's backup copies between files keyed alike)."""
    source = connect_like(engine, source_path)
    try:
        target = connect_like(engine, target_path)
        try:
            source.backup(target)
        finally:
            target.close()
    finally:
        source.close()
