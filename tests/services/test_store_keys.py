"""An encrypted store end to end: created, signed into, imported into, searched, reopened by
password and by "remember me", shared with a second user, and refusing every bad input plainly.
"""

from __future__ import annotations

import json
import mailbox
import shutil
from email.message import EmailMessage
from pathlib import Path

import pytest

from desktop.services.accounts import ProfileDraft
from desktop.services.container import Services
from desktop.services.errors import AccountError, UnknownUserError, WrongPasswordError
from desktop.services.passwords import CHEAP_TEST_COST
from desktop.services.secrets import SecretStore
from desktop.services.store_opening import StoreDoor, StoreKind
from desktop.store.cipher import is_plain_sqlite
from desktop.store.key_slots import REMEMBERED, key_file_of, read_key_file
from desktop.store.migrate import StoreTooNewError

LOGIN = "amira"
PASSWORD = "a long enough password"
WORD = "zebracardiomyopathy"


def _door(store: Path, secrets: SecretStore | None = None) -> StoreDoor:
    return StoreDoor(
        f"sqlite:///{store}",
        secrets=secrets or SecretStore.in_memory(),
        password_cost=CHEAP_TEST_COST,
    )


@pytest.fixture
def store(app_home: Path) -> Path:
    return app_home / "switchboard.sqlite3"


def _mbox(folder: Path) -> Path:
    path = folder / "mail.mbox"
    box = mailbox.mbox(path)
    message = EmailMessage()
    message["From"] = "ward@example.org"
    message["To"] = "amira@example.org"
    message["Subject"] = f"Patient with {WORD}"
    message["Message-ID"] = "<one@example.org>"
    message["Date"] = "Mon, 02 Nov 2026 09:00:00 +0000"
    message.set_content(f"The echo shows {WORD}.")
    box.add(message)
    box.close()
    return path


def _created(store: Path, tmp_path: Path, secrets: SecretStore | None = None) -> Services:
    """A new encrypted store with one user, one profile and one imported message."""
    services = _door(store, secrets).create(LOGIN, "Amira", PASSWORD)
    services.accounts.create_first_user(LOGIN, "Amira", PASSWORD)
    actor = services.accounts.sign_in(LOGIN, PASSWORD)
    profile = services.accounts.create_profile(
        actor, ProfileDraft(organization="Hospital", email="amira@example.org")
    )
    actor = services.accounts.switch_profile(actor, profile.id)
    result = services.mailbox.import_files(actor, profile.id, [_mbox(tmp_path)])
    assert result.added == 1
    return services


def _files_of(store: Path) -> dict[str, bytes]:
    return {
        path.name: path.read_bytes()
        for path in sorted(store.parent.iterdir())
        if path.name.startswith(store.name) and path.is_file() and not path.name.endswith(".lock")
    }


def test_a_new_store_is_encrypted_and_reopens_with_the_password(
    store: Path, tmp_path: Path
) -> None:
    assert _door(store).kind is StoreKind.NEW
    _created(store, tmp_path).close()
    door = _door(store)
    assert door.kind is StoreKind.ENCRYPTED
    assert not is_plain_sqlite(store)
    assert key_file_of(store).stat().st_mode & 0o777 == 0o600
    assert door.logins() == [(LOGIN, "Amira")]
    for name, content in _files_of(store).items():
        assert WORD.encode() not in content, name
    with door.open_with_password(LOGIN, PASSWORD) as services:
        actor = services.accounts.sign_in(LOGIN, PASSWORD)
        found = services.mailbox.page(actor, search=WORD)
        assert [row.subject for row in found] == [f"Patient with {WORD}"]


def test_a_wrong_password_or_login_opens_nothing_and_changes_nothing(
    store: Path, tmp_path: Path
) -> None:
    _created(store, tmp_path).close()
    before = _files_of(store)
    door = _door(store)
    with pytest.raises(WrongPasswordError):
        door.open_with_password(LOGIN, "not the password")
    with pytest.raises(UnknownUserError):
        door.open_with_password("nobody", PASSWORD)
    with pytest.raises(AccountError, match="encrypted: sign in"):
        door.open_unencrypted()
    assert _files_of(store) == before


def test_remember_me_opens_the_store_until_sign_out(
    store: Path, tmp_path: Path, secret_service: SecretStore
) -> None:
    _created(store, tmp_path, secret_service).close()
    door = _door(store, secret_service)
    assert door.open_remembered(LOGIN) is None
    with door.open_with_password(LOGIN, PASSWORD) as services:
        services.accounts.sign_in(LOGIN, PASSWORD, remember=True)
    assert read_key_file(key_file_of(store)).slot(LOGIN, REMEMBERED) is not None
    assert secret_service.get_remember_token(LOGIN) is not None
    remembered = door.open_remembered(LOGIN)
    assert remembered is not None
    with remembered as services:
        actor = services.accounts.sign_in_remembered(LOGIN)
        assert actor is not None
        services.accounts.sign_out(actor)
    assert read_key_file(key_file_of(store)).slot(LOGIN, REMEMBERED) is None
    assert door.open_remembered(LOGIN) is None


