"""The QApplication and the identity Qt uses for settings and the desktop shell."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from desktop import __version__
from desktop.core.resources import resources_dir
from desktop.gui.garbage import GuiThreadCollector


def create_application(argv: Sequence[str]) -> QApplication:
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(list(argv))
    app.setApplicationName("Switchboard")
    app.setApplicationDisplayName("Switchboard")
    app.setOrganizationName("Switchboard")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("switchboard")
    app.setWindowIcon(app_icon())
    if app.findChild(GuiThreadCollector) is None:
        collector = GuiThreadCollector(app)
        app.aboutToQuit.connect(collector.stop)
    return app


def app_icon() -> QIcon:
    return QIcon(str(resources_dir() / "icons" / "switchboard.svg"))
