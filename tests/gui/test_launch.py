"""``switchboard`` opens the window, upgrades and opens the store, and offers the sign-in."""

from __future__ import annotations

import time

import pytest
from conftest import Seeded
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine

from desktop.gui.launch import run_gui
from desktop.gui.main_window import MainWindow
from desktop.gui.signin.sign_in_page import SignInPage

pytestmark = pytest.mark.gui


def test_launch_shows_the_sign_in_for_an_existing_store(
    qtbot: QtBot, seeded: Seeded, engine: Engine
) -> None:
    seen: list[str] = []
    deadline = time.monotonic() + 20

    def look() -> None:
        pages = [
            page
            for window in QApplication.topLevelWidgets()
            if isinstance(window, MainWindow) and window.isVisible()
            for page in window.findChildren(SignInPage)
            if page.isVisible()
        ]
        if pages or time.monotonic() > deadline:
            seen.extend(page.user.currentText() for page in pages)
            for window in QApplication.topLevelWidgets():
                window.close()
            QApplication.quit()
        else:
            QTimer.singleShot(100, look)

    QTimer.singleShot(100, look)
    assert run_gui(engine.url.render_as_string(hide_password=False)) == 0
    assert seen == ["Ada Lovelace (ada)"]
