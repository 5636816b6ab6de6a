"""The main window: profile switching by click, shortcut and switcher; privileges follow it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from conftest import open_window
from gui_memory_workspace import CLINIC, HOSPITAL, LAB, MemoryWorkspace
from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot

from desktop.gui.application import app_icon
from desktop.gui.mainwindow.settings import open_settings
from desktop.gui.mainwindow.window import MainWindow
from desktop.gui.session.session import Session
from desktop.paths import settings_file

pytestmark = pytest.mark.gui


@pytest.fixture
def workspace() -> MemoryWorkspace:
    return MemoryWorkspace()


@pytest.fixture
def window(qtbot: QtBot, workspace: MemoryWorkspace) -> Iterator[MainWindow]:
    main = open_window(qtbot, lambda _window: Session(workspace))
    page = main.workspace_page
    assert page is not None
    qtbot.waitUntil(lambda: page.inbox_model.rowCount() > 0)
    yield main
    main.close()


def test_main_window_without_a_workspace_shows_title_only(qtbot: QtBot) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert window.windowTitle() == "Switchboard"
    assert not window.toolbar.isVisible()
    assert not app_icon().isNull()


def test_first_profile_active_and_shown_everywhere(window: MainWindow) -> None:
    active = window.active_profile
    assert active is not None
    assert active.id == HOSPITAL.id
    assert window.windowTitle().startswith("St Mary's Hospital (member)")
    assert "Ada Lovelace" in window.windowTitle()
    assert window.badge.text == "St Mary's Hospital · member"
    assert window.badge.isVisible()
    assert window.switcher.currentData() == HOSPITAL.id


def test_switch_by_click_makes_profile_active_and_filters(
    qtbot: QtBot, window: MainWindow, workspace: MemoryWorkspace
) -> None:
    page = window.workspace_page
    assert page is not None
    sidebar = page.sidebar
    rect = sidebar.visualRect(sidebar.profiles.index(3))
    with qtbot.waitSignal(page.inbox_model.page_loaded):
        qtbot.mouseClick(sidebar.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.active_profile is not None
    assert window.active_profile.id == LAB.id
    assert "North Lab" in window.windowTitle()
    assert {page.inbox_model.row_at(r).profile_id for r in range(page.inbox_model.rowCount())} == {
        LAB.id
    }
    assert page.inbox.scope.text() == "North Lab"
    qtbot.waitUntil(lambda: LAB.id in workspace.activated)


def test_switch_by_shortcut_and_admin_actions_follow(qtbot: QtBot, window: MainWindow) -> None:
    assert not window.audit_action.isVisible()
    assert not window.lookup_action.isVisible()
    assert not window.audit_action.isEnabled()

    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.active_profile is not None
    assert window.active_profile.id == CLINIC.id
    assert window.audit_action.isVisible()
    assert window.lookup_action.isEnabled()
    assert "ADMIN" in window.badge.text

    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert window.active_profile.id == LAB.id
    assert not window.audit_action.isVisible()
    assert not window.lookup_action.isEnabled()


def test_switch_by_toolbar_switcher(qtbot: QtBot, window: MainWindow) -> None:
    window.switcher.setFocus()
    qtbot.keyClick(window.switcher, Qt.Key.Key_Down)
    assert window.active_profile is not None
    assert window.active_profile.id == CLINIC.id
    assert window.audit_action.isVisible()


def test_all_inboxes_keeps_active_profile(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    page = window.workspace_page
    assert page is not None
    with qtbot.waitSignal(page.inbox_model.page_loaded):
        qtbot.keyClick(window, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert {page.inbox_model.row_at(r).profile_id for r in range(page.inbox_model.rowCount())} == {
        1,
        2,
        3,
    }
    assert window.active_profile is not None
    assert window.active_profile.id == CLINIC.id


def test_ctrl_f_focuses_search(qtbot: QtBot, window: MainWindow) -> None:
    page = window.workspace_page
    assert page is not None
    page.inbox.table.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert page.inbox.search.hasFocus()


def test_a_message_is_marked_read_once_it_stayed_open_and_unread_follows(
    qtbot: QtBot, window: MainWindow, workspace: MemoryWorkspace
) -> None:
    page = window.workspace_page
    assert page is not None
    unread_row = next(
        r for r in range(page.inbox_model.rowCount()) if not page.inbox_model.row_at(r).seen
    )
    message_id = page.inbox_model.row_at(unread_row).id
    before = window.notifier.unread
    with qtbot.waitSignal(page.message_shown):
        page.inbox.table.selectRow(unread_row)
    assert page.reader.headers.subject.text() == f"Message {message_id}"
    # Not by opening it: only once it has stayed open (1 s, the default).
    assert workspace.seen == []
    assert not page.inbox_model.row_at(unread_row).seen
    assert window.notifier.unread == before
    assert page.read_timer.pending == message_id
    # The mark is made on a worker; the list learns of it when the answer comes back.
    qtbot.waitUntil(
        lambda: workspace.seen == [message_id] and page.inbox_model.row_at(unread_row).seen
    )
    qtbot.waitUntil(lambda: window.notifier.unread == before - 1)
    assert workspace.calls_on_gui_thread == []


# The offscreen platform cannot raise a window; a desktop can.
@pytest.mark.qt_log_ignore("This plugin does not support raise")
def test_mute_per_profile_silences_its_notifications(qtbot: QtBot, window: MainWindow) -> None:
    clinic = next(p for p in window.profiles if p.id == CLINIC.id)
    assert window.notifier.new_mail(clinic, 2) is not None
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    assert window.mute_action.isChecked()
    assert window.notifier.new_mail(clinic, 2) is None
    note = window.notifier.new_mail(next(p for p in window.profiles if p.id == LAB.id), 3)
    assert note is not None
    assert "North Lab" in note.title
    assert "3 new messages" in note.text
    assert (
        QSettings(str(settings_file()), QSettings.Format.IniFormat).value("users/ada/muted") == "2"
    )
    window.notifier.open_last()
    assert window.active_profile is not None
    assert window.active_profile.id == LAB.id


def test_layout_reader_placement_and_last_profile_restored(
    qtbot: QtBot, window: MainWindow
) -> None:
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    page = window.workspace_page
    assert page is not None
    window.resize(761, 563)
    qtbot.waitUntil(lambda: window.width() == 761)
    page.splitter.setSizes([210, 590])
    sizes = page.splitter.sizes()
    below = next(a for a in window.reading.reader_actions if "low" in a.text())
    below.trigger()
    assert page.reader_below
    page.mail_splitter.setSizes([200, 300])
    mail_sizes = page.mail_splitter.sizes()
    window.close()

    again = MainWindow(settings=open_settings())
    qtbot.addWidget(again)
    again.show()
    again.open_session(Session(MemoryWorkspace()))
    qtbot.waitUntil(lambda: again.active_profile is not None)
    assert again.active_profile is not None
    assert again.active_profile.id == LAB.id
    assert (again.width(), again.height()) == (761, 563)
    restored = again.workspace_page
    assert restored is not None
    assert restored.splitter.sizes() == sizes
    assert restored.reader_below
    # The share of the height, not pixels: the restored window may lay out its bars anew.
    list_part, reader_part = restored.mail_splitter.sizes()
    assert list_part / (list_part + reader_part) == pytest.approx(
        mail_sizes[0] / sum(mail_sizes), abs=0.01
    )
    assert [a.isChecked() for a in again.reading.reader_actions] == [False, True]
    again.close()


def test_sync_status_shows_error_and_retry(qtbot: QtBot, window: MainWindow) -> None:
    status = window.sync_status
    status.started(CLINIC.id)
    status.progressed(CLINIC.id, 5, 10)
    assert status.progress.isVisible()
    assert status.progress.value() == 5
    status.failed(CLINIC.id, "wrong password")
    assert not status.progress.isVisible()
    button = status.button_for(CLINIC.id)
    assert "failed" in button.text()
    assert "wrong password" in button.toolTip()
    with qtbot.waitSignal(status.retry_requested) as retried:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert retried.args == [CLINIC.id]


def test_f6_moves_between_panes(qtbot: QtBot, window: MainWindow) -> None:
    page = window.workspace_page
    assert page is not None
    page.sidebar.setFocus()
    seen = []
    for _ in range(3):
        qtbot.keyClick(window, Qt.Key.Key_F6)
        seen.append(window.focusWidget())
    assert seen == [page.inbox.table, page.reader.browser, page.sidebar]


def test_sidebar_menu_mutes_and_syncs_a_profile_without_acting_as_it(
    qtbot: QtBot, window: MainWindow
) -> None:
    page = window.workspace_page
    assert page is not None
    menu = page.sidebar.profile_menu(page.sidebar.profiles.row_of(LAB.id) or 0)
    assert menu is not None
    actions = {a.text(): a for a in menu.actions()}
    actions["&Mute notifications"].trigger()
    lab = next(p for p in window.profiles if p.id == LAB.id)
    assert window.notifier.new_mail(lab, 1) is None
    assert window.active_profile is not None
    assert window.active_profile.id == HOSPITAL.id
    index = page.sidebar.profiles.index(page.sidebar.profiles.row_of(LAB.id) or 0)
    assert "muted" in index.data(Qt.ItemDataRole.AccessibleTextRole)
    with qtbot.waitSignal(page.sidebar.sync_requested) as asked:
        actions["&Sync now"].trigger()
    assert asked.args == [LAB.id]
    assert page.sidebar.profile_menu(0) is None


def test_f1_lists_the_shortcuts_the_role_can_use(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.keyClick(window, Qt.Key.Key_F1)
    dialog = window.shortcuts_dialog
    assert dialog is not None
    rows = dict(dialog.rows())
    assert rows["Ctrl+2"] == "2 Riverside Clinic (admin)"
    assert rows["Ctrl+F"] == "Search"
    assert rows["F6"] == "Next pane"
    assert "Ctrl+Shift+A" not in rows  # the hospital profile is a member: no admin tools
    assert "Space" in rows
