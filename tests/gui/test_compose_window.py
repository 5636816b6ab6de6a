"""The compose window: a reply is from the profile that received the original, leaving its
organization needs a confirmation that names both, a bad address keeps every word typed, and a
sent message is in the outbox with its draft gone."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from email.parser import BytesParser
from email.policy import default
from pathlib import Path

import pytest
from conftest import Seeded, open_window, services_session
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desktop.gui.compose.opener import ComposeOpener
from desktop.gui.compose.window import ComposeWindow
from desktop.gui.mainwindow.window import MainWindow
from desktop.gui.mainwindow.workspace_page import WorkspacePage
from desktop.gui.session.records import OutboxState
from desktop.store.models import OutboxMessage
from desktop.store.session import unit_of_work

pytestmark = pytest.mark.gui


@pytest.fixture
def window(qtbot: QtBot, seeded: Seeded) -> Iterator[MainWindow]:
    """The hospital is active; the list holds mail of both profiles."""
    main = open_window(qtbot, services_session(seeded))
    page = page_of(main)
    qtbot.waitUntil(lambda: page.inbox_model.rowCount() == 5)
    yield main
    main.close()


@pytest.fixture
def opener(window: MainWindow) -> ComposeOpener:
    return ComposeOpener(window)


def page_of(window: MainWindow) -> WorkspacePage:
    page = window.workspace_page
    assert page is not None
    return page


def show_message(qtbot: QtBot, window: MainWindow, subject: str) -> None:
    page = page_of(window)
    model = page.inbox_model
    row = next(r for r in range(model.rowCount()) if model.row_at(r).subject == subject)
    with qtbot.waitSignal(page.message_shown):
        page.inbox.table.selectRow(row)


def composed(qtbot: QtBot, opener: ComposeOpener, count: int = 1) -> ComposeWindow:
    qtbot.waitUntil(lambda: len(opener.windows) == count)
    compose = opener.windows[-1]
    qtbot.waitUntil(lambda: compose.draft is not None)
    return compose


def answer_box(qtbot: QtBot, choose: Callable[[QMessageBox], None]) -> list[str]:
    """Answers the next message box as the person would; returns its text when it was shown."""
    seen: list[str] = []

    def look() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            seen.append(box.text())
            choose(box)
        else:
            QTimer.singleShot(20, look)

    QTimer.singleShot(0, look)
    return seen


def button_named(box: QMessageBox, start: str) -> None:
    button = next(b for b in box.buttons() if b.text().startswith(start))
    button.click()


def test_ctrl_r_answers_from_the_profile_that_received_the_message_not_the_active_one(
    qtbot: QtBot, window: MainWindow, opener: ComposeOpener, seeded: Seeded
) -> None:
    assert window.active_profile is not None
    assert window.active_profile.id == seeded.hospital_id
    show_message(qtbot, window, "Clinic invoice 2")
    qtbot.keyClick(window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    compose = composed(qtbot, opener)
    draft = compose.draft
    assert draft is not None
    assert draft.from_profile_id == seeded.clinic_id
    assert compose.sender_picker.chip.text() == "Riverside Clinic · ADMIN"
    assert compose.subject.text() == "Re: Clinic invoice 2"
    assert compose.to.addresses == draft.to
    assert draft.to
    assert "wrote:" in compose.body.text.toPlainText()
    compose.close()


def test_leaving_the_originals_organization_asks_first_and_keeping_it_changes_nothing(
    qtbot: QtBot, window: MainWindow, opener: ComposeOpener, seeded: Seeded
) -> None:
    show_message(qtbot, window, "Clinic invoice 2")
    window.reply_action.trigger()
    compose = composed(qtbot, opener)
    picker = compose.sender_picker.profiles
    hospital = picker.findData(seeded.hospital_id)

    seen = answer_box(qtbot, lambda box: button_named(box, "Keep Riverside Clinic"))
    picker.setCurrentIndex(hospital)
    picker.activated.emit(hospital)
    qtbot.waitUntil(lambda: bool(seen))
    assert "Riverside Clinic" in seen[0]
    assert "St Mary's Hospital" in seen[0]
    qtbot.waitUntil(lambda: picker.currentData() == seeded.clinic_id)
    draft = compose.draft
    assert draft is not None
    assert draft.from_profile_id == seeded.clinic_id

    answer_box(qtbot, lambda box: button_named(box, "Send from St Mary's Hospital"))
    picker.setCurrentIndex(hospital)
    picker.activated.emit(hospital)
    qtbot.waitUntil(lambda: compose.draft is not None and compose.draft.organization_confirmed)
    chip = compose.sender_picker.chip
    qtbot.waitUntil(lambda: chip.text() == "St Mary's Hospital · member")

    compose.send()
    qtbot.waitUntil(lambda: not opener.windows)
    [entry] = seeded.services.outbox.list_outbox(seeded.actor)
    assert entry.profile_id == seeded.hospital_id
    assert entry.state is OutboxState.QUEUED


def test_a_bad_address_is_named_and_everything_typed_stays(
    qtbot: QtBot, window: MainWindow, opener: ComposeOpener, seeded: Seeded
) -> None:
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    compose = composed(qtbot, opener)
    draft = compose.draft
    assert draft is not None
    assert draft.from_profile_id == seeded.hospital_id
    compose.to.setText("ward@stmarys.example, not an address")
    compose.subject.setText("Night rota")
    compose.body.text.setPlainText("The rota is attached.")
    qtbot.keyClick(compose.body.text, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(compose.problem.isVisible)
    assert "“not an address”" in compose.problem.text()
    assert compose.isVisible()
    assert compose.subject.text() == "Night rota"
    assert compose.body.text.toPlainText() == "The rota is attached."
    assert seeded.services.outbox.list_outbox(seeded.actor) == []
    compose.close()


def test_closing_keeps_the_draft_and_the_drafts_menu_reopens_it_whole(
    qtbot: QtBot, window: MainWindow, opener: ComposeOpener, seeded: Seeded
) -> None:
    window.compose_action.trigger()
    compose = composed(qtbot, opener)
    compose.to.setText("ward@stmarys.example")
    compose.subject.setText("Handover")
    compose.body.text.setPlainText("Bed 4 needs a review.")
    compose.close()
    composer = seeded.services.composer
    qtbot.waitUntil(lambda: len(composer.list_drafts(seeded.actor)) == 1)

    menu = window.drafts_menu
    menu.aboutToShow.emit()
    qtbot.waitUntil(lambda: any(a.text().startswith("Handover") for a in menu.actions()))
    next(a for a in menu.actions() if a.text().startswith("Handover")).trigger()
    again = composed(qtbot, opener)
    assert again.subject.text() == "Handover"
    assert again.body.text.toPlainText() == "Bed 4 needs a review."
    assert again.to.addresses == ("ward@stmarys.example",)

    again.send()
    qtbot.waitUntil(lambda: not opener.windows)
    assert composer.list_drafts(seeded.actor) == []
    [entry] = seeded.services.outbox.list_outbox(seeded.actor)
    assert entry.subject == "Handover"


def test_a_file_attached_goes_with_the_message_and_delete_takes_one_off(
    qtbot: QtBot,
    window: MainWindow,
    opener: ComposeOpener,
    seeded: Seeded,
    tmp_path: Path,
) -> None:
    rota, notes = tmp_path / "Dienstplan Zoë.pdf", tmp_path / "notes.txt"
    rota.write_bytes(b"%PDF-1.4 rota")
    notes.write_text("notes")
    window.compose_action.trigger()
    compose = composed(qtbot, opener)
    compose.attach_files([rota, notes])
    qtbot.waitUntil(lambda: compose.attachments.count() == 2)
    assert compose.attachments.isVisible()
    compose.attachments.setCurrentRow(1)
    qtbot.keyClick(compose.attachments, Qt.Key.Key_Delete)
    assert compose.attachments.count() == 1
    compose.to.setText("ward@stmarys.example")
    compose.subject.setText("Rota")
    compose.send()
    qtbot.waitUntil(lambda: not opener.windows)
    with unit_of_work(seeded.services.session_factory) as session:
        [data] = session.scalars(select(OutboxMessage.data))
    sent = BytesParser(policy=default).parsebytes(data)
    [attached] = list(sent.iter_attachments())
    assert attached.get_filename() == "Dienstplan Zoë.pdf"
    assert attached.get_content_type() == "application/pdf"
    assert attached.get_content() == b"%PDF-1.4 rota"


def test_formatted_text_goes_out_as_clean_html_with_a_plain_copy(
    qtbot: QtBot, window: MainWindow, opener: ComposeOpener, seeded: Seeded
) -> None:
    window.compose_action.trigger()
    compose = composed(qtbot, opener)
    editor = compose.body
    assert not editor.is_rich
    assert not editor.bold.isEnabled()
    qtbot.keyClick(
        editor.text,
        Qt.Key.Key_T,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert editor.is_rich
    assert editor.bold.isEnabled()
    editor.text.selectAll()
    editor.text.insertPlainText("Bed 4: ")
    qtbot.keyClick(editor.text, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(editor.text, "urgent")
    compose.to.setText("ward@stmarys.example")
    compose.subject.setText("Review")
    compose.send()
    qtbot.waitUntil(lambda: not opener.windows)

    with unit_of_work(seeded.services.session_factory) as session:
        [data] = session.scalars(select(OutboxMessage.data))
    sent = BytesParser(policy=default).parsebytes(data)
    assert sent.get_content_type() == "multipart/alternative"
    html = sent.get_body(("html",))
    plain = sent.get_body(("plain",))
    assert html is not None
    assert plain is not None
    assert "font-weight:700" in html.get_content()
    assert "urgent" in html.get_content()
    assert "<style" not in html.get_content()
    assert plain.get_content().strip().startswith("Bed 4: urgent")


def test_back_to_plain_text_asks_and_keeps_the_words(
    qtbot: QtBot, window: MainWindow, opener: ComposeOpener
) -> None:
    window.compose_action.trigger()
    editor = composed(qtbot, opener).body
    editor.rich.setChecked(True)
    editor.text.setHtml("<p><b>Bed 4</b> is free</p>")
    refused = answer_box(qtbot, lambda box: button_named(box, "Cancel"))
    editor.rich.setChecked(False)
    assert refused == [
        "Bold, italics and lists will be removed from this message. The words stay as they are."
    ]
    assert editor.is_rich
    assert "font-weight" in editor.body

    accepted = answer_box(qtbot, lambda box: button_named(box, "&Yes"))
    editor.rich.setChecked(False)
    assert accepted
    assert not editor.is_rich
    assert editor.body == "Bed 4 is free"
    assert not editor.bold.isEnabled()
