"""Turning a plain store file into an encrypted one in place, so that a crash loses nothing.

The encrypted copy is made beside the store (``<store>.encrypting``) by SQLCipher's
``sqlcipher_export``, checked, and only then put in the store's place. Two files change name at
the end, the copy and its key file, and no rename moves both at once; what decides which store
is *the* store is therefore **the first bytes of the file at the store's own path**:

* while that file is plain SQLite, the plain store is the store, whatever lies beside it. A copy
  or a key file beside it is an unfinished encryption's and is removed at the next start
  (:func:`settle_interrupted_encryption`).
* from the instant the copy is renamed over it (one ``rename``, atomic on POSIX), the encrypted
  store is the store. Its key file must be on disk before that instant, or nothing could open
  it; so the key file is written first under the copy's name (``<store>.encrypting.keys``,
  fsynced), and renamed to the store's (``<store>.keys``) just after. A crash between the two
  renames leaves an encrypted store and its key file under the copy's name, which the next
  start moves into place: that file cannot belong to anything else, since it is written only
  once its copy has been verified.

Writing the key file under the store's own name first would not do: ``<store>.keys`` beside a
plain file would make every start treat the plain store as encrypted (the key file's presence
is what says "encrypted", see :mod:`desktop.services.store_opening`), and removing it at the
next start would mean deleting a file named like a real store's keys.

The plain store is switched to a single file first (``journal_mode=DELETE``, which folds its WAL
back in) and held under a shared lock from then until the rename, so no writer can commit to it
after the copy was taken: a writer waits, then fails with "database is locked", and loses
nothing it was told was saved. Its -wal and -shm are gone before the rename, so nothing of the
plain store's can be read as the encrypted one's. The migration copies of the plain store are
removed last; one left by a crash is removed at the next start, since a plain copy beside an
encrypted store would undo its encryption. The caller holds the store's start-up lock
(:func:`desktop.store.migrate.startup_lock`) throughout, which every start takes before settling,
so no start can judge the files while they change.
"""

from __future__ import annotations

import enum
import fcntl
import logging
import os
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import Any

from desktop.store.cipher import (
    SQLCIPHER_COMPATIBILITY,
    connect_encrypted,
    dbapi,
    is_plain_sqlite,
)
from desktop.store.engine import SQLITE_BUSY_TIMEOUT_MS, create_private_file
from desktop.store.key_slots import KeyFile, key_file_of, write_key_file

COPY_SUFFIX = ".encrypting"
SHM_DMS_BYTE = 128
"""The byte of a WAL store's -shm file that each open connection holds a shared lock on."""
PROGRESS_EVERY_OPS = 1000
"""SQLite virtual-machine steps between two progress reports of the export."""

log = logging.getLogger(__name__)


class Step(enum.StrEnum):
    """The points an encryption passes, in order: for the progress text, and for the kill test
    that ends the process at each one."""

    LOCKED = "locked"
    EXPORTED = "exported"
    VERIFIED = "verified"
    KEYS_WRITTEN = "keys-written"
    SIDE_FILES_REMOVED = "side-files-removed"
    RENAMED = "renamed"
    KEYS_IN_PLACE = "keys-in-place"
    BACKUPS_REMOVED = "backups-removed"


class EncryptionFailedError(RuntimeError):
    """The encrypted copy could not be made or did not match; the plain store is unchanged."""


StepHook = Callable[[Step], None]
ProgressHook = Callable[[float], None]


def copy_of(store: Path) -> Path:
    """Where the encrypted copy is made, beside the store so that the rename stays atomic."""
    return store.with_name(store.name + COPY_SUFFIX)


def plain_backups(store: Path) -> list[Path]:
    """The migration copies of the store (see :mod:`desktop.store.migrate`) that are plain."""
    return [
        path
        for path in sorted(store.parent.glob(f"{store.name}.*.schema-*.bak"))
        if is_plain_sqlite(path)
    ]


def needs_settling(store: Path) -> bool:
    """Whether an interrupted encryption left anything to finish or remove (a few stats)."""
    copy = copy_of(store)
    if copy.exists() or key_file_of(copy).exists():
        return True
    return key_file_of(store).exists() and bool(plain_backups(store))


