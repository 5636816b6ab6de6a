"""The main window opens offscreen with its title and app icon."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from desktop.gui.application import app_icon
from desktop.gui.main_window import MainWindow

pytestmark = pytest.mark.gui


def test_main_window_shows_with_title(qtbot: QtBot) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert window.windowTitle() == "Switchboard"
    assert not app_icon().isNull()
