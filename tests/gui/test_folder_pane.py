"""The folder pane against a real Dovecot: after a sync it shows the unified views and the
profile's folder tree with unread counts, and choosing a view changes the message list."""

from __future__ import annotations

import os
import ssl
from pathlib import Path

import pytest
from conftest import Seeded, connect_clinic, mail
from dovecot import MAIL_SERVER_PASSWORD, Dovecot
from imapclient import IMAPClient
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.core.folders import FolderRole
from desktop.core.mail_views import MailView
from desktop.gui.mainwindow.folder_pane import ViewRole
from desktop.gui.mainwindow.sync_status import SyncPhase
from desktop.gui.mainwindow.window import MainWindow
from desktop.gui.session.backend import Backend

pytestmark = [pytest.mark.gui, pytest.mark.imap]
SCREENSHOTS = os.environ.get("SWITCHBOARD_SCREENSHOTS")  # a folder: save the window there too


def test_the_pane_shows_the_folder_tree_and_choosing_sent_lists_the_sent_mail(
    qtbot: QtBot, seeded: Seeded, dovecot: Dovecot
) -> None:
    login = dovecot.add_user()
    dovecot.deliver(login, [mail(n, f"Lab result {n}").as_bytes() for n in (11, 12)])
    dovecot.doveadm("mailbox", "create", "-s", "-u", login, "Sent", "Work", "Work.Rota")
    context = ssl.create_default_context(cafile=dovecot.ca_file)
    with IMAPClient("127.0.0.1", port=dovecot.imaps_port, ssl=True, ssl_context=context) as client:
        client.login(login, MAIL_SERVER_PASSWORD)
        client.append("Sent", mail(21, "Referral letter").as_bytes())
        client.append("Work.Rota", mail(22, "Night shifts").as_bytes())
    connect_clinic(seeded, dovecot, login)

    for size in ((1280, 800), (800, 600)):
        window = MainWindow()
        qtbot.addWidget(window)
        window.resize(*size)
        window.show()
        session = Backend(seeded.services).open_session(seeded.actor, window)
        window.open_session(session)
        qtbot.waitUntil(lambda w=window: len(w.profiles) == 2 and w.profiles[1].mail_server != "")
        qtbot.keyClick(window, Qt.Key.Key_F5)
        status = window.sync_status
        qtbot.waitUntil(lambda s=status: s.phase(seeded.clinic_id) is SyncPhase.DONE, timeout=30000)
        page = window.workspace_page
        assert page is not None
        pane = page.folder_pane
        qtbot.waitUntil(lambda p=pane: "Rota" in _labels(p), timeout=10000)
        labels = _labels(pane)
        assert labels[:6] == ["Inbox", "Sent", "Drafts", "Archive", "Trash", "Flagged"]
        assert {"INBOX", "Sent", "Work", "Rota"} <= set(labels)
        sent = next(
            item
            for item in _items(pane)
            if item.text(0) == "Sent" and item.parent().text(0) == "All profiles"
        )
        assert sent.text(1) == "1"
        rota = next(item for item in _items(pane) if item.text(0) == "Rota")
        assert rota.parent() is not None
        assert rota.parent().text(0) == "Work"
        model = page.inbox_model
        pane.choose(MailView(FolderRole.SENT))
        qtbot.waitUntil(
            lambda m=model: (
                [m.row_at(r).subject for r in range(m.rowCount())] == ["Referral letter"]
            ),
            timeout=10000,
        )
        assert page.inbox.scope.text() == "All sent"
        assert pane.choose(MailView.of_folder(seeded.clinic_id, "Work.Rota"))
        qtbot.waitUntil(
            lambda m=model: [m.row_at(r).subject for r in range(m.rowCount())] == ["Night shifts"],
            timeout=10000,
        )
        assert pane.isVisible()
        assert pane.width() >= 150
        if SCREENSHOTS:
            pane.choose(MailView(FolderRole.INBOX))
            qtbot.waitUntil(lambda m=model: m.rowCount() > 2, timeout=10000)
            window.grab().save(str(Path(SCREENSHOTS) / f"folders-{size[0]}x{size[1]}.png"))
        window.close()


def _items(pane: object) -> list:  # type: ignore[type-arg]
    return pane._items()  # type: ignore[attr-defined]


def _labels(pane: object) -> list[str]:
    return [item.text(0) for item in _items(pane) if item.data(0, ViewRole) is not None]
