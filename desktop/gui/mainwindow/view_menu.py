"""View > High contrast: follow the desktop, always, or never; applied to every window at once.

The choice is the computer's, not a user's (it is kept with the window's size), because the
sign-in screen must already be readable by the person who needs it.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMenu, QWidget

from desktop.gui.mainwindow.commands import choice_menu
from desktop.gui.mainwindow.settings import WindowSettings
from desktop.gui.theme import Contrast, app_theme

CONTRAST_CHOICES: tuple[tuple[Contrast, str], ...] = (
    (Contrast.SYSTEM, "Follow the &system"),
    (Contrast.ON, "&On"),
    (Contrast.OFF, "O&ff"),
)


class ContrastMenu(QObject):
    def __init__(self, window: QWidget, settings: WindowSettings, view_menu: QMenu) -> None:
        super().__init__(window)
        self._settings = settings
        self.theme = app_theme()
        chosen = settings.contrast()
        self.theme.set_choice(chosen)
        self.menu, self.actions = choice_menu(
            self.tr("&High contrast"),
            [(contrast, self.tr(text)) for contrast, text in CONTRAST_CHOICES],
            chosen,
            self._chosen,
            window,
        )
        for action in self.actions:
            action.setToolTip(
                self.tr("Strong colours and a clear focus ring; the system's setting by default")
            )
        view_menu.addSeparator()
        view_menu.addMenu(self.menu)

    def _chosen(self, contrast: Contrast) -> None:
        self._settings.set_contrast(contrast)
        self._settings.sync()
        self.theme.set_choice(contrast)