def test_an_admin_adds_a_user_who_opens_the_store_with_their_own_password(
    store: Path, tmp_path: Path
) -> None:
    with _created(store, tmp_path) as services:
        actor = services.accounts.sign_in(LOGIN, PASSWORD)
        actor = actor.with_active_profile(services.accounts.list_profiles(actor)[0].id)
        services.accounts.create_user(actor, "jonas", "Jonas", "jonas's password")
    door = _door(store)
    assert door.logins() == [(LOGIN, "Amira"), ("jonas", "Jonas")]
    with door.open_with_password("jonas", "jonas's password") as services:
        assert services.accounts.sign_in("jonas", "jonas's password").login == "jonas"


def test_a_password_change_rewraps_only_that_users_slot(store: Path, tmp_path: Path) -> None:
    with _created(store, tmp_path) as services:
        actor = services.accounts.sign_in(LOGIN, PASSWORD)
        actor = actor.with_active_profile(services.accounts.list_profiles(actor)[0].id)
        services.accounts.create_user(actor, "jonas", "Jonas", "jonas's password")
        before = read_key_file(key_file_of(store))
        assert services.store_key is not None
        services.store_key.set_password("jonas", "Jonas", "a new password for jonas")
    after = read_key_file(key_file_of(store))
    assert after.slot(LOGIN, "password") == before.slot(LOGIN, "password")
    assert after.slot("jonas", "password") != before.slot("jonas", "password")
    door = _door(store)
    with pytest.raises(WrongPasswordError):
        door.open_with_password("jonas", "jonas's password")
    door.open_with_password("jonas", "a new password for jonas").close()


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda keys: keys.unlink(), "it is encrypted and its key file .* is missing"),
        (lambda keys: keys.write_text("{not json"), "is damaged"),
        (lambda keys: keys.write_bytes(keys.read_bytes()[:40]), "is damaged"),
        (
            lambda keys: keys.write_text(json.dumps({"format": 99, "slots": []})),
            "newer version of Switchboard",
        ),
    ],
    ids=["missing", "not-json", "truncated", "newer-format"],
)
def test_a_missing_or_damaged_key_file_is_explained_and_nothing_changes(
    store: Path, tmp_path: Path, damage: object, message: str
) -> None:
    _created(store, tmp_path).close()
    keys = key_file_of(store)
    damage(keys)  # type: ignore[operator]
    before = _files_of(store)
    with pytest.raises(AccountError, match=message):
        _door(store).open_with_password(LOGIN, PASSWORD)
    assert _files_of(store) == before


def test_another_stores_file_or_a_truncated_store_is_refused_untouched(
    store: Path, tmp_path: Path, app_home: Path
) -> None:
    _created(store, tmp_path).close()
    other = app_home / "other.sqlite3"
    (tmp_path / "other").mkdir()
    _created(other, tmp_path / "other").close()
    shutil.copy(other, store)
    before = _files_of(store)
    with pytest.raises(AccountError, match="does not match its key file"):
        _door(store).open_with_password(LOGIN, PASSWORD)
    assert _files_of(store) == before
    store.write_bytes(store.read_bytes()[:100])
    before = _files_of(store)
    with pytest.raises(AccountError, match="does not match its key file"):
        _door(store).open_with_password(LOGIN, PASSWORD)
    assert _files_of(store) == before


def test_a_slot_moved_from_another_store_does_not_open_it(
    store: Path, tmp_path: Path, app_home: Path
) -> None:
    _created(store, tmp_path).close()
    other = app_home / "other.sqlite3"
    (tmp_path / "other").mkdir()
    _created(other, tmp_path / "other").close()
    ours = json.loads(key_file_of(store).read_text())
    theirs = json.loads(key_file_of(other).read_text())
    ours["slots"] = theirs["slots"]
    key_file_of(store).write_text(json.dumps(ours))
    with pytest.raises(WrongPasswordError):
        _door(store).open_with_password(LOGIN, PASSWORD)


def test_an_encrypted_store_of_a_newer_version_is_refused_untouched(
    store: Path, tmp_path: Path
) -> None:
    with _created(store, tmp_path) as services, services.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '9999_future'")
    before = _files_of(store)
    with pytest.raises(StoreTooNewError, match="newer version of Switchboard"):
        _door(store).open_with_password(LOGIN, PASSWORD)
    assert _files_of(store) == before


def test_a_missing_store_beside_its_key_file_is_not_recreated(store: Path, tmp_path: Path) -> None:
    _created(store, tmp_path).close()
    for path in store.parent.glob(store.name + "*"):
        if path != key_file_of(store):
            path.unlink()
    with pytest.raises(AccountError, match="is missing"):
        _door(store).open_with_password(LOGIN, PASSWORD)
    assert not store.exists()
