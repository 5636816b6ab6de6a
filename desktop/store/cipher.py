"""Opening the embedded store through SQLCipher 4 when it is encrypted.

The store's data key is random (see :mod:`desktop.store.key_slots`), so it is given to SQLCipher
raw (``PRAGMA key = "x'<hex>'"``): SQLCipher's own PBKDF2 would add its cost to every pooled
connection and protect nothing, the password work having been done once by Argon2id when the key
was unwrapped. The cipher settings are pinned to SQLCipher 4's (``cipher_compatibility``) so that
a later SQLCipher with other defaults still reads the stores this one wrote.

``sqlcipher3`` is imported only for an encrypted store: a plain store (tests, PostgreSQL users'
tools) never loads it. Its errors are not :class:`sqlite3.Error` subclasses, so code that
recognises SQLite's errors asks :func:`sqlite_errors` for both kinds.
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path
from typing import Any

DATA_KEY_BYTES = 32
SQLCIPHER_COMPATIBILITY = 4
DECRYPTED_CACHE_KIB = 32 * 1024
"""Each encrypted connection's page cache (SQLite's default is 2 MiB). A page read from the OS
cache costs a plain store a copy but an encrypted one a decryption and an HMAC check, so a
search that visits thousands of scattered rows stays fast only if their pages stay decrypted in
memory; the cache grows only as pages are read."""
DEFAULT_VARIABLE_LIMIT = 32_766
"""SQLite's default since 3.32, for a driver that cannot say its own (sqlcipher3 cannot)."""


class WrongStoreKeyError(RuntimeError):
    """The key does not open this file: a wrong key, or a file that is not this store."""


def dbapi() -> Any:
    """The SQLCipher DB-API module, which SQLAlchemy is given for its error classes."""
    import sqlcipher3.dbapi2  # type: ignore[import-untyped]

    return sqlcipher3.dbapi2


def sqlite_errors() -> tuple[type[Exception], ...]:
    """SQLite's error classes from whichever drivers this process has loaded."""
    loaded = sys.modules.get("sqlcipher3.dbapi2")
    return (sqlite3.Error,) if loaded is None else (sqlite3.Error, loaded.Error)


def variable_limit(driver_connection: Any) -> int:
    """How many parameters one statement may have, asked of the driver when it can say."""
    getlimit = getattr(driver_connection, "getlimit", None)
    if getlimit is None:
        return DEFAULT_VARIABLE_LIMIT
    return int(getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))


def connect_encrypted(path: Path | str, key: bytes, **kwargs: Any) -> Any:
    """A SQLCipher connection keyed before any other statement, checked to open the file.

    Raises :class:`WrongStoreKeyError` when the key does not decrypt the file's first page.
    """
    if len(key) != DATA_KEY_BYTES:
        raise ValueError("a store key has 32 bytes")
    module = dbapi()
    connection = module.connect(str(path), **kwargs)
    try:
        apply_key(connection, key)
    except BaseException:
        connection.close()
        raise
    return connection


def apply_key(connection: Any, key: bytes) -> None:
    """Key a fresh connection and prove the key by reading the schema (SQLCipher only checks
    the key when a page is read)."""
    cursor = connection.cursor()
    try:
        cursor.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        cursor.execute(f"PRAGMA cipher_compatibility = {SQLCIPHER_COMPATIBILITY}")
        cursor.execute("SELECT count(*) FROM sqlite_master").fetchone()
        cursor.execute(f"PRAGMA cache_size = -{DECRYPTED_CACHE_KIB}")
    except dbapi().DatabaseError as error:
        if "not a database" in str(error).lower():
            raise WrongStoreKeyError(
                "The key does not open this store: it belongs to another store, or the file "
                "is damaged."
            ) from error
        raise
    finally:
        cursor.close()


def is_plain_sqlite(path: Path) -> bool:
    """Whether the file begins as an unencrypted SQLite database does (an encrypted one begins
    with random salt)."""
    try:
        with path.open("rb") as file:
            return file.read(16) == b"SQLite format 3\x00"
    except OSError:
        return False
