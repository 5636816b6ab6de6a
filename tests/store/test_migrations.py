"""Upgrades keep every row, refuse what they cannot do safely, and leave a failed store alone."""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.exc import IntegrityError

from desktop.store.engine import make_engine
from desktop.store.migrate import (
    MigrationFailedError,
    StoreTooNewError,
    alembic_config,
    current_revision,
    head_revision,
    script_directory,
    upgrade_store,
    upgrade_to,
    upgrade_to_head,
)
from desktop.store.models import Base

Seed = Callable[[Connection], None]

USERS = [
    {"id": 1, "login": "ada", "display_name": "Ada L", "password_hash": "h1"},
    {"id": 2, "login": "bob", "display_name": "Bob ÄÖ", "password_hash": "h2"},
]
PROFILES = [
    {
        "id": 1,
        "user_id": 1,
        "organization": "St Mary",
        "role": "admin",
        "email": "ada@stm.org",
        "colour": "#112233",
        "support_id": 4_294_967_295,
    },
    {
        "id": 2,
        "user_id": 1,
        "organization": "Clinic",
        "role": "member",
        "email": "ada@cl.org",
        "colour": "#abcdef",
        "support_id": 0,
    },
    {
        "id": 3,
        "user_id": 2,
        "organization": "Clinic",
        "role": "member",
        "email": "bob@cl.org",
        "colour": "#000000",
        "support_id": 77,
    },
]
AUDIT = [
    {"id": 1, "user_id": 1, "profile_id": 1, "action": "create profile", "target": "profile 2"},
    {"id": 2, "user_id": 2, "profile_id": 3, "action": "sign in", "target": "user bob"},
    {"id": 3, "user_id": None, "profile_id": None, "action": "create user", "target": "user x"},
]


def seed_0001(connection: Connection) -> None:
    for user in USERS:
        connection.execute(
            text(
                "INSERT INTO users (id, login, display_name, password_hash, preferences, "
                "created_at) VALUES (:id, :login, :display_name, :password_hash, '{}', "
                "'2026-01-02 03:04:05')"
            ),
            user,
        )
    for profile in PROFILES:
        connection.execute(
            text(
                "INSERT INTO profiles (id, user_id, organization, role, title, email, phone, "
                "colour, support_id, imap_security, created_at) VALUES (:id, :user_id, "
                ":organization, :role, 'Dr', :email, '+41 1', :colour, :support_id, 'ssl', "
                "'2026-01-02 03:04:05')"
            ),
            profile,
        )
    for event in AUDIT:
        connection.execute(
            text(
                "INSERT INTO audit_events (id, at, user_id, profile_id, action, target, outcome) "
                "VALUES (:id, '2026-01-02 03:04:05', :user_id, :profile_id, :action, :target, "
                "'ok')"
            ),
            event,
        )


MESSAGES = [
    {"id": 1, "profile_id": 1, "subject": "Lab results", "text": "Röntgenbefund liegt vor"},
    {"id": 2, "profile_id": 3, "subject": "Rota", "text": "Night shift swap"},
]


def seed_0100(connection: Connection) -> None:
    """Accounts plus mail: the colour migration rebuilds ``profiles``, which messages point at."""
    seed_0001(connection)
    for message in MESSAGES:
        connection.execute(
            text(
                "INSERT INTO messages (id, profile_id, folder, sender, to_addrs, cc_addrs, "
                "subject, date, date_guessed, text, seen, flagged, flags_dirty, body_loaded, "
                "size, content_hash) VALUES (:id, :profile_id, 'INBOX', 'x@y.org', '', '', "
                ":subject, '2026-01-02 03:04:05', false, :text, false, false, false, true, 10, "
                "'h')"
            ),
            message,
        )


def seed_0102(connection: Connection) -> None:
    seed_0100(connection)
    connection.execute(
        text(
            "INSERT INTO remembered_sign_ins (id, user_id, token_hash, created_at) "
            "VALUES (1, 1, :hash, '2026-01-02 03:04:05')"
        ),
        {"hash": "a" * 64},
    )
    connection.execute(text("UPDATE users SET failed_sign_ins = 4 WHERE id = 2"))


