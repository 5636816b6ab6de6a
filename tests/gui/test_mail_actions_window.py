"""Mail actions in the window over the real services and a fresh store: keys, menus, the context
menu, several messages at once, undo, the questions before a delete for good, the move picker and
drag and drop. The server's side is in test_mail_actions_dovecot.py."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from accessibility import nameless_controls
from conftest import Seeded, open_window, services_session
from gui_memory_workspace import HOSPITAL, MemoryWorkspace
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from desktop.core.folders import FolderRole
from desktop.core.mail_views import MailView
from desktop.gui.inbox.model import Role
from desktop.gui.mainwindow.folder_pane import ViewRole
from desktop.gui.mainwindow.window import MainWindow
from desktop.gui.mainwindow.workspace_page import WorkspacePage
from desktop.gui.session.session import Session
from desktop.services.errors import AccountError
from desktop.store.models import Folder, Message
from desktop.store.session import unit_of_work

pytestmark = pytest.mark.gui


def page_of(window: MainWindow) -> WorkspacePage:
    page = window.workspace_page
    assert page is not None
    return page


def ready(qtbot: QtBot, seeded: Seeded, size: tuple[int, int] = (1280, 800)) -> MainWindow:
    window = open_window(qtbot, services_session(seeded), size)
    page = page_of(window)
    qtbot.waitUntil(lambda: page.inbox_model.rowCount() == 5)
    session = window.session
    assert session is not None
    qtbot.waitUntil(lambda: session.folders.tree is not None)
    return window


def subjects(page: WorkspacePage) -> list[str]:
    model = page.inbox_model
    return [model.row_at(row).subject for row in range(model.rowCount())]


def select(page: WorkspacePage, *rows: int) -> None:
    table = page.inbox.table
    table.setFocus()
    table.clearSelection()
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    for row in rows:
        table.selectionModel().select(page.inbox_model.index(row, 0), flags)
    table.selectionModel().setCurrentIndex(
        page.inbox_model.index(rows[0], 0), QItemSelectionModel.SelectionFlag.NoUpdate
    )


def folders_of(seeded: Seeded, subject_part: str) -> list[str]:
    with unit_of_work(seeded.services.session_factory) as session:
        return list(
            session.scalars(
                sa.select(Message.folder).where(Message.subject.contains(subject_part))
            ).all()
        )


def add_folder(seeded: Seeded, profile_id: int, name: str) -> None:
    with unit_of_work(seeded.services.session_factory) as session:
        session.add(Folder(profile_id=profile_id, name=name, delimiter="/", role=""))


def test_delete_key_moves_to_the_trash_and_ctrl_z_brings_it_back(
    qtbot: QtBot, seeded: Seeded
) -> None:
    window = ready(qtbot, seeded)
    page = page_of(window)
    undo = window.mail.undo_action
    assert not undo.isEnabled()
    assert undo.text() == "&Undo"
    first = subjects(page)[0]
    select(page, 0)
    qtbot.keyClick(page.inbox.table, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: first not in subjects(page))
    assert folders_of(seeded, first) == ["Trash"]
    qtbot.waitUntil(undo.isEnabled)
    assert undo.text() == "&Undo Delete"
    # The next message is chosen, as in every desktop mail program.
    assert page.inbox.selected_rows()[0].subject == subjects(page)[0]
    qtbot.keyClick(page.inbox.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: first in subjects(page))
    assert folders_of(seeded, first) == ["Imported"]
    assert not undo.isEnabled()
    window.close()


def test_archive_from_the_menu_takes_several_messages_and_the_counts_follow(
    qtbot: QtBot, seeded: Seeded
) -> None:
    window = ready(qtbot, seeded)
    page = page_of(window)
    unread_before = sum(p.unread for p in window.profiles)
    chosen = subjects(page)[:3]
    select(page, 0, 1, 2)
    assert window.mail.archive_action.isEnabled()
    window.mail.archive_action.trigger()
    qtbot.waitUntil(lambda: page.inbox_model.rowCount() == 2)
    assert not set(chosen) & set(subjects(page))
    for subject in chosen:
        assert folders_of(seeded, subject) == ["Archive"]
    qtbot.waitUntil(lambda: sum(p.unread for p in window.profiles) == unread_before - 3)
    assert window.mail.undo_action.text() == "&Undo Archive"
    tree = page.folder_pane
    qtbot.waitUntil(
        lambda: any(
            item.data(0, ViewRole) == MailView(FolderRole.ARCHIVE) and item.text(1) == "3"
            for item in tree._items()
        )
    )
    window.close()


def test_archive_key_s_flags_and_m_marks_read_on_the_selection(
    qtbot: QtBot, seeded: Seeded
) -> None:
    window = ready(qtbot, seeded)
    page = page_of(window)
    model = page.inbox_model
    select(page, 1, 2)
    qtbot.keyClick(page.inbox.table, Qt.Key.Key_S)
    qtbot.waitUntil(lambda: all(model.index(r, 0).data(Role.FLAGGED) for r in (1, 2)))
    assert not model.index(0, 0).data(Role.FLAGGED)
    assert "flagged" in str(model.index(1, 0).data(Qt.ItemDataRole.AccessibleTextRole))
    assert window.mail.flag_action.text() == "Unfla&g"
    qtbot.keyClick(page.inbox.table, Qt.Key.Key_M)
    qtbot.waitUntil(lambda: all(model.row_at(r).seen for r in (1, 2)))
    qtbot.keyClick(page.inbox.table, Qt.Key.Key_M)
    qtbot.waitUntil(lambda: not any(model.row_at(r).seen for r in (1, 2)))
    with unit_of_work(seeded.services.session_factory) as session:
        flagged = session.scalars(sa.select(Message.subject).where(Message.flagged)).all()
    assert sorted(flagged) == sorted(model.row_at(r).subject for r in (1, 2))
    archived = model.row_at(0).subject
    select(page, 0)
    qtbot.keyClick(page.inbox.table, Qt.Key.Key_A)
    qtbot.waitUntil(lambda: archived not in subjects(page))
    window.close()


def test_the_letters_do_nothing_while_typing_in_the_search_field(
    qtbot: QtBot, seeded: Seeded
) -> None:
    window = ready(qtbot, seeded)
    page = page_of(window)
    select(page, 0)
    fired: list[str] = []
    for action in window.mail.message_actions:
        action.triggered.connect(lambda _c=False, a=action: fired.append(a.text()))
    page.inbox.search.setFocus()
    qtbot.keyClicks(page.inbox.search, "ams")
    qtbot.keyClick(page.inbox.search, Qt.Key.Key_Delete)
    assert page.inbox.search.text() == "ams"
    assert fired == []
    page.inbox.table.setFocus()
    qtbot.keyClick(page.inbox.table, Qt.Key.Key_S)  # the same key in the list flags
    assert fired == ["Fla&g"]
    window.close()


def _confirmation(qtbot: QtBot, window: MainWindow) -> QMessageBox:
    qtbot.waitUntil(lambda: window.mail.confirmation is not None)
    box = window.mail.confirmation
    assert box is not None
    qtbot.waitExposed(box)
    return box


def test_deleting_in_the_trash_asks_first_and_both_answers_do_what_they_say(
    qtbot: QtBot, seeded: Seeded
) -> None:
    window = ready(qtbot, seeded)
    page = page_of(window)
    select(page, 0, 1)
    doomed = subjects(page)[:2]
    window.mail.delete_action.trigger()
    qtbot.waitUntil(lambda: page.inbox_model.rowCount() == 3)
    page.folder_pane.choose(MailView(FolderRole.TRASH))
    qtbot.waitUntil(lambda: sorted(subjects(page)) == sorted(doomed))
    select(page, 0, 1)
    qtbot.keyClick(page.inbox.table, Qt.Key.Key_Delete)
    box = _confirmation(qtbot, window)
    assert box.text() == "Delete 2 messages for good?"
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
    assert nameless_controls(box) == []
    qtbot.keyClick(box, Qt.Key.Key_Return)  # the default: keep them
    qtbot.waitUntil(lambda: window.mail.confirmation is None)
    assert sorted(subjects(page)) == sorted(doomed)
    assert folders_of(seeded, doomed[0]) == ["Trash"]
    window.mail.delete_action.trigger()
    box = _confirmation(qtbot, window)
    destroy = next(b for b in box.buttons() if b.text() == "Delete for good")
    qtbot.mouseClick(destroy, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.inbox_model.rowCount() == 0)
    assert folders_of(seeded, doomed[0]) == folders_of(seeded, doomed[1]) == []
    assert not window.mail.undo_action.isEnabled()
    assert page.reader.message is None
    window.close()


def test_shift_delete_asks_and_then_deletes_for_good_from_any_folder(
    qtbot: QtBot, seeded: Seeded
) -> None:
    window = ready(qtbot, seeded)
    page = page_of(window)
    select(page, 0)
    gone = subjects(page)[0]
    qtbot.keyClick(page.inbox.table, Qt.Key.Key_Delete, Qt.KeyboardModifier.ShiftModifier)
    box = _confirmation(qtbot, window)
    assert box.text() == "Delete this message for good?"
    qtbot.keyClick(box, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: window.mail.confirmation is None)
    assert folders_of(seeded, gone) == ["Imported"]
    window.mail.delete_forever_action.trigger()
    box = _confirmation(qtbot, window)
    qtbot.mouseClick(
        next(b for b in box.buttons() if b.text() == "Delete for good"), Qt.MouseButton.LeftButton
    )
    qtbot.waitUntil(lambda: gone not in subjects(page))
    qtbot.waitUntil(lambda: folders_of(seeded, gone) == [])
    window.close()


def test_the_move_picker_lists_the_profiles_folders_filters_as_one_types_and_enter_moves(
    qtbot: QtBot, seeded: Seeded
) -> None:
    add_folder(seeded, seeded.hospital_id, "Projects")
    add_folder(seeded, seeded.hospital_id, "Rota")
    add_folder(seeded, seeded.clinic_id, "Clinic only")
    window = ready(qtbot, seeded)
    page = page_of(window)
    row = next(r for r in range(5) if page.inbox_model.row_at(r).profile_id == seeded.hospital_id)
    moving = page.inbox_model.row_at(row).subject
    select(page, row)
    qtbot.keyClick(
        page.inbox.table,
        Qt.Key.Key_V,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    qtbot.waitUntil(lambda: window.mail.picker is not None and window.mail.picker.isVisible())
    picker = window.mail.picker
    assert picker is not None
    assert nameless_controls(picker) == []
    texts = [picker.folders.item(r).text() for r in range(picker.folders.count())]
    heading = texts.index("Copy to Riverside Clinic\nada@riverside.example")
    assert texts.index("    Clinic only") > heading  # another profile's: a copy, under its name
    assert texts.index("Projects") < heading
    assert {"Projects", "Rota", "Archive", "Trash"} <= set(picker.visible_texts())
    assert picker.focusWidget() is picker.filter
    qtbot.keyClicks(picker.filter, "proj")
    assert picker.visible_texts() == ["Projects"]
    qtbot.keyClick(picker.filter, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: moving not in subjects(page))
    assert folders_of(seeded, moving) == ["Projects"]
    assert window.mail.undo_action.text() == "&Undo Move"

    select(page, 0)
    before = subjects(page)
    window.mail.move_action.trigger()
    qtbot.waitUntil(lambda: window.mail.picker is not None and window.mail.picker.isVisible())
    picker = window.mail.picker
    assert picker is not None
    qtbot.keyClicks(picker.filter, "zzz")
    assert picker.visible_texts() == []
    assert picker.note.text() == "No folder matches “zzz”."
    assert not picker.move_button.isEnabled()
    qtbot.keyClick(picker.filter, Qt.Key.Key_Return)  # nothing to move to: nothing happens
    assert picker.isVisible()
    qtbot.keyClick(picker.filter, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not picker.isVisible())
    assert subjects(page) == before
    window.close()


def test_several_profiles_go_to_their_archive_or_trash_and_a_folder_by_name_is_refused(
    qtbot: QtBot, seeded: Seeded
) -> None:
    add_folder(seeded, seeded.hospital_id, "Projects")
    window = ready(qtbot, seeded)
    page = page_of(window)
    select(page, 0, 1)
    rows = page.inbox.selected_rows()
    assert len({r.profile_id for r in rows}) == 2
    window.mail.move_action.trigger()
    qtbot.waitUntil(lambda: window.mail.picker is not None and window.mail.picker.isVisible())
    picker = window.mail.picker
    assert picker is not None
    assert picker.visible_texts() == ["Archive", "Trash"]
    assert "2 profiles" in picker.note.text()
    qtbot.keyClicks(picker.filter, "tra")
    qtbot.keyClick(picker.filter, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.inbox_model.rowCount() == 3)
    assert all(folders_of(seeded, r.subject) == ["Trash"] for r in rows)

    select(page, 0, 1)
    spanning = page.inbox.selected_rows()
    if len({r.profile_id for r in spanning}) == 2:
        session = window.session
        assert session is not None
        with qtbot.waitSignal(session.failed) as said:
            session.mail_actions.move(spanning, MailView.of_folder(seeded.hospital_id, "Projects"))
        assert "belong to 2 profiles" in said.args[0]
        assert page.inbox_model.rowCount() == 3
    window.close()


def test_a_drop_on_a_folder_moves_and_on_another_profiles_folder_is_refused(
    qtbot: QtBot, seeded: Seeded
) -> None:
    add_folder(seeded, seeded.hospital_id, "Projects")
    add_folder(seeded, seeded.clinic_id, "Invoices")
    window = ready(qtbot, seeded)
    page = page_of(window)
    pane = page.folder_pane
    qtbot.waitUntil(lambda: "Invoices" in [i.text(0) for i in pane._items()])
    model = page.inbox_model
    row = next(r for r in range(5) if model.row_at(r).profile_id == seeded.hospital_id)
    dragged = model.row_at(row).subject
    data = model.mimeData([model.index(row, 0)])
    invoices = next(i for i in pane._items() if i.text(0) == "Invoices")
    session = window.session
    assert session is not None
    with qtbot.waitSignal(session.failed) as said:  # a copy, refused: no server to keep it
        assert pane.dropMimeData(invoices, -1, data, Qt.DropAction.MoveAction)
    assert "Riverside Clinic (ada@riverside.example) has no mail server set up" in said.args[0]
    assert window.mail.copying.confirmation is None  # refused before anyone is asked
    assert folders_of(seeded, dragged) == ["Imported"]
    heading = next(i for i in pane._items() if i.text(0) == "All profiles")
    assert not pane.dropMimeData(heading, -1, data, Qt.DropAction.MoveAction)
    assert not heading.flags() & Qt.ItemFlag.ItemIsDropEnabled
    projects = next(i for i in pane._items() if i.text(0) == "Projects")
    assert projects.flags() & Qt.ItemFlag.ItemIsDropEnabled
    assert pane.dropMimeData(projects, -1, data, Qt.DropAction.MoveAction)
    qtbot.waitUntil(lambda: dragged not in subjects(page))
    assert folders_of(seeded, dragged) == ["Projects"]
    window.close()


def test_the_context_menu_offers_every_action_and_the_toolbar_the_four_buttons(
    qtbot: QtBot, seeded: Seeded
) -> None:
    window = ready(qtbot, seeded)
    page = page_of(window)
    texts = [a.text().replace("&", "") for a in page.inbox.table.actions() if not a.isSeparator()]
    assert texts == [
        "Reply",
        "Reply all",
        "Forward",
        "Delete",
        "Archive",
        "Move to…",
        "Mark as read",
        "Mark as unread",
        "Flag",
    ]
    toolbar = [a.text().replace("&", "") for a in window.toolbar.actions()]
    assert {"Delete", "Archive", "Move to…", "Flag"} <= set(toolbar)
    select(page, 0)
    window.show_shortcuts()
    assert window.shortcuts_dialog is not None
    rows = window.shortcuts_dialog.rows()
    listed = {does: keys for keys, does in rows}
    assert listed["Delete"] == QKeySequence("Del").toString(QKeySequence.SequenceFormat.NativeText)
    assert listed["Archive"] == "A"
    assert listed["Move to…"] == "Ctrl+Shift+V"
    assert listed["Mark read or unread"] == "M"
    window.close()


def test_a_failed_action_is_said_once_and_the_list_shows_the_store_again(qtbot: QtBot) -> None:
    workspace = MemoryWorkspace(profiles=(HOSPITAL,), count=4)
    workspace.fail_with = AccountError("The store is busy.")
    window = open_window(qtbot, lambda _w: Session(workspace))
    page = page_of(window)
    qtbot.waitUntil(lambda: page.inbox_model.rowCount() == 4)
    said: list[str] = []
    session = window.session
    assert session is not None
    session.failed.connect(said.append)
    select(page, 0, 1)
    window.mail.archive_action.trigger()
    qtbot.waitUntil(lambda: bool(said))
    qtbot.waitUntil(lambda: page.inbox_model.rowCount() == 4 and not page.inbox_model.loading)
    assert len(said) == 1
    assert said[0].startswith("Could not archive the messages: The store is busy.")
    assert window.statusBar().currentMessage() == said[0]
    window.close()


def test_conversations_take_the_same_actions_and_signing_out_disables_them(
    qtbot: QtBot, seeded: Seeded
) -> None:
    window = ready(qtbot, seeded)
    window.conversations.action.trigger()
    listing, model = window.conversations.list, window.conversations.model
    assert listing is not None
    assert model is not None
    qtbot.waitUntil(lambda: model.rowCount() == 5)
    listing.setFocus()
    listing.setCurrentIndex(model.index(0, 0))
    qtbot.waitUntil(lambda: model.only_message(0) is not None)
    gone = model.row_at(0).subject
    qtbot.waitUntil(window.mail.delete_action.isEnabled)
    assert window.mail.delete_action in listing.actions()
    qtbot.keyClick(listing, Qt.Key.Key_Delete)
    # Conversations gather a profile's mail from every folder (the thread view's own rule), so
    # the conversation stays, its message now in the Trash.
    qtbot.waitUntil(lambda: window.mail.undo_action.text() == "&Undo Delete")
    assert folders_of(seeded, gone) == ["Trash"]
    window.close_session()
    qtbot.waitUntil(lambda: not window.mail.undo_action.isEnabled())
    assert not window.mail.delete_action.isEnabled()
    window.close()
