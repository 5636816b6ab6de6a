"""The window against a real IMAP server (the private Dovecot of the mail tests): F5 syncs,
new mail is announced naming its profile, and reading a message marks it seen on the server
(marking it unread takes the flag off again).
"""

from __future__ import annotations

import ssl

import pytest
from conftest import Seeded, connect_clinic, mail
from dovecot import MAIL_SERVER_PASSWORD, Dovecot
from imapclient import IMAPClient
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.gui.mainwindow.sync_status import SyncPhase
from desktop.gui.mainwindow.tray import Notification
from desktop.gui.mainwindow.window import MainWindow
from desktop.gui.session.backend import Backend

pytestmark = [pytest.mark.gui, pytest.mark.imap]


def seen_on_server(dovecot: Dovecot, login: str, subject: str) -> bool:
    context = ssl.create_default_context(cafile=dovecot.ca_file)
    with IMAPClient("127.0.0.1", port=dovecot.imaps_port, ssl=True, ssl_context=context) as client:
        client.login(login, MAIL_SERVER_PASSWORD)
        client.select_folder("INBOX", readonly=True)
        uids = client.search(["SUBJECT", subject])
        flags = client.get_flags(uids)
        return bool(uids) and all(b"\\Seen" in flags[uid] for uid in uids)


def test_sync_from_the_window_notifies_and_opening_marks_seen_on_the_server(
    qtbot: QtBot, seeded: Seeded, dovecot: Dovecot
) -> None:
    login = dovecot.add_user()
    dovecot.deliver(login, [mail(n, f"Lab result {n}").as_bytes() for n in (11, 12, 13)])
    connect_clinic(seeded, dovecot, login)

    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    session = Backend(seeded.services).open_session(seeded.actor, window)
    window.open_session(session)
    qtbot.waitUntil(lambda: len(window.profiles) == 2 and window.profiles[1].mail_server != "")
    shown: list[Notification] = []
    window.notifier.shown.connect(shown.append)

    qtbot.keyClick(window, Qt.Key.Key_F5)
    status = window.sync_status
    qtbot.waitUntil(lambda: status.phase(seeded.clinic_id) is SyncPhase.DONE, timeout=30000)
    assert [(n.title, n.text) for n in shown] == [
        ("New mail — Riverside Clinic", "3 new messages for Riverside Clinic (admin)")
    ]
    page = window.workspace_page
    assert page is not None
    model = page.inbox_model
    qtbot.waitUntil(lambda: model.rowCount() == 8, timeout=10000)
    row = next(r for r in range(model.rowCount()) if model.row_at(r).subject == "Lab result 12")
    assert not seen_on_server(dovecot, login, "Lab result 12")

    with qtbot.waitSignal(page.message_shown, timeout=10000):
        page.inbox.table.selectRow(row)
    qtbot.waitUntil(lambda: seen_on_server(dovecot, login, "Lab result 12"), timeout=20000)
    assert not seen_on_server(dovecot, login, "Lab result 11")
    # Mark as unread (Ctrl+U) takes the flag off on the server too.
    window.reading.mark_unread_action.trigger()
    qtbot.waitUntil(lambda: not seen_on_server(dovecot, login, "Lab result 12"), timeout=20000)
    qtbot.waitUntil(lambda: not model.row_at(row).seen)
    session.close()
    assert seeded.services.mail_sync.close()
