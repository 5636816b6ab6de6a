"""Reading marks mail read as the best clients do: only once a message has stayed open a moment.

The window over the real services and the test's own store: arrowing through the list marks
nothing, the message that stays open is marked alone, "never" leaves it to the user, and "Mark as
unread" brings the row's bold and the counts back without the delay undoing it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from conftest import Seeded, services_session
from conftest import open_window as window_with
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from desktop.gui.mainwindow.settings import WindowSettings, open_settings
from desktop.gui.mainwindow.window import MainWindow
from desktop.gui.mainwindow.workspace_page import WorkspacePage

pytestmark = pytest.mark.gui

OpenWindow = Callable[[int | None], MainWindow]


@pytest.fixture
def open_window(qtbot: QtBot, seeded: Seeded) -> Iterator[OpenWindow]:
    """The window with "Mark as read after" set to the given delay in the user's settings."""
    windows: list[MainWindow] = []

    def make(delay_ms: int | None) -> MainWindow:
        settings = WindowSettings(open_settings())
        settings.set_mark_read_delay_ms(delay_ms)
        settings.sync()
        window = window_with(qtbot, services_session(seeded))
        page = page_of(window)
        qtbot.waitUntil(lambda: page.inbox_model.rowCount() == 5 and window.notifier.unread == 5)
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.close()


def page_of(window: MainWindow) -> WorkspacePage:
    page = window.workspace_page
    assert page is not None
    return page


def read_rows(page: WorkspacePage) -> list[int]:
    model = page.inbox_model
    return [row for row in range(model.rowCount()) if model.row_at(row).seen]


def is_bold(page: WorkspacePage, row: int) -> bool:
    font = page.inbox_model.data(page.inbox_model.index(row, 0), Qt.FontRole)
    return isinstance(font, QFont) and font.bold()


def test_arrowing_through_three_messages_marks_none_of_them_read(
    qtbot: QtBot, open_window: OpenWindow, seeded: Seeded
) -> None:
    window = open_window(3000)
    page = page_of(window)
    table = page.inbox.table
    table.setFocus()
    with qtbot.waitSignal(page.message_shown):
        table.selectRow(0)
    for _ in range(2):
        with qtbot.waitSignal(page.message_shown):
            qtbot.keyClick(table, Qt.Key.Key_Down)
    assert page.reader.headers.subject.text() == "Ward report 3"
    assert read_rows(page) == []
    assert all(is_bold(page, row) for row in range(5))
    assert window.notifier.unread == 5
    assert seeded.services.mailbox.unread_counts(seeded.actor) == {
        seeded.hospital_id: 3,
        seeded.clinic_id: 2,
    }
    # Only the message still open waits to be marked.
    assert page.read_timer.pending == page.inbox_model.row_at(2).id


def test_behind_the_lock_screen_the_open_message_is_not_marked_read(
    qtbot: QtBot, open_window: OpenWindow, seeded: Seeded
) -> None:
    window = open_window(3000)
    page = page_of(window)
    with qtbot.waitSignal(page.message_shown):
        page.inbox.table.selectRow(1)
    opened = page.inbox_model.row_at(1).id
    assert page.read_timer.counting
    window.show_gate(QWidget())
    assert not page.read_timer.counting
    assert page.read_timer.pending == opened
    window.show_workspace()
    assert page.read_timer.counting
    assert page.read_timer.pending == opened
    assert read_rows(page) == []


def test_the_message_that_stays_open_is_the_only_one_marked_read(
    qtbot: QtBot, open_window: OpenWindow, seeded: Seeded
) -> None:
    window = open_window(50)
    page = page_of(window)
    with qtbot.waitSignal(page.message_shown):
        page.inbox.table.selectRow(1)
    qtbot.waitUntil(lambda: window.notifier.unread == 4)
    assert read_rows(page) == [1]
    assert not is_bold(page, 1)
    assert seeded.services.mailbox.unread_counts(seeded.actor) == {
        seeded.hospital_id: 3,
        seeded.clinic_id: 1,
    }
    sidebar = {p.id: p.unread for p in page.sidebar.profiles.profiles}
    assert sidebar == {seeded.hospital_id: 3, seeded.clinic_id: 1}


def test_with_never_nothing_is_read_until_mark_as_read(
    qtbot: QtBot, open_window: OpenWindow, seeded: Seeded
) -> None:
    window = open_window(None)
    page = page_of(window)
    with qtbot.waitSignal(page.message_shown):
        page.inbox.table.selectRow(0)
    assert page.read_timer.pending is None
    assert read_rows(page) == []
    window.reading.mark_read_action.trigger()
    qtbot.waitUntil(lambda: window.notifier.unread == 4)
    assert read_rows(page) == [0]
    assert seeded.services.mailbox.unread_counts(seeded.actor)[seeded.hospital_id] == 2