def settle_interrupted_encryption(store: Path) -> None:
    """Finish or undo an encryption that a crash cut short; the caller holds the start-up lock.

    The file at the store's path decides (see the module's docstring): plain, and the copy and
    its key file go; encrypted, and its key file is moved into place if it is still under the
    copy's name, then any plain migration copy goes.
    """
    copy = copy_of(store)
    pending_keys = key_file_of(copy)
    if is_plain_sqlite(store):
        if _remove_unfinished(store):
            log.info("removed an unfinished encrypted copy of %s; the plain store is kept", store)
        return
    if not store.exists():
        return
    keys = key_file_of(store)
    if pending_keys.exists() and not keys.exists():
        os.replace(pending_keys, keys)
        _sync_folder(store.parent)
        log.info("finished encrypting %s: its key file is in place", store)
    _remove_key_file_temporaries(copy)
    if keys.exists():
        _remove_plain_backups(store)


def encrypt_store_file(
    store: Path,
    data_key: bytes,
    key_file: KeyFile,
    *,
    on_step: StepHook | None = None,
    on_progress: ProgressHook | None = None,
) -> None:
    """Replace the plain store by an encrypted copy keyed by ``data_key``, ``key_file`` beside.

    Raises :class:`EncryptionFailedError` (plain store kept) before the copy takes the store's
    place. The caller holds the store's start-up lock, and has closed its own connections.
    """
    step = on_step or (lambda _step: None)
    _remove_unfinished(store)
    _refuse_if_open_elsewhere(store)
    plain = _hold_plain(store)
    try:
        step(Step.LOCKED)
        _export(plain, store, data_key, on_progress)
        step(Step.EXPORTED)
        _verify(plain, copy_of(store), data_key)
        step(Step.VERIFIED)
        write_key_file(key_file_of(copy_of(store)), key_file)
        step(Step.KEYS_WRITTEN)
        _remove_plain_side_files(store)
        step(Step.SIDE_FILES_REMOVED)
    except BaseException:
        plain.close()
        _remove_unfinished(store)
        raise
    try:
        os.replace(copy_of(store), store)
        _sync_folder(store.parent)
    finally:
        plain.close()
    step(Step.RENAMED)
    os.replace(key_file_of(copy_of(store)), key_file_of(store))
    _sync_folder(store.parent)
    step(Step.KEYS_IN_PLACE)
    _remove_plain_backups(store)
    step(Step.BACKUPS_REMOVED)


def _refuse_if_open_elsewhere(store: Path) -> None:
    """Another process with the store open would go on writing to the plain file after the
    rename, and lose what it wrote. Every connection to a WAL store holds a shared lock on one
    byte of its -shm file (SQLite's "DMS" byte, 128) for as long as it is open, so an exclusive
    lock there, tried and released at once, says whether any other process has it open. This
    process must have none open itself: releasing the probe's lock releases all of its locks on
    that file (POSIX record locks are per process)."""
    shm = store.with_name(store.name + "-shm")
    try:
        fd = os.open(shm, os.O_RDWR)
    except FileNotFoundError:
        return  # no WAL connection anywhere: SQLite removes the file with the last one
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, SHM_DMS_BYTE)
    except OSError as error:
        raise EncryptionFailedError(
            f"Another Switchboard window or command has the store {store} open. Close it, "
            "then try again; the plain store was kept as it was."
        ) from error
    finally:
        os.close(fd)


def _hold_plain(store: Path) -> Any:
    """A connection to the plain store, made a single file and read-locked until it closes."""
    connection = dbapi().connect(
        str(store), timeout=SQLITE_BUSY_TIMEOUT_MS / 1000, isolation_level=None
    )
    try:
        mode = connection.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
        if str(mode).lower() != "delete":
            raise EncryptionFailedError(
                f"The store {store} is in use by another program, so it cannot be copied "
                "safely. Close other Switchboard windows and commands, then try again."
            )
        connection.execute("PRAGMA locking_mode=EXCLUSIVE")
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except BaseException as error:
        connection.close()
        if isinstance(error, dbapi().OperationalError):
            raise EncryptionFailedError(
                f"The store {store} is in use by another program ({error}), so it cannot be "
                "copied safely. Close other Switchboard windows and commands, then try again."
            ) from error
        raise
    return connection


