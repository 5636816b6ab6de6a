"""Takes the high-contrast and keyboard-focus screenshots from the real app on demo data.

Run under Xvfb (see README.md): ``DISPLAY=:81 QT_QPA_PLATFORM=xcb .venv/bin/python
docs/screenshots/take_a11y.py``. High contrast is switched on through View > High contrast, as a
person would, and the focus is moved with Tab key presses, so the ring is the one people see.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QApplication, QDialog, QWidget

from desktop.gui.mainwindow.window import MainWindow
from desktop.gui.mainwindow.workspace_page import WorkspacePage

if TYPE_CHECKING:
    from desktop.gui.controller import AppController

HERE = Path(__file__).resolve().parent


def wait_until(condition: Callable[[], bool], seconds: float = 60) -> None:
    from PySide6.QtCore import QEventLoop
    from PySide6.QtWidgets import QApplication

    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the app did not get there in time")
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)


def settle() -> None:
    """Lets pending paints and layouts finish, counted in event-loop turns."""
    from PySide6.QtWidgets import QApplication

    for _ in range(20):
        QApplication.processEvents()


def shoot(name: str, width: int, height: int) -> None:
    from PySide6.QtGui import QGuiApplication

    settle()
    screen = QGuiApplication.primaryScreen()
    screen.grabWindow(0, 0, 0, width, height).save(str(HERE / name))
    print("saved", name)


def press_tab(times: int) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    for _ in range(times):
        focused = QApplication.focusWidget()
        if focused is not None:
            QTest.keyClick(focused, Qt.Key.Key_Tab)
    settle()


def opened(before: set[QWidget]) -> list[QWidget]:
    return [w for w in QApplication.topLevelWidgets() if w.isVisible() and w not in before]


def tab_to(arrived: Callable[[], bool]) -> None:
    for _ in range(30):
        if arrived():
            return
        press_tab(1)
    raise TimeoutError("Tab never got there")


def shoot_profiles_dialog(window: MainWindow, theme: str) -> None:
    shown = set(QApplication.topLevelWidgets())
    window.profiles_action.trigger()
    wait_until(lambda: any(isinstance(w, QDialog) for w in opened(shown)))
    dialog = next(w for w in opened(shown) if isinstance(w, QDialog))
    dialog.move(0, 0)
    dialog.resize(800, 600)
    dialog.activateWindow()
    wait_until(lambda: QApplication.activeWindow() is dialog)
    press_tab(4)
    shoot(f"profiles-keyboard-focus-{theme}-800x600.png", 800, 600)
    dialog.close()


def shoot_dark_high_contrast(window: MainWindow, page: WorkspacePage) -> None:
    """Xvfb has no desktop to ask for a dark scheme, so the answer is given here: what a person
    with a dark desktop gets from View > High contrast > On."""
    from desktop.gui import theme

    theme.system_prefers_dark = lambda: True
    window.contrast.actions[1].trigger()
    window.activateWindow()
    page.sidebar.setFocus()
    tab_to(page.inbox.table.hasFocus)
    shoot("main-high-contrast-dark-1280x800.png", 1280, 800)
    window.contrast.actions[2].trigger()


@dataclass
class DemoApp:
    """The real app on demo data in a fresh home; the scripts keep it alive while they shoot."""

    app: QApplication
    window: MainWindow
    controller: AppController

    def close(self) -> None:
        self.window.close()
        self.controller.shut_down()
        self.app.processEvents()


def open_demo() -> DemoApp:
    """The main window at 1280x800 with the demo user signed in and a workspace shown."""
    os.environ["SWITCHBOARD_HOME"] = tempfile.mkdtemp(prefix="switchboard-shots-")
    from desktop.gui.application import create_application
    from desktop.gui.controller import AppController
    from desktop.gui.session.backend import open_backend

    app = create_application(sys.argv[:1])
    window = MainWindow()
    window.move(0, 0)
    window.resize(1280, 800)
    window.show()
    controller = AppController(window, lambda: open_backend(None))
    controller.ready.connect(controller.open_demo)
    controller.start()
    wait_until(lambda: window.workspace_page is not None)
    return DemoApp(app, window, controller)


def main() -> int:
    demo = open_demo()
    window = demo.window
    page = window.workspace_page
    assert page is not None
    wait_until(lambda: page.inbox_model.rowCount() > 10)
    page.inbox.table.selectRow(2)
    wait_until(lambda: page.reader.message is not None)

    for choice, theme in ((window.contrast.actions[1], "high-contrast"), (None, "normal")):
        (choice or window.contrast.actions[2]).trigger()
        for width, height in ((800, 600), (1280, 800)):
            window.resize(width, height)
            window.activateWindow()
            page.sidebar.setFocus()
            tab_to(page.inbox.table.hasFocus)  # by key, as a person gets there
            name = "main-high-contrast" if choice is not None else "main-keyboard-focus"
            shoot(f"{name}-{width}x{height}.png", width, height)
        window.resize(1280, 800)
        shoot_profiles_dialog(window, theme)
    shoot_dark_high_contrast(window, page)
    demo.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