def test_mark_as_unread_brings_back_the_bold_row_and_the_count(
    qtbot: QtBot, open_window: OpenWindow, seeded: Seeded
) -> None:
    window = open_window(50)
    page = page_of(window)
    table = page.inbox.table
    with qtbot.waitSignal(page.message_shown):
        table.selectRow(1)
    qtbot.waitUntil(lambda: window.notifier.unread == 4)
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_U, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.notifier.unread == 5)
    assert read_rows(page) == []
    assert is_bold(page, 1)
    assert seeded.services.mailbox.unread_counts(seeded.actor)[seeded.clinic_id] == 2
    # The message stays open, and stays unread: the delay does not start again by itself.
    assert page.reader.headers.subject.text() == "Clinic invoice 4"
    assert page.read_timer.pending is None
    window.reading.mark_read_action.trigger()
    qtbot.waitUntil(lambda: window.notifier.unread == 4)
    assert read_rows(page) == [1]


def test_mark_as_unread_cancels_the_wait_for_an_unread_message(
    qtbot: QtBot, open_window: OpenWindow, seeded: Seeded
) -> None:
    window = open_window(3000)
    page = page_of(window)
    with qtbot.waitSignal(page.message_shown):
        page.inbox.table.selectRow(0)
    assert page.read_timer.pending is not None
    window.reading.mark_unread_action.trigger()
    assert page.read_timer.pending is None
    assert seeded.services.mailbox.unread_counts(seeded.actor)[seeded.hospital_id] == 3


def test_immediately_marks_in_the_open_itself(qtbot: QtBot, open_window: OpenWindow) -> None:
    window = open_window(0)
    page = page_of(window)
    with qtbot.waitSignal(page.message_shown):
        page.inbox.table.selectRow(0)
    assert page.read_timer.pending is None
    assert read_rows(page) == [0]
    qtbot.waitUntil(lambda: window.notifier.unread == 4)


def test_the_delay_is_chosen_in_the_view_menu_and_remembered(
    qtbot: QtBot, open_window: OpenWindow
) -> None:
    window = open_window(None)
    page = page_of(window)
    texts = [action.text() for action in window.reading.delay_actions]
    assert texts == ["Immediately", "After 1 second", "After 3 seconds", "Never (only by hand)"]
    assert [a.isChecked() for a in window.reading.delay_actions] == [False, False, False, True]
    view_menu = next(
        action.menu() for action in window.menuBar().actions() if action.text() == "&View"
    )
    assert "Mark as read a&fter" in [action.text() for action in view_menu.actions()]
    window.reading.delay_actions[2].trigger()
    assert page.read_timer.delay_ms == 3000
    assert WindowSettings(open_settings()).mark_read_delay_ms() == 3000
    again = open_window(3000)
    assert [a.isChecked() for a in again.reading.delay_actions] == [False, False, True, False]


def test_choosing_a_shorter_delay_applies_to_the_message_being_read(
    qtbot: QtBot, open_window: OpenWindow
) -> None:
    window = open_window(3000)
    page = page_of(window)
    with qtbot.waitSignal(page.message_shown):
        page.inbox.table.selectRow(0)
    window.reading.delay_actions[0].trigger()  # Immediately
    qtbot.waitUntil(lambda: window.notifier.unread == 4)
    assert read_rows(page) == [0]


def test_the_mark_actions_have_free_keys_and_are_in_the_menus_and_the_list(
    open_window: OpenWindow,
) -> None:
    window = open_window(None)
    page = page_of(window)
    keys = [a.shortcut().toString() for a in window.actions() if not a.shortcut().isEmpty()]
    assert len(keys) == len(set(keys)), keys
    assert window.reading.mark_unread_action.shortcut().toString() == "Ctrl+U"
    assert window.reading.mark_read_action.shortcut().toString() == "Ctrl+Shift+U"
    message_menu = next(
        action.menu() for action in window.menuBar().actions() if action.text() == "&Message"
    )
    assert message_menu.actions()[-2:] == [
        window.reading.mark_read_action,
        window.reading.mark_unread_action,
    ]
    table = page.inbox.table
    assert table.contextMenuPolicy() == Qt.ContextMenuPolicy.ActionsContextMenu
    assert window.reading.mark_unread_action in table.actions()
    window.show_shortcuts()
    assert window.shortcuts_dialog is not None
    assert ("Ctrl+U", "Mark as unread") in window.shortcuts_dialog.rows()


def test_the_mark_actions_are_off_while_signed_out(qtbot: QtBot) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    assert not window.reading.mark_unread_action.isEnabled()
    assert not window.reading.mark_read_action.isEnabled()
