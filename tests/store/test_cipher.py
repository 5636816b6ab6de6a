"""The embedded store on SQLCipher: the engine's machinery works unchanged on the encrypted file."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError
from test_migrations import seed_0102

from desktop.store.cipher import WrongStoreKeyError, connect_encrypted, is_plain_sqlite
from desktop.store.engine import make_engine
from desktop.store.migrate import (
    MigrationFailedError,
    current_revision,
    head_revision,
    script_directory,
    upgrade_store,
    upgrade_to,
    upgrade_to_head,
)
from desktop.store.session import make_session_factory, read_only, unit_of_work

KEY = bytes(range(32))
SECRET_WORDS = "zebracardiology"


@pytest.fixture
def store(app_home: Path) -> Path:
    return app_home / "encrypted.sqlite3"


@pytest.fixture
def encrypted(store: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{store}", key=KEY)
    upgrade_to_head(engine)
    yield engine
    engine.dispose()


def _insert_message(engine: Engine, subject: str) -> None:
    """Into the full-text index directly: these tests are about the file, not the importer."""
    with unit_of_work(make_session_factory(engine)) as session:
        session.execute(
            text(
                "INSERT INTO messages_fts (rowid, subject, sender, text) VALUES (1, :s, 'a', 'b')"
            ),
            {"s": subject},
        )


def test_a_migrated_encrypted_store_is_not_sqlite_on_disk(encrypted: Engine, store: Path) -> None:
    assert current_revision(encrypted) == head_revision()
    assert not is_plain_sqlite(store)
    assert store.stat().st_mode & 0o777 == 0o600


def test_wal_fts5_and_both_transaction_kinds_work_encrypted(encrypted: Engine, store: Path) -> None:
    factory = make_session_factory(encrypted)
    _insert_message(encrypted, f"about {SECRET_WORDS}")
    with read_only(factory) as session:
        mode = session.execute(text("PRAGMA journal_mode")).scalar()
        found = session.execute(
            text("SELECT rowid FROM messages_fts WHERE messages_fts MATCH :q"),
            {"q": SECRET_WORDS},
        ).all()
        with pytest.raises(DBAPIError, match="readonly"):
            session.execute(text("DELETE FROM messages_fts"))
    assert mode == "wal"
    assert found == [(1,)]
    encrypted.dispose()
    for path in store.parent.iterdir():
        if path.name.startswith(store.name) and path.is_file():
            assert SECRET_WORDS.encode() not in path.read_bytes(), path.name


def test_a_checkpoint_runs_on_the_encrypted_store(encrypted: Engine) -> None:
    _insert_message(encrypted, "hello")
    connection = encrypted.raw_connection()
    try:
        busy, _log, _done = (
            connection.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        )
    finally:
        connection.close()
    assert busy == 0


def test_the_wrong_key_is_refused_and_the_file_untouched(encrypted: Engine, store: Path) -> None:
    encrypted.dispose()
    before = store.read_bytes()
    with pytest.raises(WrongStoreKeyError, match="does not open this store"):
        connect_encrypted(store, bytes(32))
    wrong = make_engine(f"sqlite:///{store}", key=bytes(32))
    with pytest.raises(WrongStoreKeyError):
        wrong.connect()
    wrong.dispose()
    assert store.read_bytes() == before


def test_a_plain_file_is_not_opened_as_encrypted(app_home: Path) -> None:
    plain = app_home / "plain.sqlite3"
    engine = make_engine(f"sqlite:///{plain}")
    upgrade_to_head(engine)
    engine.dispose()
    with pytest.raises(WrongStoreKeyError):
        connect_encrypted(plain, KEY)
    assert is_plain_sqlite(plain)


def test_the_copy_before_a_migration_is_encrypted_with_the_same_key(store: Path) -> None:
    engine = make_engine(f"sqlite:///{store}", key=KEY)
    previous = script_directory().get_revision(head_revision()).down_revision
    assert isinstance(previous, str)
    upgrade_to(engine, previous)
    _insert_message(engine, f"before {SECRET_WORDS}")
    result = upgrade_store(engine)
    engine.dispose()
    assert result.backup is not None
    assert result.to_revision == head_revision()
    assert not is_plain_sqlite(result.backup)
    assert SECRET_WORDS.encode() not in result.backup.read_bytes()
    copy = connect_encrypted(result.backup, KEY)
    try:
        assert copy.execute("SELECT version_num FROM alembic_version").fetchone() == (previous,)
    finally:
        copy.close()
    assert os.stat(result.backup).st_mode & 0o777 == 0o600


def test_a_failed_upgrade_leaves_the_store_and_its_copy_encrypted_with_the_same_key(
    store: Path,
) -> None:
    engine = make_engine(f"sqlite:///{store}", key=KEY)
    upgrade_to(engine, "0102")
    with engine.begin() as connection:
        seed_0102(connection)
        connection.execute(text("UPDATE profiles SET colour = '#11223344' WHERE id = 1"))
    with pytest.raises(MigrationFailedError, match="migration 0103"):
        upgrade_store(engine)
    engine.dispose()
    [backup] = store.parent.glob(f"{store.name}.*.schema-0102.bak")
    for path in (store, backup):
        assert not is_plain_sqlite(path), path.name
        opened = connect_encrypted(path, KEY)
        try:
            assert opened.execute("SELECT version_num FROM alembic_version").fetchone() == ("0102",)
        finally:
            opened.close()
