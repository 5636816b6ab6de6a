"""Getting in: first run, sign in right and wrong, remember me, lock, auto-lock, sign out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from conftest import PASSWORD, Seeded
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.gui.controller import AppController
from desktop.gui.mainwindow.window import MainWindow
from desktop.gui.session.backend import Backend
from desktop.services.accounts import AccountsService
from desktop.services.container import Services
from desktop.services.passwords import CHEAP_TEST_COST, PasswordHashing
from desktop.services.secrets import SecretStore
from desktop.store.migrate import StoreTooNewError

pytestmark = pytest.mark.gui


def start(qtbot: QtBot, factory: Callable[[], Services]) -> AppController:
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    controller = AppController(window, lambda: Backend(factory()))
    with qtbot.waitSignal(controller.ready):
        controller.start()
    return controller


def test_first_run_creates_user_and_profile(qtbot: QtBot, services: Services) -> None:
    controller = start(qtbot, lambda: services)
    page = controller.first_run
    assert page is not None
    assert page.isVisible()
    qtbot.keyClicks(page.display_name, "Grace Hopper")
    qtbot.keyClicks(page.login, "grace")
    qtbot.keyClicks(page.password, "long enough pw")
    qtbot.keyClicks(page.repeat, "different pw!!")
    qtbot.mouseClick(page.create_button, Qt.MouseButton.LeftButton)
    assert page.error.text() == "The two passwords differ."
    assert page.repeat.hasFocus()

    page.repeat.setText("long enough pw")
    qtbot.keyClicks(page.organization, "Navy Lab")
    qtbot.keyClicks(page.email, "not-an-address")
    qtbot.mouseClick(page.create_button, Qt.MouseButton.LeftButton)
    assert "not an email address" in page.error.text()
    assert page.email.hasFocus()
    assert services.accounts is not None

    assert "first profile is the administrator of this store" in page.admin_note.text()
    page.email.setText("grace@navy.example")
    with qtbot.waitSignal(controller.session_opened, timeout=10000):
        qtbot.mouseClick(page.create_button, Qt.MouseButton.LeftButton)
    window = controller.window
    qtbot.waitUntil(lambda: window.active_profile is not None)
    assert window.active_profile is not None
    assert window.active_profile.organization == "Navy Lab"
    assert "Grace Hopper" in window.windowTitle()
    assert window.active_profile.role == "admin"


def test_wrong_password_then_right(qtbot: QtBot, seeded: Seeded) -> None:
    controller = start(qtbot, lambda: seeded.services)
    page = controller.sign_in
    assert page is not None
    assert page.isVisible()
    assert page.user.currentText() == "Ada Lovelace (ada)"
    assert page.password.hasFocus()
    qtbot.keyClicks(page.password, "wrong password")
    qtbot.keyClick(page.password, Qt.Key.Key_Return)
    qtbot.waitUntil(page.error.isVisible)
    assert page.error.text() == "Wrong password. Check Caps Lock and try again."
    assert page.password.text() == "wrong password"
    assert page.password.selectedText() == "wrong password"
    assert page.password.hasFocus()
    assert controller.session is None

    qtbot.keyClicks(page.password, PASSWORD)
    with qtbot.waitSignal(controller.session_opened, timeout=10000):
        qtbot.keyClick(page.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: controller.window.active_profile is not None)
    assert page.password.text() == ""


def with_keyring(services: Services, secrets: SecretStore) -> Services:
    """The same store with the test session's real Secret Service instead of memory."""
    accounts = AccountsService(
        services.session_factory, secrets, services.authorizer, PasswordHashing(CHEAP_TEST_COST)
    )
    return replace(services, secrets=secrets, accounts=accounts)