SEEDS: dict[str, Seed] = {
    "0001": seed_0001,
    "0100": seed_0100,
    "0101": seed_0100,
    "0102": seed_0102,
    "0103": seed_0102,
    "0110": seed_0102,
    "0111": seed_0102,
    "0112": seed_0102,
    "0113": seed_0102,
    "0114": seed_0102,
    "0115": seed_0102,
    "0116": seed_0102,
    "0117": seed_0102,
    "0118": seed_0102,
    "0119": seed_0102,
    "0120": seed_0102,
}
"""Data for a store at each earlier revision: a new revision makes the head one of these."""

EARLIER = [
    rev.revision for rev in script_directory().walk_revisions() if rev.revision != head_revision()
]


def sqlite_file_engine(path: Path) -> Engine:
    return make_engine(f"sqlite:///{path}")


def test_alembic_has_a_single_head() -> None:
    assert len(script_directory().get_heads()) == 1


def test_every_earlier_revision_has_seed_data() -> None:
    assert sorted(EARLIER) == sorted(SEEDS)


def not_full_text_search(diff: object) -> bool:
    """Full-text search lives in raw SQL (FTS5 tables, a GIN index) the models do not describe."""
    return "_fts" not in repr(diff)


def test_the_migrated_schema_is_the_models_schema(engine: Engine) -> None:
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert list(filter(not_full_text_search, differences)) == []


def rows(engine: Engine, query: str) -> list[tuple[object, ...]]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text(query))]


@pytest.mark.parametrize("start", EARLIER)
def test_upgrading_from_each_earlier_revision_keeps_every_row(
    start: str, empty_database_url: str
) -> None:
    engine = make_engine(empty_database_url)
    upgrade_to(engine, start)
    with engine.begin() as connection:
        SEEDS[start](connection)

    upgrade_to_head(engine)

    assert current_revision(engine) == head_revision()
    assert rows(engine, "SELECT id, login, display_name, password_hash FROM users ORDER BY id") == [
        (u["id"], u["login"], u["display_name"], u["password_hash"]) for u in USERS
    ]
    assert rows(
        engine,
        "SELECT id, user_id, organization, role, email, colour, support_id, title, phone "
        "FROM profiles ORDER BY id",
    ) == [
        (
            p["id"],
            p["user_id"],
            p["organization"],
            p["role"],
            p["email"],
            p["colour"],
            p["support_id"],
            "Dr",
            "+41 1",
        )
        for p in PROFILES
    ]
    assert rows(
        engine, "SELECT id, user_id, profile_id, action, target FROM audit_events ORDER BY id"
    ) == [(a["id"], a["user_id"], a["profile_id"], a["action"], a["target"]) for a in AUDIT]
    if SEEDS[start] is not seed_0001:
        assert rows(engine, "SELECT id, profile_id, subject, text FROM messages ORDER BY id") == [
            (m["id"], m["profile_id"], m["subject"], m["text"]) for m in MESSAGES
        ]
    if SEEDS[start] is seed_0102:
        assert rows(engine, "SELECT user_id, token_hash FROM remembered_sign_ins") == [
            (1, "a" * 64)
        ]
        assert rows(engine, "SELECT failed_sign_ins FROM users ORDER BY id") == [(0,), (4,)]
    engine.dispose()


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_upgrade_at_start_copies_the_store_aside_first(app_home: Path) -> None:
    store = app_home / "app.sqlite3"
    engine = sqlite_file_engine(store)
    upgrade_to(engine, "0001")
    with engine.begin() as connection:
        seed_0001(connection)
    engine.dispose()

    result = upgrade_store(engine)

    assert (result.from_revision, result.to_revision) == ("0001", head_revision())
    assert result.backup is not None
    assert result.backup.stat().st_mode & 0o777 == 0o600
    with sqlite3.connect(result.backup) as old:
        assert old.execute("SELECT version_num FROM alembic_version").fetchall() == [("0001",)]
        assert old.execute("SELECT count(*) FROM profiles").fetchone() == (3,)
    assert current_revision(engine) == head_revision()
    engine.dispose()


def test_a_store_already_at_head_is_not_copied(engine: Engine) -> None:
    result = upgrade_store(engine)
    assert result.backup is None
    assert result.from_revision == result.to_revision == head_revision()


