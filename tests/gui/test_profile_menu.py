"""The profile sidebar's menu, the not-set-up state and the lock screen, over the real services."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

import pytest
from conftest import PASSWORD, Seeded, open_window, syncing_session
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QMenu,
    QWidget,
)
from pytestqt.qtbot import QtBot

from desktop.gui.controller import AppController
from desktop.gui.mainwindow.sidebar import ProfileSidebar
from desktop.gui.mainwindow.sync_status import SyncPhase
from desktop.gui.mainwindow.window import MainWindow
from desktop.gui.mainwindow.workspace_page import WorkspacePage
from desktop.gui.session.backend import Backend
from desktop.services.container import Services

pytestmark = pytest.mark.gui
# A popup menu asks the platform to raise it and grab the keyboard; offscreen can do neither.
OPENS_A_MENU = pytest.mark.qt_log_ignore(
    "This plugin does not support raise", "This plugin does not support grabbing"
)

CLINIC_SERVER = "imap.riverside.example"


def give_server(seeded: Seeded, profile_id: int, host: str) -> None:
    accounts = seeded.services.accounts
    profile = next(p for p in accounts.list_profiles(seeded.actor) if p.id == profile_id)
    accounts.update_profile(seeded.actor, profile_id, replace(profile.as_draft(), imap_host=host))


@pytest.fixture
def window(qtbot: QtBot, seeded: Seeded) -> Iterator[MainWindow]:
    """The clinic has a mail server; the hospital (active at first) has none yet."""
    give_server(seeded, seeded.clinic_id, CLINIC_SERVER)
    main = open_window(qtbot, syncing_session(seeded))
    qtbot.waitUntil(lambda: len(main.profiles) == 2)
    yield main
    menu = page_of(main).sidebar.open_menu
    if menu is not None:
        menu.close()
    main.close()


def page_of(window: MainWindow) -> WorkspacePage:
    page = window.workspace_page
    assert page is not None
    return page


def row_centre(sidebar: ProfileSidebar, profile_id: int) -> QPoint:
    row = sidebar.profiles.row_of(profile_id)
    assert row is not None
    return sidebar.visualRect(sidebar.profiles.index(row)).center()


def right_click(qtbot: QtBot, sidebar: ProfileSidebar, profile_id: int) -> QMenu:
    """What the platform delivers for a right-click: the press, then (on X11 and Wayland) the
    context menu event, then the release. QTest makes no context menu event for a widget, and
    one sent through the window is lost after an earlier test's popup, so they are sent here."""
    viewport = sidebar.viewport()
    at = row_centre(sidebar, profile_id)
    QTest.mousePress(viewport, Qt.MouseButton.RightButton, Qt.KeyboardModifier.NoModifier, at)
    menu_event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, at, viewport.mapToGlobal(at))
    QApplication.sendEvent(viewport, menu_event)
    QTest.mouseRelease(viewport, Qt.MouseButton.RightButton, Qt.KeyboardModifier.NoModifier, at)
    qtbot.waitUntil(lambda: sidebar.open_menu is not None and sidebar.open_menu.isVisible())
    assert sidebar.open_menu is not None
    return sidebar.open_menu


def entries(menu: QMenu) -> list[str]:
    return [a.text().replace("&", "") for a in menu.actions() if not a.isSeparator()]


@OPENS_A_MENU
def test_right_click_opens_the_menu_and_does_not_switch(
    qtbot: QtBot, window: MainWindow, seeded: Seeded
) -> None:
    sidebar = page_of(window).sidebar
    assert window.active_profile is not None
    assert window.active_profile.id == seeded.hospital_id
    current, selected = sidebar.currentIndex().row(), sidebar.selected_profile_ids()
    menu = right_click(qtbot, sidebar, seeded.clinic_id)
    assert entries(menu) == ["Edit…", "Act as this profile", "Mute notifications", "Sync now"]
    assert window.active_profile.id == seeded.hospital_id
    assert sidebar.currentIndex().row() == current
    assert sidebar.selected_profile_ids() == selected
    assert "Riverside Clinic" not in window.windowTitle()


def start_signed_in(qtbot: QtBot, services: Services) -> AppController:
    window = MainWindow()
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    controller = AppController(window, lambda: Backend(services))
    with qtbot.waitSignal(controller.ready):
        controller.start()
    assert controller.sign_in is not None
    controller.sign_in.password.setText(PASSWORD)
    with qtbot.waitSignal(controller.session_opened, timeout=10000):
        controller.sign_in.submit()
    qtbot.waitUntil(lambda: len(window.profiles) == 2)
    return controller


def trigger(menu: QMenu, text: str) -> None:
    action = next(a for a in menu.actions() if a.text().replace("&", "") == text)
    menu.close()
    action.trigger()


