"""New mail without asking in the window: after sign-in each profile's INBOX is held in IMAP IDLE
(the private Dovecot), so a delivered message is in the unified inbox and announced long before the
periodic sync would run (the delay itself is measured by ``bench idle``, not here); locking cuts
the watch, unlocking brings it back with what arrived meanwhile, signing out ends it.
"""

from __future__ import annotations

import pytest
from conftest import Seeded, connect_clinic, mail
from dovecot import Dovecot
from pytestqt.qtbot import QtBot

from desktop.gui.mainwindow.tray import Notification
from desktop.gui.mainwindow.window import MainWindow
from desktop.gui.session.backend import Backend
from desktop.gui.session.session import Session

pytestmark = [pytest.mark.gui, pytest.mark.imap]

WAIT_MS = 30_000
"""Far below the periodic sync's 300 s, so only the watch can bring the mail in time."""


def _subjects(window: MainWindow) -> set[str]:
    page = window.workspace_page
    assert page is not None
    model = page.inbox_model
    return {model.row_at(row).subject for row in range(model.rowCount())}


def _open(qtbot: QtBot, seeded: Seeded, dovecot: Dovecot) -> tuple[MainWindow, Session, str]:
    login = dovecot.add_user()
    connect_clinic(seeded, dovecot, login)
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    session = Backend(seeded.services).open_session(seeded.actor, window)
    window.open_session(session)
    scheduler = session.scheduler
    assert scheduler is not None
    qtbot.waitUntil(lambda: scheduler.is_watching(seeded.clinic_id), timeout=10000)
    return window, session, login


def test_mail_delivered_while_signed_in_shows_and_is_announced_without_a_sync(
    qtbot: QtBot, seeded: Seeded, dovecot: Dovecot
) -> None:
    window, session, login = _open(qtbot, seeded, dovecot)
    shown: list[Notification] = []
    window.notifier.shown.connect(shown.append)
    scheduler = session.scheduler
    assert scheduler is not None
    assert not scheduler.is_watching(seeded.hospital_id)  # no mail server: nothing to watch
    qtbot.waitUntil(lambda: "Lab result 7" not in _subjects(window))

    dovecot.deliver(login, [mail(7, "Lab result 7").as_bytes()])
    qtbot.waitUntil(lambda: "Lab result 7" in _subjects(window), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: bool(shown), timeout=WAIT_MS)
    assert [(n.title, n.text) for n in shown] == [
        ("New mail — Riverside Clinic", "1 new message for Riverside Clinic (admin)")
    ]

    session.close()
    assert not scheduler.is_watching(seeded.clinic_id)
    assert seeded.services.mail_sync.close()


def test_locking_cuts_the_watch_and_unlocking_brings_what_arrived_meanwhile(
    qtbot: QtBot, seeded: Seeded, dovecot: Dovecot
) -> None:
    window, session, login = _open(qtbot, seeded, dovecot)
    scheduler = session.scheduler
    assert scheduler is not None
    # The watch's start may still be on its way to the window as a queued signal: wait for the stop.
    with qtbot.waitSignal(
        scheduler.watching,
        timeout=WAIT_MS,
        check_params_cb=lambda profile_id, watching: not watching,
    ) as stopped:
        session.pause_watching()
    assert stopped.args == [seeded.clinic_id, False]
    assert not scheduler.is_watching(seeded.clinic_id)
    dovecot.deliver(login, [mail(8, "Arrived behind the lock").as_bytes()])

    session.resume_watching()
    qtbot.waitUntil(lambda: scheduler.is_watching(seeded.clinic_id), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "Arrived behind the lock" in _subjects(window), timeout=WAIT_MS)

    session.close()
    assert seeded.services.mail_sync.close()