def test_a_failing_migration_leaves_the_store_exactly_as_it_was(
    empty_database_url: str, app_home: Path
) -> None:
    engine = make_engine(empty_database_url)
    upgrade_to(engine, "0102")
    with engine.begin() as connection:
        seed_0102(connection)
        connection.execute(text("UPDATE profiles SET colour = '#11223344' WHERE id IN (1, 3)"))
    engine.dispose()
    store = Path(engine.url.database or "") if engine.dialect.name == "sqlite" else None
    before = file_digest(store) if store is not None else None

    with pytest.raises(MigrationFailedError) as failure:
        upgrade_store(engine)

    message = str(failure.value)
    assert "migration 0103" in message
    assert "profiles.colour" in message
    assert "id 1 (9 characters), id 3 (9 characters)" in message
    assert "#11223344" not in message, "values may be patient data: name rows, never values"
    assert "left as it was" in message
    engine.dispose()
    if store is not None:
        assert file_digest(store) == before
        assert not store.with_name(store.name + "-wal").exists()
    assert current_revision(engine) == "0102"
    assert rows(engine, "SELECT id, colour FROM profiles ORDER BY id") == [
        (1, "#11223344"),
        (2, "#abcdef"),
        (3, "#11223344"),
    ]
    engine.dispose()


