"""Starting the GUI: check the display, set up logging, build the application and its window."""

from __future__ import annotations

import logging
import sys

from desktop import __version__
from desktop.gui.display import NO_DISPLAY_MESSAGE, display_available
from desktop.logs import configure_logging

log = logging.getLogger(__name__)


def run_gui() -> int:
    if not display_available():
        print(NO_DISPLAY_MESSAGE, file=sys.stderr)
        return 1
    configure_logging()
    log.info("starting Switchboard %s", __version__)

    from desktop.gui.application import create_application
    from desktop.gui.main_window import MainWindow
    from desktop.services.container import build_services
    from desktop.store.migrate import StoreUpgradeError

    try:
        services = build_services()
    except StoreUpgradeError as error:
        log.error("cannot open the store: %s", error)
        print(f"switchboard: {error}", file=sys.stderr)
        return 1
    with services:
        app = create_application(sys.argv[:1])
        window = MainWindow()
        window.show()
        return app.exec()


def main() -> int:
    """Target of the ``switchboard-gui`` script, which always opens the window."""
    return run_gui()
