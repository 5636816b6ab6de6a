"""The outbox in the window, against the real Postfix and Dovecot of the tests: a refused message
shows in red with the server's reason, a message cut off mid-send waits for the person, and
what they choose happens exactly once."""

from __future__ import annotations

from dataclasses import replace
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import pytest
from conftest import Seeded, open_window, syncing_session
from dovecot import MAIL_SERVER_PASSWORD, Dovecot
from postfix import Postfix
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import update

from desktop.gui.mainwindow.window import MainWindow
from desktop.gui.mainwindow.workspace_page import WorkspacePage
from desktop.gui.outbox.dialog import OutboxDialog
from desktop.gui.session.records import OutboxState
from desktop.services.mail.smtp_settings import set_smtp_server
from desktop.store.models import OutboxMessage
from desktop.store.session import unit_of_work

pytestmark = [pytest.mark.gui, pytest.mark.imap]


def give_servers(
    seeded: Seeded, profile_id: int, servers: tuple[Dovecot, Postfix], login: str, email: str
) -> None:
    dovecot, postfix = servers
    accounts = seeded.services.accounts
    profile = next(p for p in accounts.list_profiles(seeded.actor) if p.id == profile_id)
    draft = replace(
        profile.as_draft(),
        email=email,
        imap_host="127.0.0.1",
        imap_port=dovecot.imaps_port,
        imap_security="ssl",
        imap_user=login,
        ca_file=dovecot.ca_file,
    )
    accounts.update_profile(seeded.actor, profile_id, draft)
    accounts.set_server_password(seeded.actor, profile_id, MAIL_SERVER_PASSWORD)
    services = seeded.services
    set_smtp_server(
        services.session_factory,
        services.authorizer,
        seeded.actor,
        profile_id,
        host="127.0.0.1",
        port=postfix.submission_port,
        security="starttls",
        ca_file=postfix.ca_file,
    )


def queue(seeded: Seeded, profile_id: int, sender: str, to: str, subject: str) -> int:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="example.net")
    message.set_content("Hello.\n")
    return seeded.services.outbox.queue_message(seeded.actor, profile_id, message, [to])


def page_of(window: MainWindow) -> WorkspacePage:
    page = window.workspace_page
    assert page is not None
    return page


def open_outbox(qtbot: QtBot, window: MainWindow) -> OutboxDialog:
    page = page_of(window)
    qtbot.mouseClick(page.outbox_button, Qt.MouseButton.LeftButton)
    dialog = page.outbox_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    return dialog


def arrived(dovecot: Dovecot, login: str, subject: str) -> int:
    """How many copies of ``subject`` the mailbox holds (Dovecot's Maildir on disk)."""
    folder = dovecot.maildir(login)
    files = [f for part in ("new", "cur") for f in (folder / part).glob("*") if f.is_file()]
    return sum(1 for f in files if f"Subject: {subject}" in Path(f).read_text(errors="replace"))


def test_a_refused_message_is_shown_in_red_with_the_reason_and_discarded_only_when_confirmed(
    qtbot: QtBot,
    seeded: Seeded,
    dovecot: Dovecot,
    postfix: Postfix,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    login, to = dovecot.add_user(), dovecot.add_user()
    # The clinic's address is not one the server lets this login send as.
    give_servers(seeded, seeded.clinic_id, (dovecot, postfix), login, "ada@riverside.example")
    queue(seeded, seeded.clinic_id, "ada@riverside.example", postfix.address(to), "Invoice")

    window = open_window(qtbot, syncing_session(seeded))
    button = page_of(window).outbox_button
    qtbot.waitUntil(lambda: button.text() == "Outbox: 1 not sent", timeout=20000)
    assert button.isVisible()
    assert "#dc2626" in button.styleSheet()

    dialog = open_outbox(qtbot, window)
    entry = dialog.chosen()
    assert entry is not None
    assert entry.state is OutboxState.FAILED
    assert "The server refused the sender ada@riverside.example" in dialog.explanation.text()
    assert dialog.retry_button.isVisibleTo(dialog)
    assert not dialog.sent_button.isVisibleTo(dialog)

    answers = [QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Discard]
    monkeypatch.setattr(QMessageBox, "question", lambda *_a, **_k: answers.pop(0))
    dialog.discard_button.click()
    assert len(seeded.services.outbox.list_outbox(seeded.actor)) == 1
    dialog.discard_button.click()
    qtbot.waitUntil(lambda: not button.isVisible())
    assert dialog.empty.isVisible()
    assert seeded.services.outbox.list_outbox(seeded.actor) == []
    assert arrived(dovecot, to, "Invoice") == 0
    window.close()


def test_a_message_cut_off_while_sending_waits_for_the_person_and_goes_once_when_asked(
    qtbot: QtBot, seeded: Seeded, dovecot: Dovecot, postfix: Postfix
) -> None:
    login, to = dovecot.add_user(), dovecot.add_user()
    address = postfix.address(login)
    give_servers(seeded, seeded.hospital_id, (dovecot, postfix), login, address)
    entry_id = queue(seeded, seeded.hospital_id, address, postfix.address(to), "Rota")
    # As the app leaves it when it dies during the SMTP transaction.
    with unit_of_work(seeded.services.session_factory) as session:
        session.execute(
            update(OutboxMessage).where(OutboxMessage.id == entry_id).values(state="sending")
        )

    window = open_window(qtbot, syncing_session(seeded))
    button = page_of(window).outbox_button
    qtbot.waitUntil(lambda: button.text() == "Outbox: 1 not sent", timeout=20000)
    dialog = open_outbox(qtbot, window)
    entry = dialog.chosen()
    assert entry is not None
    assert entry.state is OutboxState.MAY_HAVE_BEEN_SENT
    assert "never sent again without you" in dialog.explanation.text()
    assert dialog.again_button.isVisibleTo(dialog)
    assert dialog.sent_button.isVisibleTo(dialog)
    assert arrived(dovecot, to, "Rota") == 0

    dialog.again_button.click()
    qtbot.waitUntil(lambda: not button.isVisible(), timeout=20000)
    qtbot.waitUntil(lambda: arrived(dovecot, to, "Rota") == 1, timeout=20000)
    window.close()
