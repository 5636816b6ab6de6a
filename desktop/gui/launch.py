"""Starting the GUI: check the display, set up logging, build the application and its window."""

from __future__ import annotations

import logging
import sys

from desktop import __version__
from desktop.gui.display import NO_DISPLAY_MESSAGE, display_available
from desktop.logs import configure_logging

log = logging.getLogger(__name__)


def run_gui(database_url: str | None = None, *, tray: bool = False) -> int:
    """``tray`` starts with only the tray icon (a click opens the window), as the autostart
    entry asks; on a desktop without a tray the window opens anyway, or nothing would show."""
    if not display_available():
        print(NO_DISPLAY_MESSAGE, file=sys.stderr)
        return 1
    configure_logging()
    log.info("starting Switchboard %s", __version__)

    from desktop.gui.application import create_application
    from desktop.gui.controller import AppController
    from desktop.gui.error_dialog import ErrorChannel
    from desktop.gui.mainwindow.window import MainWindow
    from desktop.gui.session.backend import open_backend

    app = create_application(sys.argv[:1])
    window = MainWindow()
    # From here on a failure anywhere is logged with its traceback and explained in a dialog.
    errors = ErrorChannel(window).install()
    # The store is opened and upgraded on a worker; a store that cannot be opened is explained
    # in the window (and the log) instead of ending the process.
    controller = AppController(window, lambda: open_backend(database_url))
    if not (tray and window.notifier.in_tray):
        window.show()
    controller.start()
    status = app.exec()
    controller.shut_down()
    errors.uninstall()
    return status


def main() -> int:
    """Target of the ``switchboard-gui`` script, which always opens the window."""
    return run_gui()
