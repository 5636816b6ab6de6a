"""File > Import mail…: the dialog chooses sources and the target profile, points out mail of
another profile before importing, shows progress with Cancel inside the window, and the inbox
and unread counts follow."""

from __future__ import annotations

import mailbox
from pathlib import Path

import pytest
from conftest import Seeded, mail, open_window, services_session
from PySide6.QtCore import QLocale, QMimeData, QPoint, QPointF, QRect, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from desktop.gui.mailimport import wording
from desktop.gui.mailimport.dialog import MailImportDialog
from desktop.gui.mailimport.opener import MailImport
from desktop.gui.mainwindow.window import MainWindow
from desktop.gui.session.records import ImportPreview, ImportResult
from desktop.gui.session.viewdata import ProfileCard

pytestmark = pytest.mark.gui

HOSPITAL = "ada@stmarys.example"
CLINIC = "ada@riverside.example"


@pytest.fixture
def window(qtbot: QtBot, seeded: Seeded) -> MainWindow:
    main = open_window(qtbot, services_session(seeded))
    qtbot.waitUntil(lambda: len(main.profiles) == 2 and main.workspace_page is not None)
    return main


def open_dialog(qtbot: QtBot, window: MainWindow) -> MailImportDialog:
    opener = MailImport(window)
    window.import_action.trigger()
    dialog = opener.dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    return dialog


def write_mbox(path: Path, recipients: list[str], first: int = 100) -> Path:
    """Raw mbox text, written directly: tens of thousands of messages in a blink."""
    with path.open("wb") as out:
        for number, to in enumerate(recipients, start=first):
            out.write(
                b"From sender@example.org Tue Mar  3 10:00:00 2026\n"
                b"From: Ward Desk <ward@example.org>\n"
                + f"To: Ada <{to}>\nSubject: Bulk note {number}\n".encode()
                + f"Message-ID: <bulk-{number}@example.org>\n\nBody {number}\n\n".encode()
            )
    return path


def inside(widget: QWidget, dialog: MailImportDialog) -> bool:
    top_left = widget.mapTo(dialog, QPoint(0, 0))
    return dialog.rect().contains(QRect(top_left, widget.size()))


def test_import_goes_to_the_chosen_profile_and_fills_the_inbox(
    qtbot: QtBot, window: MainWindow, seeded: Seeded, tmp_path: Path
) -> None:
    path = tmp_path / "more.mbox"
    box = mailbox.mbox(path)
    for number in range(10, 40):
        box.add(mail(number, f"Imported note {number}"))
    box.close()
    dialog = open_dialog(qtbot, window)
    assert [dialog.target.itemText(i) for i in range(dialog.target.count())] == [
        f"St Mary's Hospital — {HOSPITAL}",
        f"Riverside Clinic — {CLINIC}",
    ]
    active = window.active_profile
    assert active is not None
    assert dialog.target.currentData() == active.id == seeded.hospital_id
    assert not dialog.import_button.isEnabled()  # nothing chosen yet

    dialog.target.setCurrentIndex(dialog.target.findData(seeded.clinic_id))
    dialog.add_sources([path])
    qtbot.waitUntil(dialog.import_button.isEnabled)
    assert dialog.warning.isHidden()  # addressed to neither profile of Ada's
    with qtbot.waitSignal(dialog.imported, timeout=20000) as done:
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert getattr(done.args[0], "added", None) == 30
    assert dialog.status.text() == "Imported 30 messages; 0 were already there."
    page = window.workspace_page
    assert page is not None
    qtbot.waitUntil(lambda: page.inbox_model.rowCount() == 35)
    qtbot.waitUntil(lambda: {p.id: p.unread for p in window.profiles}[seeded.clinic_id] == 32)

    with qtbot.waitSignal(dialog.imported, timeout=20000):
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert dialog.status.text() == "Imported 0 messages; 30 were already there."


def test_mail_for_another_profile_is_pointed_out_and_the_target_can_be_switched(
    qtbot: QtBot, window: MainWindow, seeded: Seeded, tmp_path: Path
) -> None:
    path = write_mbox(tmp_path / "mixed.mbox", [CLINIC] * 38 + [HOSPITAL] * 12)
    dialog = open_dialog(qtbot, window)
    dialog.add_sources([path])
    assert dialog.warning.text() == "Checking whom the mail is addressed to…"
    assert not dialog.import_button.isEnabled()  # not before the mail was looked at
    qtbot.waitUntil(dialog.import_button.isEnabled)
    assert dialog.warning.text() == (
        f"38 of the 50 messages are addressed to {CLINIC} (Riverside Clinic). "
        "Import them into St Mary's Hospital anyway?"
    )
    assert dialog.switch_button.isVisible()
    assert dialog.switch_button.text() == "Import into Riverside Clinic instead"

    qtbot.mouseClick(dialog.switch_button, Qt.MouseButton.LeftButton)
    assert dialog.target.currentData() == seeded.clinic_id
    assert dialog.warning.text() == (
        f"12 of the 50 messages are addressed to {HOSPITAL} (St Mary's Hospital). "
        "Import them into Riverside Clinic anyway?"
    )
    assert dialog.switch_button.text() == "Import into St Mary's Hospital instead"

    dialog.sources.selectAll()
    qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
    assert dialog.sources.count() == 0
    assert dialog.warning.isHidden()
    assert not dialog.import_button.isEnabled()