def _export(plain: Any, store: Path, data_key: bytes, on_progress: ProgressHook | None) -> None:
    copy = copy_of(store)
    create_private_file(copy)
    total = max(store.stat().st_size, 1)
    if on_progress is not None:

        def report() -> int:
            with suppress(OSError):
                on_progress(min(copy.stat().st_size / total, 1.0))
            return 0

        plain.set_progress_handler(report, PROGRESS_EVERY_OPS)
    try:
        plain.execute(f"PRAGMA cipher_default_compatibility = {SQLCIPHER_COMPATIBILITY}")
        plain.execute("ATTACH DATABASE ? AS encrypted KEY ?", (str(copy), f"x'{data_key.hex()}'"))
        try:
            plain.execute("SELECT sqlcipher_export('encrypted')").fetchall()
            version = int(plain.execute("PRAGMA main.user_version").fetchone()[0])
            plain.execute(f"PRAGMA encrypted.user_version = {version}")
        finally:
            plain.execute("DETACH DATABASE encrypted")
    except dbapi().Error as error:
        raise EncryptionFailedError(
            f"The encrypted copy of {store} could not be written ({error}). The plain store "
            "was kept as it was."
        ) from error
    finally:
        plain.set_progress_handler(None, 0)
    _sync_file(copy)
    _sync_folder(store.parent)


def _verify(plain: Any, copy: Path, data_key: bytes) -> None:
    """The copy has the plain store's schema and every table's row count, SQLite and SQLCipher
    find it whole, and each full-text index answers and matches its content."""
    encrypted = connect_encrypted(copy, data_key, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)
    try:
        problems = _differences(plain, encrypted)
    except dbapi().Error as error:
        problems = [f"it could not be read back ({error})"]
    finally:
        encrypted.close()
    if problems:
        raise EncryptionFailedError(
            f"The encrypted copy did not match the store: {'; '.join(problems)}. The plain "
            "store was kept as it was."
        )


def _differences(plain: Any, encrypted: Any) -> list[str]:
    schema_sql = "SELECT type, name, sql FROM sqlite_master ORDER BY type, name"
    schema = plain.execute(schema_sql).fetchall()
    if encrypted.execute(schema_sql).fetchall() != schema:
        return ["its tables or indexes differ"]
    problems = []
    for kind, name, sql in schema:
        if kind != "table":
            continue
        count = f'SELECT count(*) FROM "{name}"'
        theirs = encrypted.execute(count).fetchone()[0]
        ours = plain.execute(count).fetchone()[0]
        if theirs != ours:
            problems.append(f"table {name} has {theirs} rows instead of {ours}")
        if sql and "using fts5" in sql.lower():
            encrypted.execute(f'INSERT INTO "{name}"("{name}") VALUES (\'integrity-check\')')
            encrypted.execute(f'SELECT rowid FROM "{name}" WHERE "{name}" MATCH ? LIMIT 1', ("a",))
    integrity = [row[0] for row in encrypted.execute("PRAGMA integrity_check").fetchall()]
    if integrity != ["ok"]:
        problems.append(f"SQLite's integrity check says {'; '.join(integrity[:3])}")
    if encrypted.execute("PRAGMA cipher_integrity_check").fetchall():
        problems.append("SQLCipher's page check found damaged pages")
    version_sql = "PRAGMA user_version"
    if encrypted.execute(version_sql).fetchone() != plain.execute(version_sql).fetchone():
        problems.append("its schema version differs")
    return problems


def _remove_plain_side_files(store: Path) -> None:
    """The plain store is a single file now; a -wal with frames would mean another writer."""
    wal = store.with_name(store.name + "-wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise EncryptionFailedError(
            f"Another program is writing to the store {store}. Close other Switchboard "
            "windows and commands, then try again; the plain store was kept as it was."
        )
    for side in (wal, store.with_name(store.name + "-shm")):
        side.unlink(missing_ok=True)
    _sync_folder(store.parent)


def _remove_unfinished(store: Path) -> bool:
    """Remove the copy, its journals and its key file (never anything at the store's path)."""
    copy = copy_of(store)
    found = False
    for path in (
        copy,
        *(copy.with_name(copy.name + suffix) for suffix in ("-journal", "-wal", "-shm")),
        key_file_of(copy),
    ):
        if path.exists():
            path.unlink()
            found = True
    _remove_key_file_temporaries(copy)
    if found:
        _sync_folder(store.parent)
    return found


def _remove_key_file_temporaries(copy: Path) -> None:
    """What :func:`write_key_file` leaves when killed between its write and its rename."""
    pending = key_file_of(copy)
    for temporary in copy.parent.glob(pending.name + ".*.tmp"):
        temporary.unlink(missing_ok=True)


def _remove_plain_backups(store: Path) -> None:
    backups = plain_backups(store)
    for backup in backups:
        backup.unlink()
        log.info("removed %s, a plain copy of the now encrypted store", backup)
    if backups:
        _sync_folder(store.parent)


def _sync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sync_folder(folder: Path) -> None:
    """A rename or unlink is durable only once its folder is on disk."""
    _sync_file(folder)
