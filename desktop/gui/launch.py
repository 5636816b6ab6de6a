"""Starting the GUI: hand over to a running app, or check the display, set up logging, build the
application and its window.

A launch while the app already runs on the same store (a click on a mailto: link, the menu entry
again) gives its links to that app and ends with status 0; the CLI never comes through here.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence

from desktop import __version__
from desktop.gui.display import NO_DISPLAY_MESSAGE, display_available
from desktop.logs import configure_logging

log = logging.getLogger(__name__)

NOT_ANSWERING_MESSAGE = (
    "Switchboard is already running for this store but does not answer. "
    "Close it (or end its process) and start Switchboard again."
)


def run_gui(
    database_url: str | None = None, links: Sequence[str] = (), *, tray: bool = False
) -> int:
    """``links``: mailto: links to open as new messages, here or in the running app. ``tray``
    starts with only the tray icon (a click opens the window), as the autostart entry asks; on a
    desktop without a tray the window opens anyway, or nothing would show."""
    from desktop.gui.session.store_identity import store_identity
    from desktop.gui.single_instance import AppNotAnsweringError, claim, instance_key, server_name
    from desktop.paths import instance_lock_file

    if not display_available():
        print(NO_DISPLAY_MESSAGE, file=sys.stderr)
        return 1
    configure_logging()
    key = instance_key(store_identity(database_url))
    name = server_name(key)
    try:
        lock = claim(name, instance_lock_file(key), links)
    except AppNotAnsweringError:
        print(NOT_ANSWERING_MESSAGE, file=sys.stderr)
        return 1
    if lock is None:
        log.info("handed the launch over to the running app")
        return 0
    try:
        return _run_app(database_url, name, links, tray=tray)
    finally:
        lock.release()


def _run_app(database_url: str | None, name: str, links: Sequence[str], *, tray: bool) -> int:
    log.info("starting Switchboard %s", __version__)

    from desktop.gui.application import create_application
    from desktop.gui.controller import AppController
    from desktop.gui.error_dialog import ErrorChannel
    from desktop.gui.launch_requests import serve_launches
    from desktop.gui.mainwindow.window import MainWindow
    from desktop.gui.session.backend import open_backend

    app = create_application(sys.argv[:1])
    window = MainWindow()
    # From here on a failure anywhere is logged with its traceback and explained in a dialog.
    errors = ErrorChannel(window).install()
    # The store is opened and upgraded on a worker; a store that cannot be opened is explained
    # in the window (and the log) instead of ending the process.
    controller = AppController(window, lambda: open_backend(database_url))
    requests = serve_launches(controller, name)
    if not (tray and window.notifier.in_tray):
        window.show()
    controller.start()
    requests.take_links(links)
    status = app.exec()
    requests.stop()
    controller.shut_down()
    errors.uninstall()
    return status


def main() -> int:
    """Target of the ``switchboard-gui`` script, which always opens the window (or raises the
    running one); its arguments are mailto: links, as a desktop's URL handler passes them."""
    return run_gui(links=sys.argv[1:])
