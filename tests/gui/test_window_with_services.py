"""The main window over the real services and a real store: order, filter, search, read, roles."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from conftest import Seeded, open_window, services_session
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.gui.mainwindow.window import MainWindow
from desktop.gui.mainwindow.workspace_page import WorkspacePage
from desktop.gui.session.services_workspace import ServicesWorkspace

pytestmark = pytest.mark.gui


@pytest.fixture
def window(qtbot: QtBot, seeded: Seeded) -> Iterator[MainWindow]:
    main = open_window(qtbot, services_session(seeded))
    qtbot.waitUntil(lambda: page_of(main).inbox_model.rowCount() == 5)
    yield main
    main.close()


def page_of(window: MainWindow) -> WorkspacePage:
    page = window.workspace_page
    assert page is not None
    return page


def subjects(page: WorkspacePage) -> list[str]:
    model = page.inbox_model
    return [model.row_at(r).subject for r in range(model.rowCount())]


def test_unified_inbox_is_newest_first_across_profiles(window: MainWindow) -> None:
    assert subjects(page_of(window)) == [
        "Ward report 5",
        "Clinic invoice 4",
        "Ward report 3",
        "Clinic invoice 2",
        "Ward report 1",
    ]
    assert window.notifier.unread == 5


def test_filter_and_search(qtbot: QtBot, window: MainWindow, seeded: Seeded) -> None:
    page = page_of(window)
    with qtbot.waitSignal(page.inbox_model.page_loaded):
        page.sidebar.select_profile(seeded.clinic_id)
    assert subjects(page) == ["Clinic invoice 4", "Clinic invoice 2"]
    with qtbot.waitSignal(page.inbox_model.page_loaded):
        page.sidebar.show_all()
    window.find_action.trigger()
    with qtbot.waitSignal(page.inbox_model.page_loaded):
        qtbot.keyClicks(page.inbox.search, "ward")
        qtbot.keyClick(page.inbox.search, Qt.Key.Key_Return)
    assert subjects(page) == ["Ward report 5", "Ward report 3", "Ward report 1"]


def test_admin_actions_only_under_admin_profile_and_switch_audited(
    qtbot: QtBot, window: MainWindow, seeded: Seeded
) -> None:
    assert window.active_profile is not None
    assert window.active_profile.id == seeded.hospital_id
    assert not window.audit_action.isVisible()
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.active_profile.id == seeded.clinic_id
    assert window.session is not None
    workspace = window.session.workspace
    assert isinstance(workspace, ServicesWorkspace)
    # At once, not when the audited switch finishes: a call submitted now acts as the clinic.
    assert workspace.actor.active_profile_id == seeded.clinic_id
    assert window.audit_action.isVisible()
    assert window.lookup_action.isVisible()
    qtbot.waitUntil(
        lambda: any(
            e.action == "switch profile" and e.target == f"profile {seeded.clinic_id}"
            for e in seeded.services.audit.list_events(seeded.actor)
        )
    )
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert not window.audit_action.isVisible()


def test_a_message_that_stayed_open_is_marked_read_in_the_store(
    qtbot: QtBot, window: MainWindow, seeded: Seeded
) -> None:
    page = page_of(window)
    with qtbot.waitSignal(page.message_shown):
        page.inbox.table.selectRow(1)
    assert page.reader.headers.subject.text() == "Clinic invoice 4"
    assert "Body 4" in page.reader.browser.toPlainText()
    assert not page.inbox_model.row_at(1).seen  # opening alone marks nothing (1 s by default)
    qtbot.waitUntil(lambda: window.notifier.unread == 4)
    assert page.inbox_model.row_at(1).seen
    assert seeded.services.mailbox.unread_counts(seeded.actor)[seeded.clinic_id] == 1


def test_ctrl_click_in_the_sidebar_lists_several_profiles(
    qtbot: QtBot, window: MainWindow, seeded: Seeded
) -> None:
    page = page_of(window)
    sidebar = page.sidebar
    with qtbot.waitSignal(page.inbox_model.page_loaded):
        sidebar.select_profile(seeded.hospital_id)
    assert len(subjects(page)) == 3
    second = sidebar.visualRect(
        sidebar.profiles.index(sidebar.profiles.row_of(seeded.clinic_id) or 0)
    )
    with qtbot.waitSignal(page.inbox_model.page_loaded):
        qtbot.mouseClick(
            sidebar.viewport(),
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.ControlModifier,
            second.center(),
        )
    assert page.inbox.scope.text() == "2 profiles"
    assert len(subjects(page)) == 5


def test_reader_empties_when_its_profile_leaves_the_list(
    qtbot: QtBot, window: MainWindow, seeded: Seeded
) -> None:
    page = page_of(window)
    with qtbot.waitSignal(page.message_shown):
        page.inbox.table.selectRow(0)
    assert page.reader.message is not None
    assert page.reader.message.profile_id == seeded.hospital_id
    with qtbot.waitSignal(page.inbox_model.page_loaded):
        page.sidebar.select_profile(seeded.clinic_id)
    assert page.reader.message is None


def test_a_reload_keeps_the_message_being_read_selected(qtbot: QtBot, window: MainWindow) -> None:
    page = page_of(window)
    with qtbot.waitSignal(page.message_shown):
        page.inbox.table.selectRow(2)
    reading = page.inbox_model.row_at(2).id
    shown: list[int] = []
    page.message_shown.connect(shown.append)
    with qtbot.waitSignal(page.inbox_model.page_loaded):
        page.inbox_model.reload()
    current = page.inbox.table.currentIndex()
    assert page.inbox_model.row_at(current.row()).id == reading
    assert page.inbox.table.selectionModel().isRowSelected(current.row())
    qtbot.wait(100)
    assert shown == []
