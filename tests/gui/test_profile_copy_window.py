"""A copy to another profile made in the window against the real Dovecot: the move picker lists
the other profile's folders under its name and address; choosing one asks a question naming both
organizations, whose default copies nothing; Cancel changes nothing, Copy shows the copy in the
other profile's folder at once and, a moment later, on its server."""

from __future__ import annotations

from dataclasses import replace

import pytest
from accessibility import nameless_controls
from conftest import Seeded, mail
from dovecot import MAIL_SERVER_PASSWORD, Dovecot
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot
from test_mail_actions_dovecot import subjects_in, synced_window

from desktop.core.mail_views import MailView
from desktop.gui.mainwindow.sync_status import SyncPhase
from desktop.gui.mainwindow.window import MainWindow

pytestmark = [pytest.mark.gui, pytest.mark.imap]

QUESTION = (
    "Copy this message from Riverside Clinic (ada@riverside.example) to "
    "St Mary's Hospital (ada@stmarys.example)?"
)


def on_dovecot(seeded: Seeded, dovecot: Dovecot, profile_id: int, subjects: list[str]) -> str:
    """The profile reads a fresh Dovecot account holding ``subjects``."""
    login = dovecot.add_user()
    dovecot.deliver(login, [mail(10 + n, s).as_bytes() for n, s in enumerate(subjects)])
    accounts = seeded.services.accounts
    profile = next(p for p in accounts.list_profiles(seeded.actor) if p.id == profile_id)
    draft = replace(
        profile.as_draft(),
        imap_host="127.0.0.1",
        imap_port=dovecot.imaps_port,
        imap_security="ssl",
        imap_user=login,
        ca_file=dovecot.ca_file,
    )
    accounts.update_profile(seeded.actor, profile_id, draft)
    accounts.set_server_password(seeded.actor, profile_id, MAIL_SERVER_PASSWORD)
    return login


def open_picker(qtbot: QtBot, window: MainWindow, subject: str) -> None:
    page = window.workspace_page
    assert page is not None
    model = page.inbox_model
    row = next(r for r in range(model.rowCount()) if model.row_at(r).subject == subject)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    page.inbox.table.setFocus()
    page.inbox.table.selectRow(row)
    window.mail.move_action.trigger()
    qtbot.waitUntil(lambda: window.mail.picker is not None and window.mail.picker.isVisible())


def copy_question(qtbot: QtBot, window: MainWindow) -> QMessageBox:
    """Choose the hospital's INBOX in the open picker, by typing; the question that comes."""
    picker = window.mail.picker
    assert picker is not None
    qtbot.keyClicks(picker.filter, "mary inbox")
    assert picker.visible_texts() == ["INBOX"]
    assert picker.move_button.text() == "&Copy…"
    qtbot.keyClick(picker.filter, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.mail.copying.confirmation is not None)
    box = window.mail.copying.confirmation
    assert box is not None
    qtbot.waitUntil(box.isVisible)
    return box


def test_a_copy_to_another_profile_asks_first_and_reaches_its_server(
    qtbot: QtBot, seeded: Seeded, dovecot: Dovecot
) -> None:
    clinic = on_dovecot(seeded, dovecot, seeded.clinic_id, ["Lab result 11", "Lab result 12"])
    hospital = on_dovecot(seeded, dovecot, seeded.hospital_id, [])
    window = synced_window(qtbot, seeded)
    status = window.sync_status
    qtbot.waitUntil(lambda: status.phase(seeded.hospital_id) is SyncPhase.DONE, timeout=30000)
    session = window.session
    assert session is not None
    tree = lambda: session.folders.tree  # noqa: E731
    qtbot.waitUntil(lambda: (t := tree()) is not None and all(p.folders for p in t.profiles))

    open_picker(qtbot, window, "Lab result 12")
    picker = window.mail.picker
    assert picker is not None
    texts = [picker.folders.item(r).text() for r in range(picker.folders.count())]
    assert "Copy to St Mary's Hospital\nada@stmarys.example" in texts
    assert nameless_controls(picker) == []
    box = copy_question(qtbot, window)
    assert box.text() == QUESTION
    assert box.defaultButton() is box.escapeButton()  # Enter and Esc both copy nothing
    assert box.defaultButton().text() == "Cancel"
    assert nameless_controls(box) == []
    qtbot.keyClick(box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.mail.copying.confirmation is None)
    assert subjects_in(dovecot, hospital, "INBOX") == []

    page = window.workspace_page
    assert page is not None
    open_picker(qtbot, window, "Lab result 12")
    box = copy_question(qtbot, window)
    copy_button = next(b for b in box.buttons() if b.text() == "Copy")
    qtbot.mouseClick(copy_button, Qt.MouseButton.LeftButton)
    target = MailView.of_folder(seeded.hospital_id, "INBOX")
    qtbot.waitUntil(lambda: page.folder_pane.choose(target), timeout=10000)
    model = page.inbox_model
    qtbot.waitUntil(lambda: model.rowCount() == 1, timeout=10000)
    assert model.row_at(0).subject == "Lab result 12"
    assert model.row_at(0).profile_id == seeded.hospital_id
    qtbot.waitUntil(
        lambda: subjects_in(dovecot, hospital, "INBOX") == ["Lab result 12"], timeout=20000
    )
    assert subjects_in(dovecot, clinic, "INBOX") == ["Lab result 11", "Lab result 12"]
    window.close()
