"""Encrypting a plain store: the result opens only with the password and holds every message,
and every bad input (wrong password, another user's mail, no room, a store already encrypted,
a foreign, truncated or newer file) is refused plainly with the store's files untouched."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from plain_store import CORPUS, LOGIN, PASSWORD, WORD, assert_whole, door, make_plain_store
from sqlalchemy import select

from desktop.services.errors import AccountError, WrongPasswordError
from desktop.services.store_opening import StoreDoor, StoreKind
from desktop.services.store_upgrade import ROOM_FACTOR, StoreEncryption
from desktop.store.cipher_export import Step
from desktop.store.key_slots import key_file_of, read_key_file
from desktop.store.migrate import StoreTooNewError
from desktop.store.models import AuditEvent
from desktop.store.session import read_only


@pytest.fixture(scope="module")
def original(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("original")
    store = folder / "store" / "switchboard.sqlite3"
    make_plain_store(store, folder)
    return store


@pytest.fixture
def store(original: Path, tmp_path: Path) -> Path:
    shutil.copytree(original.parent, tmp_path / "store")
    return tmp_path / "store" / original.name


def _files(store: Path) -> dict[str, bytes]:
    return {
        path.name: path.read_bytes()
        for path in sorted(store.parent.iterdir())
        if path.is_file() and not path.name.endswith(".lock")
    }


def test_the_encrypted_store_holds_every_message_and_no_plain_byte_remains(store: Path) -> None:
    steps: list[Step] = []
    progress: list[float] = []
    with StoreEncryption(door(store)).encrypt(
        LOGIN, PASSWORD, on_step=steps.append, on_progress=progress.append
    ) as services:
        actor = services.accounts.sign_in(LOGIN, PASSWORD)
        assert services.mailbox.count(actor, search=WORD) == CORPUS
        with read_only(services.session_factory) as session:
            actions = session.scalars(select(AuditEvent.action)).all()
        assert "encrypt store" in actions
    assert steps == list(Step)
    assert progress
    assert all(0 <= value <= 1 for value in progress)
    assert progress == sorted(progress)
    assert assert_whole(store) is StoreKind.ENCRYPTED
    assert read_key_file(key_file_of(store)).logins() == [(LOGIN, "Amira")]
    assert key_file_of(store).stat().st_mode & 0o777 == 0o600
    assert store.stat().st_mode & 0o777 == 0o600
    for name, content in _files(store).items():
        assert WORD.encode() not in content, name
    with pytest.raises(WrongPasswordError):
        door(store).open_with_password(LOGIN, "not the password")


def test_a_wrong_password_encrypts_nothing(store: Path) -> None:
    before = _files(store)
    with pytest.raises(WrongPasswordError):
        StoreEncryption(door(store)).encrypt(LOGIN, "not the password")
    with pytest.raises(AccountError, match="no user"):
        StoreEncryption(door(store)).encrypt("nobody", PASSWORD)
    after = _files(store)
    assert after.keys() == before.keys()  # the store's bytes differ: the failures are audited
    assert door(store).kind is StoreKind.PLAIN


def test_a_store_with_another_users_mail_is_kept_plain(app_home: Path, tmp_path: Path) -> None:
    """Jonas's password is not known here, so encrypting would lock him out of his mail."""
    store = app_home / "shared.sqlite3"
    make_plain_store(store, tmp_path, other_user=True)
    with pytest.raises(AccountError, match=r"mail of Jonas \(jonas\).*lock them out"):
        StoreEncryption(door(store)).encrypt(LOGIN, PASSWORD)
    assert assert_whole(store) is StoreKind.PLAIN


def test_too_little_room_is_said_with_both_sizes_before_anything_is_written(store: Path) -> None:
    needed = int(store.stat().st_size * ROOM_FACTOR)
    encryption = StoreEncryption(door(store), free_bytes=lambda _folder: needed - 1)
    assert not encryption.estimate().enough_room
    before = _files(store)
    with pytest.raises(AccountError, match=r"needs [\d.]+ MB free .* has [\d.]+ MB"):
        encryption.encrypt(LOGIN, PASSWORD)
    assert _files(store) == before
    roomy = StoreEncryption(door(store), free_bytes=lambda _folder: needed)
    assert roomy.estimate().enough_room
    assert roomy.estimate().seconds >= 1


def test_an_encrypted_store_is_not_encrypted_again(store: Path) -> None:
    StoreEncryption(door(store)).encrypt(LOGIN, PASSWORD).close()
    before = _files(store)
    with pytest.raises(AccountError, match="already encrypted"):
        StoreEncryption(door(store)).encrypt(LOGIN, PASSWORD)
    assert _files(store) == before


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda store: store.write_bytes(b"%PDF-1.7 not a store" * 100), "not a plain"),
        (lambda store: store.write_bytes(store.read_bytes()[:4096]), "is damaged .* not encrypted"),
    ],
    ids=["foreign", "truncated"],
)
def test_a_foreign_or_truncated_file_is_refused_untouched(
    store: Path, damage: object, message: str
) -> None:
    for backup in store.parent.glob("*.bak"):
        backup.unlink()
    damage(store)  # type: ignore[operator]
    before = _files(store)
    with pytest.raises(AccountError, match=message):
        StoreEncryption(door(store)).encrypt(LOGIN, PASSWORD)
    assert _files(store) == before
    assert not key_file_of(store).exists()


def test_a_plain_store_of_a_newer_version_is_refused_untouched(store: Path) -> None:
    with door(store).open_unencrypted() as services, services.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '9999_future'")
    before = _files(store)
    with pytest.raises(StoreTooNewError, match="newer version of Switchboard"):
        StoreEncryption(door(store)).encrypt(LOGIN, PASSWORD)
    assert _files(store) == before


def test_a_server_store_or_no_store_is_refused(app_home: Path) -> None:
    server = StoreDoor("postgresql://nobody@127.0.0.1:1/none")
    with pytest.raises(AccountError, match="Only the embedded store"):
        StoreEncryption(server).encrypt(LOGIN, PASSWORD)
    with pytest.raises(AccountError, match="no store"):
        StoreEncryption(door(app_home / "none.sqlite3")).encrypt(LOGIN, PASSWORD)


def test_a_store_open_in_another_process_is_refused(store: Path) -> None:
    """Its writes would go on into the plain file after the rename and be lost."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
            "c.execute('SELECT count(*) FROM users').fetchone(); print('open', flush=True); "
            "sys.stdin.readline()",
            str(store),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline() == "open\n"
        with pytest.raises(AccountError, match=r"has the store .* open"):
            StoreEncryption(door(store)).encrypt(LOGIN, PASSWORD)
    finally:
        holder.communicate("\n", timeout=30)
    assert assert_whole(store) is StoreKind.PLAIN
    StoreEncryption(door(store)).encrypt(LOGIN, PASSWORD).close()
    assert assert_whole(store) is StoreKind.ENCRYPTED
