"""Sync errors reach the status bar per profile, with retry; a new-mail notification names it.

Import from the window is tested in test_import_dialog.py."""

from __future__ import annotations

import socket
from dataclasses import replace
from functools import partial

import pytest
from conftest import Seeded, open_window, syncing_session
from PySide6.QtCore import Qt, QThreadPool
from pytestqt.qtbot import QtBot

from desktop.gui.mainwindow.sync_status import SyncPhase
from desktop.gui.mainwindow.window import MainWindow
from desktop.gui.session.services_workspace import ServicesWorkspace
from desktop.gui.session.session import Session
from desktop.gui.session.sync_scheduler import SyncScheduler
from desktop.gui.session.viewdata import InboxQuery
from desktop.gui.session.workers import Workers
from desktop.services.mail.imap_sync import SyncResult
from desktop.services.mail.sync_owner import ActionsApplied, RetryPolicy

pytestmark = pytest.mark.gui


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def window(qtbot: QtBot, seeded: Seeded) -> MainWindow:
    accounts = seeded.services.accounts
    clinic = next(p for p in accounts.list_profiles(seeded.actor) if p.id == seeded.clinic_id)
    draft = replace(clinic.as_draft(), imap_host="127.0.0.1", imap_port=closed_port())
    accounts.update_profile(seeded.actor, seeded.clinic_id, draft)
    accounts.set_server_password(seeded.actor, seeded.clinic_id, "secret")
    main = open_window(qtbot, syncing_session(seeded))
    qtbot.waitUntil(lambda: len(main.profiles) == 2)
    return main


def session_of(window: MainWindow) -> Session:
    assert window.session is not None
    return window.session


def scheduler_of(window: MainWindow) -> SyncScheduler:
    scheduler = session_of(window).scheduler
    assert scheduler is not None
    return scheduler


def test_sync_error_shown_per_profile_with_retry(
    qtbot: QtBot, window: MainWindow, seeded: Seeded
) -> None:
    seeded.services.mail_sync.retry = RetryPolicy(first=0.01, attempts=1)
    scheduler = scheduler_of(window)
    assert session_of(window).syncable() == [seeded.clinic_id]
    status = window.sync_status
    qtbot.keyClick(window, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: status.phase(seeded.clinic_id) is SyncPhase.FAILED, timeout=20000)
    button = status.button_for(seeded.clinic_id)
    assert button.text() == "Riverside Clinic: failed — Retry"
    assert "connection to 127.0.0.1" in button.toolTip()
    # A profile without a server has not failed: it offers set-up instead.
    assert status.phase(seeded.hospital_id) is SyncPhase.NOT_SET_UP
    hospital = status.button_for(seeded.hospital_id)
    assert hospital.text() == "St Mary's Hospital: not set up — Set up…"
    assert "failed" not in hospital.text()
    with qtbot.waitSignal(status.setup_requested) as setup:
        qtbot.mouseClick(hospital, Qt.MouseButton.LeftButton)
    assert setup.args == [seeded.hospital_id]

    qtbot.waitUntil(lambda: not scheduler.is_running(seeded.clinic_id))
    started: list[str] = []
    scheduler.state_changed.connect(lambda _pid, state: started.append(state))
    with qtbot.waitSignal(scheduler.failed, timeout=20000):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert started[0] == "running"
    qtbot.waitUntil(lambda: status.phase(seeded.clinic_id) is SyncPhase.FAILED)
    qtbot.waitUntil(lambda: not scheduler.is_running(seeded.clinic_id))


def test_new_mail_notifies_naming_the_profile(
    qtbot: QtBot, window: MainWindow, seeded: Seeded
) -> None:
    scheduler = scheduler_of(window)
    shown: list[object] = []
    window.notifier.shown.connect(shown.append)
    scheduler.finished.emit(seeded.clinic_id, SyncResult(seeded.clinic_id, new=3))
    qtbot.waitUntil(lambda: len(shown) == 1)
    note = shown[0]
    assert getattr(note, "title", "") == "New mail — Riverside Clinic"
    assert getattr(note, "text", "") == "3 new messages for Riverside Clinic (admin)"
    assert window.sync_status.phase(seeded.clinic_id) is SyncPhase.DONE


