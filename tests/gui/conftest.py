"""GUI fixtures: real services over the test's own fresh store, with a user and two profiles."""

from __future__ import annotations

import gc
import mailbox
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from dovecot import MAIL_SERVER_PASSWORD, Dovecot
from held_keys import release_modifiers
from PySide6.QtCore import QCoreApplication, QThreadPool
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop.core.roles import Role
from desktop.gui.garbage import GuiThreadCollector
from desktop.gui.mainwindow.window import MainWindow
from desktop.gui.session.backend import Backend
from desktop.gui.session.services_workspace import ServicesWorkspace
from desktop.gui.session.session import Session
from desktop.gui.session.workers import Workers
from desktop.services.accounts import ProfileDraft
from desktop.services.authorization import SignedInUser
from desktop.services.container import Services
from desktop.services.mail.importer import import_paths

PASSWORD = "correct horse battery"
SETTLE_ROUNDS = 10
"""Rounds of "wait for the pool, deliver its results" a test's teardown may take."""


@dataclass(frozen=True)
class Seeded:
    services: Services
    actor: SignedInUser
    hospital_id: int
    clinic_id: int


@pytest.fixture(scope="session", autouse=True)
def collector_on_the_gui_thread(qapp: QApplication) -> Iterator[GuiThreadCollector]:
    """As in the app: no widget of one test is freed on a later test's worker thread."""
    collector = GuiThreadCollector(qapp)
    yield collector
    collector.stop()


@pytest.fixture(autouse=True)
def cycles_freed_here(collector_on_the_gui_thread: GuiThreadCollector) -> Iterator[None]:
    """The test's widgets caught in cycles go at its end, on this thread."""
    yield
    gc.collect()


@pytest.fixture(autouse=True)
def no_key_held() -> Iterator[None]:
    """The application outlives each test: a modifier one test left "held" must not turn the
    next test's row choice into a range."""
    release_modifiers()
    yield
    release_modifiers()


@pytest.fixture(autouse=True)
def no_task_outlives_its_test(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The window's workers share Qt's global pool (two threads on two cores): a task left
    running by one test would starve the next one's, or reach a store already dropped.

    Each test starts with the pool idle and ends only when its tasks, on whichever pool they ran
    (the session records switches on one of its own), are done *and* their results delivered:
    a result can start more work (a failure reloads the lists), which would otherwise run
    during the next test. A test whose work does not settle fails."""
    shared = QThreadPool.globalInstance()
    # The earlier test's teardown waited for its tasks; a pool thread may still be counted
    # active for a moment after its last task returned.
    assert shared.waitForDone(20_000), "a background task of an earlier test is running"
    pools: list[QThreadPool] = [shared]
    submitted = [0]
    submit = Workers.submit

    def counted(self: Workers, *args: Any, **kwargs: Any) -> int:
        submitted[0] += 1
        if self._pool not in pools:
            pools.append(self._pool)
        return submit(self, *args, **kwargs)

    monkeypatch.setattr(Workers, "submit", counted)
    yield
    for _round in range(SETTLE_ROUNDS):
        before = submitted[0]
        for pool in pools:
            if shiboken6.isValid(pool):  # a session's own pool goes with its session
                assert pool.waitForDone(20_000), "a background task outlived its test"
        QCoreApplication.processEvents()  # the results, and whatever they start
        if submitted[0] == before:
            return
    pytest.fail(f"background work kept starting more after {SETTLE_ROUNDS} rounds")


def open_window(
    qtbot: QtBot, session: Callable[[MainWindow], Session], size: tuple[int, int] = (1280, 800)
) -> MainWindow:
    """A shown window of the given size with a session open and its active profile known."""
    window = MainWindow()
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    window.open_session(session(window))
    qtbot.waitUntil(lambda: window.active_profile is not None)
    return window


def connect_clinic(seeded: Seeded, dovecot: Dovecot, login: str) -> None:
    """The clinic profile pointed at a user of the test's Dovecot, its password in the keyring."""
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


def services_session(seeded: Seeded) -> Callable[[MainWindow], Session]:
    """A session over the real services, without the sync scheduler."""
    return lambda _window: Session(ServicesWorkspace(seeded.services, seeded.actor))


def syncing_session(seeded: Seeded) -> Callable[[MainWindow], Session]:
    """A session as the app opens it, with the sync scheduler."""
    return lambda window: Backend(seeded.services).open_session(seeded.actor, window)


def mail(number: int, subject: str, html: str | None = None) -> EmailMessage:
    message = EmailMessage()
    message["From"] = f"Sender {number} <s{number}@example.org>"
    message["To"] = "ada@example.org"
    message["Subject"] = subject
    message["Date"] = f"Tue, 03 Mar 2026 10:{number:02d}:00 +0000"
    message["Message-ID"] = f"<m{number}@example.org>"
    message.set_content(f"Body {number}\n")
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message


def import_messages(
    services: Services, tmp_path: Path, profile_id: int, messages: list[EmailMessage]
) -> None:
    path = tmp_path / f"profile-{profile_id}.mbox"
    box = mailbox.mbox(path)
    for message in messages:
        box.add(message)
    box.close()
    import_paths(services.session_factory, profile_id, [path])


@pytest.fixture
def seeded(services: Services, tmp_path: Path) -> Seeded:
    """Ada: a member profile at a hospital and an admin profile at a clinic, with some mail."""
    accounts = services.accounts
    accounts.create_first_user("ada", "Ada Lovelace", PASSWORD)
    actor = accounts.sign_in("ada", PASSWORD)
    hospital = accounts.create_profile(
        actor,
        ProfileDraft(organization="St Mary's Hospital", email="ada@stmarys.example", title="Nurse"),
    )
    actor = accounts.switch_profile(actor, hospital.id)
    clinic = accounts.create_profile(
        actor,
        ProfileDraft(
            organization="Riverside Clinic",
            email="ada@riverside.example",
        ),
    )
    accounts.set_role(actor, clinic.id, Role.ADMIN)  # the hospital, first, was the bootstrap admin
    accounts.set_role(actor, hospital.id, Role.MEMBER)
    import_messages(
        services, tmp_path, hospital.id, [mail(n, f"Ward report {n}") for n in (1, 3, 5)]
    )
    import_messages(services, tmp_path, clinic.id, [mail(n, f"Clinic invoice {n}") for n in (2, 4)])
    return Seeded(services, actor, hospital.id, clinic.id)
