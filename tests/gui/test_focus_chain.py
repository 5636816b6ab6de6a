"""Keyboard alone: in every window and dialog Tab and Shift+Tab visit every control, in reading
order, and come back to where they started; Enter presses the default button and Esc closes.

The walk goes through the app as a person meets it (sign-in, first run, the main window, then
each window the main window opens), pressing real keys, so a control that Tab never reaches, a
field that keeps the focus, or a chain that jumps about on the screen fails here, by name.
"""

from __future__ import annotations

import pytest
from accessibility import describe, interactive_widgets, out_of_reading_order, tab_chain
from conftest import PASSWORD, Seeded
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextListFormat
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QPushButton, QTabWidget, QWidget
from pytestqt.qtbot import QtBot

from desktop.gui.compose.body_editor import BodyEditor
from desktop.gui.compose.window import ComposeWindow
from desktop.gui.controller import AppController
from desktop.gui.error_dialog import FailureDialog
from desktop.gui.mainwindow.window import MainWindow
from desktop.gui.session.backend import Backend
from desktop.gui.session.records import describe as describe_error
from desktop.services.container import Services

pytestmark = pytest.mark.gui


def focus_problems(root: QWidget) -> list[str]:
    """What keeps ``root`` (a window, or a page of one) from working by Tab alone."""
    start = QApplication.focusWidget()
    reachable = interactive_widgets(root)
    if not reachable:
        return [f"nothing to reach in {root.windowTitle()!r}"]
    if start is None or start not in reachable:
        start = reachable[0]
    try:
        forward = tab_chain(start)
        backward = tab_chain(start, backwards=True)
    except AssertionError as trapped:
        return [str(trapped)]
    reachable = interactive_widgets(root)  # choosing in a list may show more of the window
    problems = [f"Tab never reaches {describe(w)}" for w in reachable if w not in forward]
    problems += [f"Tab leaves for {describe(w)}" for w in forward if w not in reachable]
    problems += [f"out of reading order: {step}" for step in out_of_reading_order(forward)]
    if backward != [start, *reversed(forward[1:])]:
        problems.append(
            "Shift+Tab is not Tab backwards: " + " > ".join(describe(w) for w in backward)
        )
    return problems


def every_tab_checked(opened: QWidget) -> list[str]:
    found = focus_problems(opened)
    for tabs in opened.findChildren(QTabWidget):
        for page in range(1, tabs.count()):
            tabs.setCurrentIndex(page)
            found += [f for f in focus_problems(opened) if f not in found]
    return found


def shown_windows() -> set[QWidget]:
    return {w for w in QApplication.topLevelWidgets() if w.isVisible()}


def check_opened_windows(qtbot: QtBot, window: MainWindow, problems: dict[str, list[str]]) -> None:
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
        qtbot.waitUntil(lambda: bool(shown_windows() - before))  # noqa: B023
        for opened in shown_windows() - before:
            problems[action.text().replace("&", "")] = check_and_close(qtbot, opened)


def check_and_close(qtbot: QtBot, opened: QWidget) -> list[str]:
    qtbot.waitExposed(opened)
    if isinstance(opened, ComposeWindow):  # its fields open once the draft is there
        qtbot.waitUntil(opened.send_button.isEnabled)
    opened.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is opened)
    problems = every_tab_checked(opened)
    defaults = [b.text() for b in opened.findChildren(QPushButton) if b.isDefault()]
    if len(defaults) > 1:
        problems.append(f"more than one default button: {defaults}")
    if isinstance(opened, QDialog):  # Esc closes a dialog, wherever the focus is
        focused = QApplication.focusWidget()
        assert focused is not None
        QTest.keyClick(focused, Qt.Key.Key_Escape)
        qtbot.waitUntil(lambda: not opened.isVisible())
    else:
        opened.close()
    return problems


def test_every_window_works_by_tab_alone(qtbot: QtBot, seeded: Seeded) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    controller = AppController(window, lambda: Backend(seeded.services))
    with qtbot.waitSignal(controller.ready):
        controller.start()
    assert controller.sign_in is not None
    problems = {"sign-in": focus_problems(window)}
    first_run = controller.first_run
    assert first_run is not None
    controller.sign_in.password.setText(PASSWORD)
    with qtbot.waitSignal(controller.session_opened, timeout=10000):
        controller.sign_in.submit()
    page = window.workspace_page
    assert page is not None
    qtbot.waitUntil(lambda: page.inbox_model.rowCount() == 5)
    page.inbox.table.selectRow(0)
    qtbot.waitUntil(lambda: page.reader.message is not None)
    window.activateWindow()
    problems["main window"] = focus_problems(window)

    check_opened_windows(qtbot, window, problems)
    window.activate_nth_profile(2)
    qtbot.waitUntil(window.audit_action.isEnabled)
    check_opened_windows(qtbot, window, problems)

    window.lock_action.trigger()
    qtbot.waitUntil(lambda: not page.isVisible())
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    problems["lock screen"] = focus_problems(window)
    assert {where: found for where, found in problems.items() if found} == {}


def test_first_run_works_by_tab_alone(qtbot: QtBot, services: Services) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    controller = AppController(window, lambda: Backend(services))
    with qtbot.waitSignal(controller.ready):
        controller.start()
    first_run = controller.first_run
    assert first_run is not None
    qtbot.waitUntil(first_run.isVisible)
    window.activateWindow()
    assert focus_problems(window) == []


def test_the_error_dialog_works_by_tab_and_esc(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    dialog = FailureDialog(describe_error(OSError(28, "No space left on device")), parent)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    assert focus_problems(dialog) == []
    assert dialog.defaultButton() is not dialog.copy_button  # Enter must not just copy
    focused = QApplication.focusWidget()
    assert focused is not None
    QTest.keyClick(focused, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible())


def test_the_formatting_lists_have_keys(qtbot: QtBot) -> None:
    """The formatting toolbar is outside the Tab chain, so each of its buttons has keys."""
    editor = BodyEditor()
    qtbot.addWidget(editor)
    editor.show()
    qtbot.waitExposed(editor)
    editor.rich.setChecked(True)
    editor.text.setFocus()
    qtbot.waitUntil(editor.text.hasFocus)
    shift_control = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    QTest.keyClick(editor.text, Qt.Key.Key_8, shift_control)
    listed = editor.text.textCursor().currentList()
    assert listed is not None
    assert listed.format().style() == QTextListFormat.Style.ListDisc
    QTest.keyClick(editor.text, Qt.Key.Key_7, shift_control)
    numbered = editor.text.textCursor().currentList()
    assert numbered is not None
    assert numbered.format().style() == QTextListFormat.Style.ListDecimal
    keyless = [a.text() for a in editor.toolbar.actions() if a.text() and a.shortcut().isEmpty()]
    assert keyless == []
