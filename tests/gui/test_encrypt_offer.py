"""Signing in to a plain store offers to encrypt it: what it means, the room it needs, the
password again, a progress bar; "Not now" keeps it plain, and a wrong password or a shared
store is said on the page without losing anything."""

from __future__ import annotations

from pathlib import Path

import pytest
from plain_store import LOGIN, PASSWORD, assert_whole, door, make_plain_store
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.gui.controller import AppController
from desktop.gui.mainwindow.window import MainWindow
from desktop.gui.session.backend import Backend
from desktop.gui.signin.encrypt_offer import EncryptOfferPage
from desktop.services.store_opening import StoreKind

pytestmark = pytest.mark.gui


def start(qtbot: QtBot, store: Path) -> AppController:
    """As the app starts on a plain store: opened through its door, then the sign-in page."""
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    found = door(store)
    controller = AppController(window, lambda: Backend(found.open_unencrypted(), door=found))
    with qtbot.waitSignal(controller.ready):
        controller.start()
    return controller


def offer_page(qtbot: QtBot, controller: AppController) -> EncryptOfferPage:
    page = controller.sign_in
    assert page is not None
    qtbot.waitUntil(page.isVisible)
    page.password.setText(PASSWORD)
    page.submit()
    qtbot.waitUntil(
        lambda: controller.encrypt_offer is not None and controller.encrypt_offer.isVisible(),
        timeout=20000,
    )
    assert controller.encrypt_offer is not None
    assert controller.session is None
    return controller.encrypt_offer


@pytest.fixture
def store(app_home: Path, tmp_path: Path) -> Path:
    store = app_home / "switchboard.sqlite3"
    make_plain_store(store, tmp_path)
    return store


def test_encrypting_from_the_offer_opens_the_encrypted_store(qtbot: QtBot, store: Path) -> None:
    controller = start(qtbot, store)
    page = offer_page(qtbot, controller)
    assert str(store) in page.explanation.text()
    assert "MB" in page.explanation.text()
    assert " s." in page.explanation.text() or " min." in page.explanation.text()
    assert "free on this disk" in page.room.text()
    assert page.encrypt_button.isEnabled()
    page.encrypt()
    assert "Type your password" in page.error.text()
    page.password.setText("not the password")
    page.encrypt()
    qtbot.waitUntil(lambda: "Wrong password" in page.error.text(), timeout=20000)
    assert door(store).kind is StoreKind.PLAIN
    page.password.setText(PASSWORD)
    with qtbot.waitSignal(controller.session_opened, timeout=60000):
        qtbot.mouseClick(page.encrypt_button, Qt.MouseButton.LeftButton)
        assert page.bar.isVisible()
    assert controller.backend is not None
    assert controller.backend.encrypted
    qtbot.waitUntil(lambda: controller.window.active_profile is not None)
    controller.shut_down()
    assert assert_whole(store) is StoreKind.ENCRYPTED


def test_not_now_keeps_the_store_plain_and_opens_it(qtbot: QtBot, store: Path) -> None:
    controller = start(qtbot, store)
    page = offer_page(qtbot, controller)
    with qtbot.waitSignal(controller.session_opened, timeout=20000):
        qtbot.mouseClick(page.later_button, Qt.MouseButton.LeftButton)
    assert controller.session is not None
    assert controller.session.user_login == LOGIN
    controller.shut_down()
    assert assert_whole(store) is StoreKind.PLAIN


def test_a_shared_store_is_not_offered_for_encryption(
    qtbot: QtBot, app_home: Path, tmp_path: Path
) -> None:
    store = app_home / "shared.sqlite3"
    make_plain_store(store, tmp_path, other_user=True)
    controller = start(qtbot, store)
    page = offer_page(qtbot, controller)
    assert "Jonas" in page.room.text()
    assert "lock them out" in page.room.text()
    assert not page.encrypt_button.isEnabled()
    assert page.later_button.hasFocus()
    with qtbot.waitSignal(controller.session_opened, timeout=20000):
        qtbot.mouseClick(page.later_button, Qt.MouseButton.LeftButton)
    controller.shut_down()
