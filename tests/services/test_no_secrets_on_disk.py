"""After a full session, no secret used in it can be found in any file the app wrote."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from desktop.logs import configure_logging
from desktop.paths import settings_file
from desktop.services.accounts import ProfileDraft
from desktop.services.container import build_services
from desktop.services.passwords import CHEAP_TEST_COST
from desktop.services.secrets import SecretStore

SIGN_IN_PASSWORD = "sign-in password 4f1c"
SERVER_PASSWORDS = ("imap secret 9b27", "imap secret 0d3e")


def files_under(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()]


def secrets_found(folder: Path, secrets: list[str]) -> list[tuple[str, str]]:
    found = []
    for path in files_under(folder):
        content = path.read_bytes()
        for secret in secrets:
            for encoding in ("utf-8", "utf-16-le"):
                if secret.encode(encoding) in content:
                    found.append((path.name, secret))
    return found


def full_session(store: SecretStore, app_home: Path) -> list[str]:
    """Sign up, sign in remembered, add profiles and their server passwords, look up, sign out."""
    handler = configure_logging(logging.DEBUG)
    settings = QSettings(str(settings_file()), QSettings.Format.IniFormat)
    services = build_services(
        f"sqlite:///{app_home / 'switchboard.sqlite3'}",
        secrets=store,
        password_cost=CHEAP_TEST_COST,
    )
    try:
        accounts = services.accounts
        accounts.create_first_user("ada", "Ada", SIGN_IN_PASSWORD)
        ada = accounts.sign_in("ada", SIGN_IN_PASSWORD, remember=store.is_persistent)
        token = store.get_remember_token("ada")
        assert (token is not None) is store.is_persistent
        admin = accounts.create_profile(
            ada, ProfileDraft(organization="St Mary", email="ada@stmary.org")
        )
        member = accounts.create_profile(
            ada, ProfileDraft(organization="Clinic", email="ada@clinic.org")
        )
        ada = accounts.switch_profile(ada, admin.id)
        for profile, password in zip((admin, member), SERVER_PASSWORDS, strict=True):
            accounts.set_server_password(ada, profile.id, password)
            assert accounts.server_password(ada, profile.id) == password
        with pytest.raises(Exception, match="wrong password"):
            accounts.sign_in("ada", SIGN_IN_PASSWORD + "typo")
        accounts.look_up_support_id(ada, member.support_id)
        settings.setValue("session/last_login", ada.login)
        settings.sync()
        assert (accounts.sign_in_remembered("ada") is not None) is store.is_persistent
        secrets = [SIGN_IN_PASSWORD, SIGN_IN_PASSWORD + "typo", *SERVER_PASSWORDS]
        secrets += [token] if token is not None else []
        assert (app_home / "switchboard.sqlite3-wal").exists()
        assert secrets_found(app_home, secrets) == []
        accounts.sign_out(ada)
        for profile in (admin, member):
            store.delete_password(profile.id)
    finally:
        services.close()
        logging.getLogger().removeHandler(handler)
        handler.close()
    return secrets


def assert_nothing_on_disk(app_home: Path, secrets: list[str]) -> None:
    names = {path.name for path in files_under(app_home)}
    assert {"switchboard.sqlite3", "switchboard.log", "settings.ini"} <= names
    assert secrets_found(app_home, secrets) == []


def test_no_secret_reaches_a_file_without_a_keyring(app_home: Path) -> None:
    secrets = full_session(SecretStore.in_memory(), app_home)
    assert_nothing_on_disk(app_home, secrets)


@pytest.mark.keyring
def test_no_secret_reaches_a_file_with_the_secret_service(
    app_home: Path, secret_service: SecretStore
) -> None:
    secrets = full_session(secret_service, app_home)
    assert_nothing_on_disk(app_home, secrets)