@OPENS_A_MENU
def test_set_up_and_edit_open_the_profiles_dialog_on_that_profile(
    qtbot: QtBot, seeded: Seeded
) -> None:
    give_server(seeded, seeded.clinic_id, CLINIC_SERVER)
    controller = start_signed_in(qtbot, seeded.services)
    sidebar = page_of(controller.window).sidebar
    menu = right_click(qtbot, sidebar, seeded.hospital_id)
    assert entries(menu) == ["Set up…", "Act as this profile", "Mute notifications", "Sync now"]
    with qtbot.waitSignal(sidebar.edit_requested) as asked:
        trigger(menu, "Set up…")
    assert asked.args == [seeded.hospital_id]
    dialog = controller.profiles_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.form.email.text() == "ada@stmarys.example")
    assert dialog.isVisible()
    assert dialog.focusWidget() is dialog.form.imap_host  # setting up starts at the server
    dialog.reject()

    menu = right_click(qtbot, sidebar, seeded.clinic_id)
    trigger(menu, "Edit…")
    edited = controller.profiles_dialog
    assert edited is not None
    qtbot.waitUntil(lambda: edited.form.imap_host.text() == CLINIC_SERVER)
    assert edited.form.email.text() == "ada@riverside.example"
    active = controller.window.active_profile
    assert active is not None
    assert active.id == seeded.hospital_id


@OPENS_A_MENU
def test_a_profile_without_a_server_is_not_set_up_rather_than_failed(
    qtbot: QtBot, window: MainWindow, seeded: Seeded
) -> None:
    sidebar = page_of(window).sidebar
    hospital = sidebar.profiles.index(sidebar.profiles.row_of(seeded.hospital_id) or 0)
    clinic = sidebar.profiles.index(sidebar.profiles.row_of(seeded.clinic_id) or 0)
    assert "not set up" in hospital.data(Qt.ItemDataRole.AccessibleTextRole)
    assert "Set up…" in hospital.data(Qt.ItemDataRole.ToolTipRole)
    assert "not set up" not in clinic.data(Qt.ItemDataRole.AccessibleTextRole)
    status = window.sync_status
    button = status.button_for(seeded.hospital_id)
    assert status.phase(seeded.hospital_id) is SyncPhase.NOT_SET_UP
    assert button.text() == "St Mary's Hospital: not set up — Set up…"
    assert button.accessibleName() == button.text()
    assert "#dc2626" not in button.styleSheet()

    session = window.session
    assert session is not None
    scheduler = session.scheduler
    assert scheduler is not None
    menu = right_click(qtbot, sidebar, seeded.hospital_id)
    with qtbot.waitSignal(session.sync_not_set_up):
        trigger(menu, "Sync now")
    assert status.phase(seeded.hospital_id) is SyncPhase.NOT_SET_UP
    assert "failed" not in button.text()
    assert not scheduler.is_running(seeded.hospital_id)
    with qtbot.waitSignal(window.edit_profile_requested) as asked:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert asked.args == [seeded.hospital_id]

    give_server(seeded, seeded.hospital_id, "imap.stmarys.example")
    session.refresh_profiles()
    qtbot.waitUntil(lambda: status.phase(seeded.hospital_id) is SyncPhase.IDLE)
    assert button.text() == "St Mary's Hospital: not synced yet"
    assert "not set up" not in hospital.data(Qt.ItemDataRole.AccessibleTextRole)


def visible_texts(window: QWidget) -> list[str]:
    """Every text a person (or a screen reader) can get from what is on screen."""
    texts = [window.windowTitle()]
    for widget in window.findChildren(QWidget):
        if not widget.isVisible():
            continue
        texts += [widget.toolTip(), widget.accessibleName(), widget.windowTitle()]
        if isinstance(widget, QLabel | QAbstractButton):
            texts.append(widget.text())
        elif isinstance(widget, QLineEdit):
            texts += [widget.text(), widget.placeholderText()]
        elif isinstance(widget, QComboBox):
            texts += [widget.itemText(i) for i in range(widget.count())]
    return [text for text in texts if text]


def names_anyone(text: str) -> bool:
    return bool(re.search(r"Ada|Lovelace|\bada\b|St Mary|Riverside|Nurse|@|example", text))


def test_the_lock_screen_names_nobody(qtbot: QtBot, seeded: Seeded) -> None:
    controller = start_signed_in(qtbot, seeded.services)
    window = controller.window
    assert names_anyone(window.windowTitle())  # the check below would see a name if one showed
    qtbot.keyClick(
        window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
    )
    sign_in = controller.sign_in
    assert sign_in is not None
    qtbot.waitUntil(sign_in.isVisible)
    texts = visible_texts(window)
    assert "Switchboard is locked" in texts
    assert [text for text in texts if names_anyone(text)] == []
    assert window.windowTitle() == "Switchboard"
    assert sign_in.password.isVisible()
    assert not sign_in.user.isVisible()
    assert window.notifier.tooltip == "Switchboard"
    note = window.notifier.new_mail(window.profiles[0], 2)
    assert note is not None
    assert (note.title, note.text) == ("New mail", "2 new messages")
    session = window.session
    assert session is not None
    with qtbot.waitSignal(session.profiles_changed):
        session.refresh_profiles()  # as after a sync behind the lock: no name comes back
    assert window.windowTitle() == "Switchboard"

    sign_in.password.setText(PASSWORD)
    sign_in.submit()
    qtbot.waitUntil(lambda: "Ada Lovelace" in window.windowTitle(), timeout=10000)
    assert "St Mary's Hospital" in window.windowTitle()
    assert "unread" in window.notifier.tooltip
