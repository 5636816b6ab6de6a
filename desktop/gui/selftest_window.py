"""The GUI step of the self-test, kept here so that the self-test module imports no widgets."""

from __future__ import annotations

from desktop.gui.application import create_application
from desktop.gui.mainwindow.window import MainWindow


def open_and_close_main_window() -> None:
    app = create_application(["switchboard"])
    window = MainWindow()
    window.show()
    app.processEvents()
    if not window.isVisible():
        raise RuntimeError("the main window did not become visible")
    window.close()
    app.processEvents()