def test_a_source_that_cannot_be_read_is_said_in_words_and_blocks_import(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    dialog = open_dialog(qtbot, window)
    dialog.add_sources([tmp_path / "gone.mbox"])
    qtbot.waitUntil(lambda: "does not exist" in dialog.warning.text())
    assert dialog.warning.text().startswith(str(tmp_path / "gone.mbox"))
    assert "Error" not in dialog.warning.text()
    assert not dialog.import_button.isEnabled()


@pytest.mark.parametrize("size", [(800, 600), (1280, 800)], ids=["800x600", "1280x800"])
def test_a_large_import_shows_progress_in_the_dialog_and_cancel_keeps_a_true_count(
    qtbot: QtBot, window: MainWindow, seeded: Seeded, tmp_path: Path, size: tuple[int, int]
) -> None:
    window.resize(*size)
    qtbot.waitUntil(lambda: window.size().width() == size[0])
    total = 30_000
    path = write_mbox(tmp_path / "large.mbox", [HOSPITAL] * total)
    dialog = open_dialog(qtbot, window)
    assert window.frameGeometry().contains(dialog.frameGeometry())
    dialog.add_sources([path])
    qtbot.waitUntil(dialog.import_button.isEnabled)
    assert dialog.warning.isHidden()  # all of it is the hospital's own mail

    at_first_progress: dict[str, object] = {}

    def cancel_at_first_progress() -> None:
        if not at_first_progress:
            at_first_progress["inside"] = inside(dialog.progress, dialog) and inside(
                dialog.cancel_button, dialog
            )
            at_first_progress["value"] = dialog.progress.value()
            qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)

    dialog.runner.progressed.connect(cancel_at_first_progress)
    with qtbot.waitSignal(dialog.imported, timeout=60000) as done:
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
        assert dialog.progress.isVisible()
        assert dialog.cancel_button.isVisible()
        assert dialog.cancel_button.isEnabled()
        assert not dialog.close_button.isEnabled()
        assert inside(dialog.progress, dialog)
        assert inside(dialog.cancel_button, dialog)
        assert window.frameGeometry().contains(dialog.frameGeometry())
    result = done.args[0]
    assert at_first_progress["inside"] is True
    assert isinstance(at_first_progress["value"], int)
    assert at_first_progress["value"] > 0
    assert result.cancelled
    stored = seeded.services.mailbox.count(seeded.actor, [seeded.hospital_id]) - 3
    assert 0 < result.added == stored < total
    assert dialog.status.text() == (
        f"The import was stopped. Imported {QLocale().toString(stored)} messages before you "
        "cancelled; 0 were already there."
    )
    assert not dialog.progress.isVisible()
    assert dialog.close_button.isEnabled()
    page = window.workspace_page
    assert page is not None
    qtbot.waitUntil(
        lambda: {p.id: p.unread for p in window.profiles}[seeded.hospital_id] == 3 + stored
    )


def card(profile_id: int, organization: str, email: str) -> ProfileCard:
    return ProfileCard(profile_id, organization, "", email, "member", "#000000", 0)


def test_the_sentences_say_how_much_was_looked_at_and_what_an_import_did() -> None:
    hospital, clinic = card(1, "Hospital", "ada@h.example"), card(2, "Clinic", "ada@c.example")
    profiles = [hospital, clinic]
    many = ImportPreview(700, True, {frozenset({2}): 38}, sources=2, limit=500)
    assert wording.addressed_elsewhere(many, hospital, profiles) == (
        "38 of the 700 messages looked at (at most 500 of each source) are addressed to "
        "ada@c.example (Clinic). Import them into Hospital anyway?",
        clinic,
    )
    one = ImportPreview(500, True, {frozenset({2}): 1, frozenset({1, 2}): 4})
    assert wording.addressed_elsewhere(one, hospital, profiles)[0] == (
        "1 of the first 500 messages is addressed to ada@c.example (Clinic). "
        "Import them into Hospital anyway?"
    )
    assert wording.addressed_elsewhere(one, clinic, profiles) == ("", None)
    single = ImportPreview(1, False, {frozenset({2}): 1})
    assert wording.addressed_elsewhere(single, hospital, profiles)[0] == (
        "The message is addressed to ada@c.example (Clinic). Import it into Hospital anyway?"
    )
    assert wording.outcome(ImportResult(added=1, skipped=1, unreadable=0)) == (
        "Imported 1 message; 1 was already there."
    )
    assert wording.outcome(ImportResult(added=5, skipped=0, unreadable=2)) == (
        "Imported 5 messages; 0 were already there. "
        "2 messages could not be read as mail and are kept exactly as they were."
    )


def test_files_dropped_onto_the_list_are_added_once(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    path = write_mbox(tmp_path / "dropped.mbox", [HOSPITAL] * 3)
    dialog = open_dialog(qtbot, window)
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(path))] * 2)
    drop = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        data,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    dialog.sources.dropEvent(drop)
    assert drop.isAccepted()
    assert dialog.paths() == [path]
    qtbot.waitUntil(dialog.import_button.isEnabled)