@pytest.mark.keyring
def test_remember_me_skips_the_password_next_time(
    qtbot: QtBot, seeded: Seeded, secret_service: SecretStore
) -> None:
    services = with_keyring(seeded.services, secret_service)
    first = start(qtbot, lambda: services)
    assert first.sign_in is not None
    assert first.sign_in.remember.isEnabled()
    assert first.sign_in.no_keyring.isHidden()
    first.sign_in.remember.setChecked(True)
    first.sign_in.password.setText(PASSWORD)
    with qtbot.waitSignal(first.session_opened, timeout=10000):
        first.sign_in.submit()
    first.window.close()

    second = start(qtbot, lambda: services)
    assert second.session is not None
    assert second.session.user_login == "ada"

    second.sign_out()
    qtbot.waitUntil(lambda: second.sign_in is not None and second.sign_in.isVisible())
    third = start(qtbot, lambda: services)
    assert third.session is None
    assert third.sign_in is not None
    assert third.sign_in.isVisible()


def test_without_a_keyring_remember_me_is_disabled_and_says_why(
    qtbot: QtBot, seeded: Seeded
) -> None:
    """Finding 9: no box that silently does nothing; one note says passwords last this session."""
    controller = start(qtbot, lambda: seeded.services)
    page = controller.sign_in
    assert page is not None
    assert not page.remember.isEnabled()
    assert not page.remember.isChecked()
    assert "Needs a keyring" in page.remember.toolTip()
    assert page.no_keyring.isVisible()
    assert "kept only until Switchboard closes" in page.no_keyring.text()


def test_lock_needs_the_password_and_keeps_the_workspace(qtbot: QtBot, seeded: Seeded) -> None:
    controller = start(qtbot, lambda: seeded.services)
    assert controller.sign_in is not None
    controller.sign_in.password.setText(PASSWORD)
    with qtbot.waitSignal(controller.session_opened, timeout=10000):
        controller.sign_in.submit()
    window = controller.window
    page = window.workspace_page
    qtbot.keyClick(
        window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
    )
    assert controller.sign_in.isVisible()
    assert not controller.sign_in.user.isEnabled()
    assert controller.sign_in.title.text() == "Switchboard is locked"
    assert not window.toolbar.isVisible()
    assert page is not None
    assert not page.isVisible()

    controller.sign_in.password.setText(PASSWORD)
    controller.sign_in.submit()
    qtbot.waitUntil(page.isVisible, timeout=10000)
    assert window.workspace_page is page


def test_auto_lock_after_idle(qtbot: QtBot, seeded: Seeded) -> None:
    controller = start(qtbot, lambda: seeded.services)
    assert controller.sign_in is not None
    controller.sign_in.password.setText(PASSWORD)
    with qtbot.waitSignal(controller.session_opened, timeout=10000):
        controller.sign_in.submit()
    controller.idle_lock.set_interval_ms(100)
    qtbot.waitUntil(lambda: controller.sign_in is not None and controller.sign_in.isVisible())
    assert controller.sign_in.title.text() == "Switchboard is locked"


def test_auto_lock_choice_is_saved(qtbot: QtBot, seeded: Seeded) -> None:
    controller = start(qtbot, lambda: seeded.services)
    window = controller.window
    fifteen = next(a for a in window.auto_lock_actions if "15" in a.text())
    fifteen.setEnabled(True)
    fifteen.trigger()
    assert window.auto_lock_minutes == 15
    assert controller.idle_lock.interval_ms == 15 * 60_000


def test_store_that_cannot_be_opened_is_explained(qtbot: QtBot) -> None:
    def refuse() -> Services:
        raise StoreTooNewError("the store was made by a newer Switchboard (schema 0200)")

    controller = start(qtbot, refuse)
    assert "could not open its store" in controller.window.notice
    assert "written by a newer version of Switchboard" in controller.window.notice
    assert "Update Switchboard to open it." in controller.window.notice


def test_first_run_opens_the_demo_data(qtbot: QtBot, services: Services) -> None:
    controller = start(qtbot, lambda: services)
    page = controller.first_run
    assert page is not None
    assert page.demo.isVisible()
    with qtbot.waitSignal(controller.session_opened, timeout=60000):
        qtbot.mouseClick(page.demo, Qt.MouseButton.LeftButton)
    window = controller.window
    qtbot.waitUntil(lambda: len(window.profiles) == 3, timeout=10000)
    assert any(p.is_admin for p in window.profiles)
    assert "Amira Haddad" in window.windowTitle()
