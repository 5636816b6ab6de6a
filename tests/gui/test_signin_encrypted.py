"""The window on an encrypted store: created at first run, shut until a password opens it,
remembered through the keyring, closed again at sign-out, and explained when its keys are gone.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget
from pytestqt.qtbot import QtBot

from desktop.gui.controller import AppController
from desktop.gui.mainwindow.window import MainWindow
from desktop.gui.session.backend import Backend
from desktop.services.passwords import CHEAP_TEST_COST
from desktop.services.secrets import SecretStore
from desktop.services.store_opening import StoreDoor, StoreKind
from desktop.store.cipher import is_plain_sqlite
from desktop.store.key_slots import key_file_of

pytestmark = pytest.mark.gui

PASSWORD = "long enough pw"


def start(qtbot: QtBot, store: Path, secrets: SecretStore) -> AppController:
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    door = StoreDoor(f"sqlite:///{store}", secrets=secrets, password_cost=CHEAP_TEST_COST)
    controller = AppController(window, lambda: Backend(door=door))
    with qtbot.waitSignal(controller.ready):
        controller.start()
    return controller


def first_run(qtbot: QtBot, controller: AppController) -> None:
    page = controller.first_run
    assert page is not None
    assert page.isVisible()
    qtbot.keyClicks(page.display_name, "Grace Hopper")
    qtbot.keyClicks(page.login, "grace")
    qtbot.keyClicks(page.password, PASSWORD)
    qtbot.keyClicks(page.repeat, PASSWORD)
    qtbot.keyClicks(page.organization, "Navy Lab")
    qtbot.keyClicks(page.email, "grace@navy.example")
    with qtbot.waitSignal(controller.session_opened, timeout=20000):
        qtbot.mouseClick(page.create_button, Qt.MouseButton.LeftButton)


def clipped_notes(page: QWidget) -> list[str]:
    """The shown wrapped labels that have less height than their text needs at their width."""
    return [
        label.text()
        for label in page.findChildren(QLabel)
        if label.isVisible()
        and label.wordWrap()
        and label.height() < label.heightForWidth(label.width())
    ]


@pytest.fixture
def store(app_home: Path) -> Path:
    return app_home / "switchboard.sqlite3"


def test_first_run_creates_an_encrypted_store_that_only_the_password_opens(
    qtbot: QtBot, store: Path
) -> None:
    secrets = SecretStore.in_memory()
    first = start(qtbot, store, secrets)
    first_run(qtbot, first)
    assert not is_plain_sqlite(store)
    assert key_file_of(store).exists()
    first.shut_down()
    first.window.close()

    second = start(qtbot, store, secrets)
    page = second.sign_in
    assert page is not None
    assert page.isVisible()
    assert second.session is None
    assert page.user.currentText() == "Grace Hopper (grace)"
    assert page.encrypted_note.isVisible()
    assert "cannot be reset" in page.encrypted_note.text()
    for size in ((800, 600), (1280, 800)):
        second.window.resize(*size)
        qtbot.waitUntil(lambda: clipped_notes(page) == [])
    page.password.setText("wrong password")
    page.submit()
    qtbot.waitUntil(page.error.isVisible, timeout=10000)
    assert page.error.text() == "Wrong password. Check Caps Lock and try again."
    assert second.session is None
    page.password.setText(PASSWORD)
    with qtbot.waitSignal(second.session_opened, timeout=20000):
        page.submit()
    window = second.window
    qtbot.waitUntil(lambda: window.active_profile is not None)
    assert window.active_profile is not None
    assert window.active_profile.organization == "Navy Lab"

    second.lock()
    assert page.isVisible()
    assert page.encrypted_note.isHidden()
    page.password.setText(PASSWORD)
    with qtbot.waitSignal(second.workspace_shown, timeout=20000):
        page.submit()
    second.sign_out()
    qtbot.waitUntil(page.isVisible, timeout=10000)
    assert page.user.currentText() == "Grace Hopper (grace)"
    assert second.backend is not None
    assert second.backend.signed_in is None
    second.shut_down()


@pytest.mark.keyring
def test_remember_me_opens_the_encrypted_store_without_the_password(
    qtbot: QtBot, store: Path, secret_service: SecretStore
) -> None:
    first = start(qtbot, store, secret_service)
    first_run(qtbot, first)
    first.sign_out()
    page = first.sign_in
    assert page is not None
    qtbot.waitUntil(page.isVisible, timeout=10000)
    page.remember.setChecked(True)
    page.password.setText(PASSWORD)
    with qtbot.waitSignal(first.session_opened, timeout=20000):
        page.submit()
    first.shut_down()
    first.window.close()

    second = start(qtbot, store, secret_service)
    assert second.session is not None
    assert second.session.user_login == "grace"
    second.sign_out()
    qtbot.waitUntil(lambda: second.sign_in is not None and second.sign_in.isVisible())
    second.shut_down()

    third = start(qtbot, store, secret_service)
    assert third.session is None
    assert third.sign_in is not None
    assert third.sign_in.isVisible()
    third.shut_down()


def test_the_demo_is_created_encrypted(qtbot: QtBot, store: Path) -> None:
    controller = start(qtbot, store, SecretStore.in_memory())
    with qtbot.waitSignal(controller.session_opened, timeout=120000):
        controller.open_demo()
    door = StoreDoor(f"sqlite:///{store}", password_cost=CHEAP_TEST_COST)
    assert door.kind is StoreKind.ENCRYPTED
    assert door.logins() == [("demo", "Dr. Amira Haddad")]
    controller.shut_down()


def test_a_store_whose_key_file_is_gone_is_explained_in_the_window(
    qtbot: QtBot, store: Path
) -> None:
    first = start(qtbot, store, SecretStore.in_memory())
    first_run(qtbot, first)
    first.shut_down()
    first.window.close()
    key_file_of(store).unlink()
    before = store.read_bytes()
    second = start(qtbot, store, SecretStore.in_memory())
    assert "its key file" in second.window.notice
    assert "is missing" in second.window.notice
    assert second.sign_in is None
    assert store.read_bytes() == before
