"""A move made in the window reaches the real Dovecot through the profile's queue: the message
leaves the list at once and, a moment later, the server has it in the chosen folder and no longer
in INBOX; Ctrl+Z brings it back there too."""

from __future__ import annotations

import ssl
from dataclasses import replace

import pytest
from conftest import Seeded, mail
from dovecot import MAIL_SERVER_PASSWORD, Dovecot
from imapclient import IMAPClient
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop.core.mail_views import MailView
from desktop.gui.mainwindow.sync_status import SyncPhase
from desktop.gui.mainwindow.window import MainWindow
from desktop.gui.session.backend import Backend

pytestmark = [pytest.mark.gui, pytest.mark.imap]


def subjects_in(dovecot: Dovecot, login: str, folder: str) -> list[str]:
    context = ssl.create_default_context(cafile=dovecot.ca_file)
    with IMAPClient("127.0.0.1", port=dovecot.imaps_port, ssl=True, ssl_context=context) as client:
        client.login(login, MAIL_SERVER_PASSWORD)
        client.select_folder(folder, readonly=True)
        found = client.fetch(client.search("ALL"), ["BODY.PEEK[HEADER.FIELDS (SUBJECT)]"])
        return sorted(
            bytes(data[b"BODY[HEADER.FIELDS (SUBJECT)]"]).decode().split(":", 1)[1].strip()
            for data in found.values()
        )


def clinic_on_dovecot(seeded: Seeded, dovecot: Dovecot) -> str:
    """The clinic profile reads a fresh Dovecot account with two messages and a folder."""
    login = dovecot.add_user()
    dovecot.deliver(login, [mail(n, f"Lab result {n}").as_bytes() for n in (11, 12)])
    dovecot.doveadm("mailbox", "create", "-s", "-u", login, "Referrals")
    accounts = seeded.services.accounts
    clinic = next(p for p in accounts.list_profiles(seeded.actor) if p.id == seeded.clinic_id)
    draft = replace(
        clinic.as_draft(),
        imap_host="127.0.0.1",
        imap_port=dovecot.imaps_port,
        imap_security="ssl",
        imap_user=login,
        ca_file=dovecot.ca_file,
    )
    accounts.update_profile(seeded.actor, seeded.clinic_id, draft)
    accounts.set_server_password(seeded.actor, seeded.clinic_id, MAIL_SERVER_PASSWORD)
    return login


def synced_window(qtbot: QtBot, seeded: Seeded) -> MainWindow:
    window = MainWindow()
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    window.open_session(Backend(seeded.services).open_session(seeded.actor, window))
    qtbot.waitUntil(lambda: len(window.profiles) == 2 and window.profiles[1].mail_server != "")
    qtbot.keyClick(window, Qt.Key.Key_F5)
    status = window.sync_status
    qtbot.waitUntil(lambda: status.phase(seeded.clinic_id) is SyncPhase.DONE, timeout=30000)
    page = window.workspace_page
    assert page is not None
    inbox = MailView.of_folder(seeded.clinic_id, "INBOX")
    qtbot.waitUntil(lambda: page.folder_pane.choose(inbox), timeout=10000)
    qtbot.waitUntil(lambda: page.inbox_model.rowCount() == 2, timeout=10000)
    return window


def test_a_move_from_the_picker_reaches_the_server_and_undo_moves_it_back(
    qtbot: QtBot, seeded: Seeded, dovecot: Dovecot
) -> None:
    login = clinic_on_dovecot(seeded, dovecot)
    window = synced_window(qtbot, seeded)
    page = window.workspace_page
    assert page is not None
    model = page.inbox_model
    row = next(r for r in range(2) if model.row_at(r).subject == "Lab result 12")
    page.inbox.table.setFocus()
    page.inbox.table.selectRow(row)
    modifiers = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(page.inbox.table, Qt.Key.Key_V, modifiers)
    qtbot.waitUntil(lambda: window.mail.picker is not None and window.mail.picker.isVisible())
    picker = window.mail.picker
    assert picker is not None
    qtbot.keyClicks(picker.filter, "refer")
    assert picker.visible_texts() == ["Referrals"]
    qtbot.keyClick(picker.filter, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: model.rowCount() == 1)
    assert model.row_at(0).subject == "Lab result 11"
    qtbot.waitUntil(
        lambda: subjects_in(dovecot, login, "Referrals") == ["Lab result 12"], timeout=20000
    )
    assert subjects_in(dovecot, login, "INBOX") == ["Lab result 11"]

    window.activateWindow()  # the closed picker hands the focus back (a window manager's job)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    page.inbox.table.setFocus()
    qtbot.keyClick(page.inbox.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: model.rowCount() == 2, timeout=10000)
    qtbot.waitUntil(
        lambda: subjects_in(dovecot, login, "INBOX") == ["Lab result 11", "Lab result 12"],
        timeout=20000,
    )
    assert subjects_in(dovecot, login, "Referrals") == []
    window.close()