def test_moves_the_server_could_not_take_are_said_in_the_status_line_not_a_dialog(
    qtbot: QtBot, window: MainWindow, seeded: Seeded
) -> None:
    scheduler = scheduler_of(window)
    session = session_of(window)
    dialogs: list[str] = []
    session.failed.connect(dialogs.append)
    reason = "Your moves and deletes are kept here and wait for the mail server: it is away."
    with qtbot.assertNotEmitted(session.mail_changed, wait=50):
        scheduler.actions_applied.emit(
            seeded.clinic_id, ActionsApplied(seeded.clinic_id, failed=reason, retrying=True)
        )
    status = window.sync_status
    qtbot.waitUntil(lambda: status.phase(seeded.clinic_id) is SyncPhase.FAILED)
    assert reason in status.button_for(seeded.clinic_id).toolTip()
    assert dialogs == []


def test_mail_gone_from_the_server_meanwhile_leaves_the_lists(
    qtbot: QtBot, window: MainWindow, seeded: Seeded
) -> None:
    scheduler = scheduler_of(window)
    session = session_of(window)
    with qtbot.waitSignal(session.mail_changed):
        scheduler.actions_applied.emit(
            seeded.clinic_id, ActionsApplied(seeded.clinic_id, moved=1, gone=2)
        )
    assert window.sync_status.phase(seeded.clinic_id) is not SyncPhase.FAILED
    with qtbot.assertNotEmitted(session.mail_changed, wait=50):
        scheduler.actions_applied.emit(seeded.clinic_id, ActionsApplied(seeded.clinic_id, moved=3))


def test_two_unreachable_profiles_retrying_leave_the_windows_workers_free(
    qtbot: QtBot, window: MainWindow, seeded: Seeded
) -> None:
    """One server accepts and never answers, the other refuses: both retry, the window works."""
    silent = socket.create_server(("127.0.0.1", 0))  # the kernel accepts; nobody ever answers
    try:
        accounts = seeded.services.accounts
        hospital = next(
            p for p in accounts.list_profiles(seeded.actor) if p.id == seeded.hospital_id
        )
        draft = replace(
            hospital.as_draft(), imap_host="127.0.0.1", imap_port=silent.getsockname()[1]
        )
        accounts.update_profile(seeded.actor, seeded.hospital_id, draft)
        accounts.set_server_password(seeded.actor, seeded.hospital_id, "secret")
        session_of(window).refresh_profiles()
        qtbot.waitUntil(lambda: all(p.mail_server for p in window.profiles))
        scheduler = scheduler_of(window)
        retrying: set[int] = set()
        scheduler.state_changed.connect(
            lambda pid, state: retrying.add(pid) if state == "retrying" else None
        )
        scheduler.sync_all()
        qtbot.waitUntil(lambda: seeded.clinic_id in retrying, timeout=10000)  # refused
        qtbot.waitUntil(lambda: scheduler.is_running(seeded.hospital_id))  # stuck reading
        # Both profiles' server work runs on their own threads: the window's pool is free while
        # one sync is stuck and the other waits to retry, and pages come back meanwhile.
        pool = QThreadPool.globalInstance()
        qtbot.waitUntil(lambda: pool.activeThreadCount() == 0)
        workers = Workers(window)
        workspace = ServicesWorkspace(seeded.services, seeded.actor)
        pages: list[object] = []
        for _ in range(3):  # more pages than the pool has threads
            workers.submit(partial(workspace.inbox_page, InboxQuery(), None, 50), pages.append)
        qtbot.waitUntil(lambda: len(pages) == 3)
        assert all(pages)
        assert scheduler.is_running(seeded.hospital_id)  # still stuck reading
        scheduler.close()
        assert seeded.services.mail_sync.close()
    finally:
        silent.close()
