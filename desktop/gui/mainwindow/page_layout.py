"""Where the working area's panes were left, kept per user in the settings file.

The reader's two placements each keep their own sizes: a list fitted to the height is not one
fitted to the width, so switching back and forth returns to what the person chose for each.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray

from desktop.gui.mainwindow.settings import WindowSettings
from desktop.gui.mainwindow.workspace_page import WorkspacePage


def restore_panes(settings: WindowSettings, page: WorkspacePage) -> None:
    splitter = settings.geometry("splitter")
    if splitter is not None:
        page.splitter.restoreState(splitter)
    place_reader(settings, page, settings.reader_below())


def place_reader(settings: WindowSettings, page: WorkspacePage, below: bool) -> None:
    if page.reader_below != below:
        _keep_mail_sizes(settings, page)
    page.set_reader_below(below)
    sizes = settings.geometry(_mail_key(below))
    if sizes is not None:
        page.mail_splitter.restoreState(sizes)


def save_panes(settings: WindowSettings, page: WorkspacePage) -> None:
    settings.set_geometry("splitter", QByteArray(page.splitter.saveState()))
    _keep_mail_sizes(settings, page)


def _keep_mail_sizes(settings: WindowSettings, page: WorkspacePage) -> None:
    settings.set_geometry(_mail_key(page.reader_below), QByteArray(page.mail_splitter.saveState()))


def _mail_key(below: bool) -> str:
    return "mail_splitter_below" if below else "mail_splitter_beside"
