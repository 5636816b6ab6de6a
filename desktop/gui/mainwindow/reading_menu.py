"""Message > Mark as read / unread, View > Mark as read after and View > Reader: how one reads.

Kept apart from ``main_window`` so that the window only builds it and hands it each new working
area. The actions belong to the window (so F1 lists their keys and they are off while signed
out) and act on the message chosen in the list; the list's context menu offers them too.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QMenu, QWidget

from desktop.gui.mainwindow.commands import choice_menu, command_action
from desktop.gui.mainwindow.settings import WindowSettings
from desktop.gui.mainwindow.workspace_page import WorkspacePage

DELAY_CHOICES: tuple[tuple[int | None, str], ...] = (
    (0, "Immediately"),
    (1000, "After 1 second"),
    (3000, "After 3 seconds"),
    (None, "Never (only by hand)"),
)
"""Milliseconds a message stays open before it counts as read; None: only "Mark as read"."""


class ReadingMenu(QObject):
    def __init__(
        self,
        window: QWidget,
        settings: WindowSettings,
        message_menu: QMenu,
        view_menu: QMenu,
        *,
        page: Callable[[], WorkspacePage | None],
        place_reader: Callable[[bool], None],
    ) -> None:
        super().__init__(window)
        self._settings = settings
        self._page = page
        self._place_reader = place_reader
        # Set by the mail menu: marks a selection of several messages instead of the open one.
        self.mark_many: Callable[[bool], bool] | None = None
        self.mark_read_action = command_action(
            window,
            self.tr("Mark as r&ead"),
            None,
            "Ctrl+Shift+U",
            self.tr("Mark the message as read"),
        )
        self.mark_read_action.triggered.connect(lambda _checked=False: self._mark(True))
        self.mark_unread_action = command_action(
            window,
            self.tr("Mark as &unread"),
            None,
            "Ctrl+U",
            self.tr("Mark the message as unread, to come back to it later"),
        )
        self.mark_unread_action.triggered.connect(lambda _checked=False: self._mark(False))
        message_menu.addActions([self.mark_read_action, self.mark_unread_action])
        view_menu.addSeparator()
        view_menu.addMenu(self._delay_menu(window))
        view_menu.addMenu(self._reader_menu(window))

    def _delay_menu(self, window: QWidget) -> QMenu:
        menu, self.delay_actions = choice_menu(
            self.tr("Mark as read a&fter"),
            [(delay_ms, self.tr(text)) for delay_ms, text in DELAY_CHOICES],
            self._settings.mark_read_delay_ms(),
            self._set_delay,
            window,
        )
        for action in self.delay_actions:
            action.setToolTip(self.tr("How long a message stays open before it counts as read"))
        return menu

    def _reader_menu(self, window: QWidget) -> QMenu:
        menu, self.reader_actions = choice_menu(
            self.tr("&Reader"),
            [(False, self.tr("&Beside the list")), (True, self.tr("Be&low the list"))],
            self._settings.reader_below(),
            self._set_reader_below,
            window,
        )
        for action in self.reader_actions:
            action.setToolTip(self.tr("Where the open message is shown"))
        return menu

    def _set_reader_below(self, below: bool) -> None:
        self._settings.set_reader_below(below)
        self._place_reader(below)

    def attach(self, page: WorkspacePage) -> None:
        """A new working area reads with the chosen delay; its list offers the actions."""
        page.read_timer.set_delay(self._settings.mark_read_delay_ms())
        table = page.inbox.table
        table.addActions([self.mark_read_action, self.mark_unread_action])
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)

    def _set_delay(self, delay_ms: int | None) -> None:
        self._settings.set_mark_read_delay_ms(delay_ms)
        page = self._page()
        if page is not None:
            page.read_timer.set_delay(delay_ms)

    def _mark(self, seen: bool) -> None:
        if self.mark_many is not None and self.mark_many(seen):
            return
        page = self._page()
        if page is not None:
            page.read_timer.mark_by_hand(seen)
