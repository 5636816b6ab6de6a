"""Every control of every window has a name and a description that a screen reader can read.

The walk goes through the app as a person meets it: the sign-in screen, the main window, then
every window and dialog the main window opens, and the lock screen. A control added without a
name (an icon-only button, a field without a label) fails here, by name.
"""

from __future__ import annotations

import pytest
from accessibility import nameless_controls
from conftest import PASSWORD, Seeded, open_window, services_session
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QMenu, QTabWidget, QWidget
from pytestqt.qtbot import QtBot

from desktop.gui.controller import AppController
from desktop.gui.mainwindow.window import MainWindow
from desktop.gui.session.backend import Backend

pytestmark = pytest.mark.gui


def shown_windows() -> set[QWidget]:
    return {w for w in QApplication.topLevelWidgets() if w.isVisible()}


def every_tab_walked(opened: QWidget) -> list[str]:
    """The nameless controls of a window, on each page of each of its tab widgets."""
    found = nameless_controls(opened)
    for tabs in opened.findChildren(QTabWidget):
        for page in range(tabs.count()):
            tabs.setCurrentIndex(page)
            found += [f for f in nameless_controls(opened) if f not in found]
    return found


def walk_opened_windows(qtbot: QtBot, window: MainWindow, problems: dict[str, list[str]]) -> None:
    """Opens each window the active role may open, one at a time, and walks it."""
    for action in (
        window.profiles_action,
        window.support_action,
        window.lookup_action,
        window.audit_action,
        window.activity_action,
        window.import_action,
        window.outbox_action,
        window.compose_action,
        window.shortcuts_action,
    ):
        if not action.isEnabled() or not action.isVisible():
            continue
        before = shown_windows()
        action.trigger()
        qtbot.waitUntil(lambda before=before: bool(shown_windows() - before))
        for opened in shown_windows() - before:
            qtbot.waitExposed(opened)
            problems[action.text().replace("&", "")] = every_tab_walked(opened)
            opened.close()


def test_every_window_names_and_describes_its_controls(qtbot: QtBot, seeded: Seeded) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    controller = AppController(window, lambda: Backend(seeded.services))
    with qtbot.waitSignal(controller.ready):
        controller.start()
    assert controller.first_run is not None
    problems = {
        "sign-in": nameless_controls(window),
        "first run": nameless_controls(controller.first_run),
    }
    assert controller.sign_in is not None
    controller.sign_in.password.setText(PASSWORD)
    with qtbot.waitSignal(controller.session_opened, timeout=10000):
        controller.sign_in.submit()
    page = window.workspace_page
    assert page is not None
    qtbot.waitUntil(lambda: page.inbox_model.rowCount() == 5)
    page.inbox.table.selectRow(0)
    qtbot.waitUntil(lambda: page.reader.message is not None)
    problems["main window"] = nameless_controls(window)

    walk_opened_windows(qtbot, window, problems)
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(window.audit_action.isEnabled)
    walk_opened_windows(qtbot, window, problems)

    window.lock_action.trigger()
    qtbot.waitUntil(lambda: window.workspace_page is None or not page.isVisible())
    problems["lock screen"] = nameless_controls(window)

    nameless = {where: found for where, found in problems.items() if found}
    assert nameless == {}


def menu_actions(menu: QMenu) -> list[QAction]:
    found = []
    for action in menu.actions():
        if action.menu() is not None:
            found += menu_actions(action.menu())
        elif not action.isSeparator():
            found.append(action)
    return found


def mnemonic(text: str) -> str | None:
    at = text.replace("&&", "").find("&")
    return text.replace("&&", "")[at + 1].lower() if at >= 0 else None


def test_every_command_is_in_a_menu_that_the_keyboard_reaches(qtbot: QtBot, seeded: Seeded) -> None:
    window = open_window(qtbot, services_session(seeded))
    menus = [a.menu() for a in window.menuBar().actions() if a.menu() is not None]
    assert all(mnemonic(menu.title()) for menu in menus), [m.title() for m in menus]
    assert len({mnemonic(m.title()) for m in menus}) == len(menus)
    in_menus = {action for menu in menus for action in menu_actions(menu)}
    toolbar = [a for a in window.toolbar.actions() if not a.isSeparator() and a.text()]
    assert [a.text() for a in toolbar if a not in in_menus] == []
    for menu in menus:
        shown = [a for a in menu.actions() if a.isVisible() and not a.isSeparator()]
        keys = [mnemonic(a.text()) for a in shown if mnemonic(a.text())]
        assert len(keys) == len(set(keys)), (menu.title(), [a.text() for a in shown])
    window.close()