def test_a_store_from_a_newer_app_is_refused(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0999'"))
    engine.dispose()
    store = Path(engine.url.database or "") if engine.dialect.name == "sqlite" else None
    before = file_digest(store) if store is not None else None

    with pytest.raises(StoreTooNewError, match=r"newer version of Switchboard \(schema 0999"):
        upgrade_store(engine)

    engine.dispose()
    if store is not None:
        assert file_digest(store) == before
        assert not list(store.parent.glob("*.bak"))
    assert current_revision(engine) == "0999"


START_APP = """
import sys
from desktop.store.engine import make_engine
from desktop.store.migrate import upgrade_store
upgrade_store(make_engine(sys.argv[1]))
"""


def test_two_apps_starting_at_once_upgrade_the_store_once(empty_database_url: str) -> None:
    engine = make_engine(empty_database_url)
    upgrade_to(engine, "0001")
    with engine.begin() as connection:
        seed_0001(connection)
    engine.dispose()

    apps = [
        subprocess.Popen(
            [sys.executable, "-c", START_APP, empty_database_url],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    results = [(app.wait(timeout=120), app.communicate()[1]) for app in apps]

    assert results == [(0, "")] * len(apps)
    assert current_revision(engine) == head_revision()
    assert len(rows(engine, "SELECT id FROM profiles")) == len(PROFILES)
    engine.dispose()


def test_every_migration_can_be_undone_and_redone(empty_database_url: str) -> None:
    engine = make_engine(empty_database_url)
    upgrade_to_head(engine)
    config = alembic_config(engine)

    for script in script_directory().walk_revisions():
        command.downgrade(config, script.down_revision or "base")
        assert current_revision(engine) == script.down_revision

    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    upgrade_to_head(engine)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert list(filter(not_full_text_search, differences)) == []
    engine.dispose()


DUPLICATES = [
    # (id, profile, folder, uid, message id, hash, seen, flagged, attachments)
    (10, 1, "Imported", None, "<a@x.org>", "ha1", False, False, 0),
    (11, 1, "Imported", None, "<a@x.org>", "ha2", True, False, 1),
    (12, 1, "Imported", None, "<a@x.org>", "ha3", False, True, 2),
    (13, 1, "Imported", None, "<b@x.org>", "hb1", False, False, 1),
    (14, 1, "Imported", None, "<b@x.org>", "hb2", False, False, 2),
    (20, 1, "Imported", None, None, "same-bytes", False, False, 0),
    (21, 1, "Imported", None, None, "same-bytes", True, True, 0),
    (22, 1, "Imported", None, None, "other-bytes", False, False, 0),
    (30, 1, "INBOX", 1, "<a@x.org>", "ha1", False, False, 0),
    (31, 1, "Archive", 7, "<a@x.org>", "ha1", False, False, 0),
    (40, 3, "Imported", None, "<a@x.org>", "ha1", False, False, 0),
]


def seed_duplicates(connection: Connection) -> None:
    """Mail stored twice by imports that ran at once, as it sits in stores before 0113."""
    seed_0102(connection)
    attachment_ids = iter(range(100, 200))
    for row_id, profile, folder, uid, message_id, digest, seen, flagged, files in DUPLICATES:
        connection.execute(
            text(
                "INSERT INTO messages (id, profile_id, folder, uidvalidity, uid, message_id, "
                "sender, to_addrs, cc_addrs, subject, date, date_guessed, text, seen, flagged, "
                "flags_dirty, body_loaded, size, content_hash) VALUES (:id, :profile, :folder, "
                ":validity, :uid, :message_id, 'x@y.org', '', '', :subject, "
                "'2026-01-02 03:04:05', false, 'body', :seen, :flagged, false, true, 10, :hash)"
            ),
            {
                "id": row_id,
                "profile": profile,
                "folder": folder,
                "validity": 5 if uid else None,
                "uid": uid,
                "message_id": message_id,
                "subject": f"copy {row_id}",
                "seen": seen,
                "flagged": flagged,
                "hash": digest,
            },
        )
        for n in range(files):
            connection.execute(
                text(
                    "INSERT INTO attachments (id, message_id, filename_sent, filename, "
                    "content_type, size, content) VALUES (:id, :message, '', :name, "
                    "'text/plain', 1, :content)"
                ),
                {
                    "id": next(attachment_ids),
                    "message": row_id,
                    "name": f"{row_id}-{n}.txt",
                    "content": b"x",
                },
            )
    if connection.dialect.name == "sqlite":
        connection.execute(
            text(
                "INSERT INTO messages_fts(rowid, subject, sender, text) "
                "SELECT id, subject, sender, text FROM messages"
            )
        )


def test_the_uniqueness_migration_merges_stored_duplicates(empty_database_url: str) -> None:
    engine = make_engine(empty_database_url)
    upgrade_to(engine, "0112")
    with engine.begin() as connection:
        seed_duplicates(connection)

    upgrade_to(engine, "0113")

    assert rows(engine, "SELECT id, seen, flagged FROM messages WHERE id >= 10 ORDER BY id") == [
        (10, True, True),  # the oldest copy, seen and flagged because copies 11 and 12 were
        (13, False, False),  # keeps its own attachment, not those of copy 14
        (20, True, True),
        (22, False, False),  # no Message-ID but other bytes: not a duplicate
        (30, False, False),  # IMAP copies are server objects of their own
        (31, False, False),
        (40, False, False),  # the same Message-ID in another profile
    ]
    assert rows(engine, "SELECT message_id, filename FROM attachments ORDER BY id") == [
        (10, "11-0.txt"),  # taken over from the oldest copy that had any
        (13, "13-0.txt"),
    ]
    with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            connection.execute(
                text("INSERT INTO messages_fts(messages_fts, rank) VALUES ('integrity-check', 1)")
            )
            found = connection.execute(
                text("SELECT rowid FROM messages_fts WHERE messages_fts MATCH 'copy' ORDER BY 1")
            ).all()
            assert [row[0] for row in found] == [10, 13, 20, 22, 30, 31, 40]
    engine.dispose()


def test_after_the_uniqueness_migration_the_store_refuses_a_duplicate(engine: Engine) -> None:
    insert = text(
        "INSERT INTO messages (profile_id, folder, uid, message_id, sender, to_addrs, cc_addrs, "
        "subject, date, date_guessed, text, seen, flagged, flags_dirty, body_loaded, size, "
        "content_hash) VALUES (1, 'Imported', :uid, :message_id, '', '', '', '', "
        "'2026-01-02 03:04:05', false, '', false, false, false, true, 1, :hash)"
    )
    with engine.begin() as connection:
        seed_0001(connection)
        connection.execute(insert, {"uid": None, "message_id": "<a@x>", "hash": "1"})
        connection.execute(insert, {"uid": None, "message_id": None, "hash": "2"})
        connection.execute(insert, {"uid": None, "message_id": None, "hash": "3"})
        connection.execute(insert, {"uid": 9, "message_id": "<a@x>", "hash": "1"})
    for duplicate in (
        {"uid": None, "message_id": "<a@x>", "hash": "4"},
        {"uid": None, "message_id": None, "hash": "2"},
    ):
        with pytest.raises(IntegrityError), engine.begin() as connection:
            connection.execute(insert, duplicate)
    assert rows(engine, "SELECT count(*) FROM messages") == [(4,)]


def test_the_head_read_from_the_migration_files_is_alembics() -> None:
    """The quick at-head check at every start reads the files' text; it must agree."""
    from desktop.store.migrate import head_in_files, head_revision

    assert head_in_files() == head_revision()
