"""Background sync jobs: signals, retries with back-off, permanent failures reported once,
cancellation, periodic sync and resuming after the machine slept. Against the real Dovecot."""

from __future__ import annotations

import pytest
from desktop.services.mail.jobs import (
    CANCELLED,
    DONE,
    FAILED,
    RETRYING,
    RUNNING,
    RetryPolicy,
    SyncScheduler,
)
from dovecot import Dovecot, free_port
from mail_helpers import MailAccount, Passwords, server_client, simple_message
from PySide6.QtCore import QObject, QThreadPool, Slot
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from desktop.services.mail import imap_sync
from desktop.services.mail.imap_sync import SyncResult
from desktop.services.mail.inbox import Inbox
from desktop.store.models import Message, Profile
from desktop.store.session import SessionFactory, unit_of_work

pytestmark = pytest.mark.imap

FAST = RetryPolicy(first=0.01, factor=2.0, cap=0.05, attempts=4)


class Recorder(QObject):
    """Receives the scheduler's signals on the test's (GUI) thread, as a window would."""

    def __init__(self, scheduler: SyncScheduler) -> None:
        super().__init__()
        self.states: list[tuple[int, str]] = []
        self.progress: list[tuple[int, int, int]] = []
        self.failures: list[tuple[int, str, bool]] = []
        self.results: list[SyncResult] = []
        scheduler.state_changed.connect(self.on_state)
        scheduler.progress.connect(self.on_progress)
        scheduler.failed.connect(self.on_failed)
        scheduler.finished.connect(self.on_finished)

    @Slot(int, str)
    def on_state(self, profile_id: int, state: str) -> None:
        self.states.append((profile_id, state))

    @Slot(int, int, int)
    def on_progress(self, profile_id: int, done: int, total: int) -> None:
        self.progress.append((profile_id, done, total))

    @Slot(int, str, bool)
    def on_failed(self, profile_id: int, reason: str, permanent: bool) -> None:
        self.failures.append((profile_id, reason, permanent))

    @Slot(int, object)
    def on_finished(self, _profile_id: int, result: SyncResult) -> None:
        self.results.append(result)


def scheduler_for(
    session_factory: SessionFactory, account: MailAccount, passwords: Passwords | None = None
) -> SyncScheduler:
    return SyncScheduler(
        session_factory,
        passwords or account.passwords,
        profiles=lambda: [account.profile_id],
        retry=FAST,
        pool=QThreadPool(),
    )


def test_a_job_syncs_off_the_gui_thread_and_reports_progress(
    qtbot: QtBot, dovecot: Dovecot, session_factory: SessionFactory, account: MailAccount
) -> None:
    dovecot.deliver(account.login, [simple_message(i) for i in range(12)])
    scheduler = scheduler_for(session_factory, account)
    recorder = Recorder(scheduler)
    with qtbot.waitSignal(scheduler.finished, timeout=20_000):
        assert scheduler.sync(account.profile_id)
        assert not scheduler.sync(account.profile_id)  # one job per profile
    assert recorder.results[0].new == 12
    assert recorder.states == [(account.profile_id, RUNNING), (account.profile_id, DONE)]
    assert recorder.progress[-1] == (account.profile_id, 12, 12)
    qtbot.waitUntil(lambda: not scheduler.is_running(account.profile_id))
    with unit_of_work(session_factory) as session:
        assert session.scalar(select(func.count()).select_from(Message)) == 12


def test_transient_failures_retry_with_backoff_then_report(
    qtbot: QtBot, session_factory: SessionFactory, account: MailAccount
) -> None:
    with unit_of_work(session_factory) as session:
        profile = session.get(Profile, account.profile_id)
        assert profile is not None
        profile.imap_port = free_port()  # nothing listens: connection refused
    scheduler = scheduler_for(session_factory, account)
    recorder = Recorder(scheduler)
    with qtbot.waitSignal(scheduler.failed, timeout=20_000) as failure:
        scheduler.sync(account.profile_id)
    assert failure.args[2] is False
    states = [state for _, state in recorder.states]
    assert states.count(RETRYING) == FAST.attempts - 1
    assert states[-1] == FAILED


def test_a_permanent_failure_stops_the_profile_and_is_reported_once(
    qtbot: QtBot, session_factory: SessionFactory, account: MailAccount
) -> None:
    wrong = Passwords({account.profile_id: "wrong"})
    scheduler = scheduler_for(session_factory, account, wrong)
    recorder = Recorder(scheduler)
    with qtbot.waitSignal(scheduler.failed, timeout=20_000):
        scheduler.sync(account.profile_id)
    qtbot.waitUntil(lambda: not scheduler.is_running(account.profile_id))
    assert RETRYING not in [state for _, state in recorder.states]
    assert recorder.failures == [(account.profile_id, recorder.failures[0][1], True)]
    assert "refused the login" in recorder.failures[0][1]
    assert scheduler.stopped_reason(account.profile_id) is not None
    scheduler.check_schedule()  # periodic sync leaves a stopped profile alone
    assert not scheduler.is_running(account.profile_id)
    assert len(recorder.failures) == 1


def test_cancel_ends_a_job_waiting_to_retry(
    qtbot: QtBot, session_factory: SessionFactory, account: MailAccount
) -> None:
    with unit_of_work(session_factory) as session:
        profile = session.get(Profile, account.profile_id)
        assert profile is not None
        profile.imap_port = free_port()
    scheduler = SyncScheduler(
        session_factory,
        account.passwords,
        retry=RetryPolicy(first=60, attempts=3),
        pool=QThreadPool(),
    )
    recorder = Recorder(scheduler)
    scheduler.sync(account.profile_id)
    qtbot.waitUntil(lambda: (account.profile_id, RETRYING) in recorder.states, timeout=10_000)
    with qtbot.waitSignal(scheduler.state_changed, timeout=5_000) as state:
        scheduler.cancel(account.profile_id)
    assert state.args == [account.profile_id, CANCELLED]
    assert scheduler.wait(5_000)


def test_periodic_sync_runs_when_due_and_at_once_after_the_machine_slept(
    qtbot: QtBot, session_factory: SessionFactory, account: MailAccount
) -> None:
    clocks = {"wall": 1_000_000.0, "mono": 50.0}
    scheduler = SyncScheduler(
        session_factory,
        account.passwords,
        profiles=lambda: [account.profile_id],
        interval=300,
        pool=QThreadPool(),
        wall_clock=lambda: clocks["wall"],
        monotonic=lambda: clocks["mono"],
    )
    recorder = Recorder(scheduler)

    def tick(wall: float, mono: float) -> None:
        clocks["wall"] += wall
        clocks["mono"] += mono
        scheduler.check_schedule()
        assert scheduler.wait(20_000)
        qtbot.waitUntil(lambda: not scheduler.is_running(account.profile_id))

    tick(30, 30)  # never synced: due
    assert len(recorder.results) == 1
    tick(30, 30)  # synced 30 s ago: not due
    assert len(recorder.results) == 1
    tick(3600, 5)  # the wall clock ran an hour while monotonic time stood: the machine slept
    qtbot.waitUntil(lambda: len(recorder.results) == 2)
    tick(300, 300)  # due again by the interval
    qtbot.waitUntil(lambda: len(recorder.results) == 3)


def test_opening_a_message_sets_seen_on_the_server_at_once(
    qtbot: QtBot,
    dovecot: Dovecot,
    session_factory: SessionFactory,
    account: MailAccount,
    user_id: int,
) -> None:
    dovecot.deliver(account.login, [simple_message(i) for i in range(3)])
    scheduler = scheduler_for(session_factory, account)
    with qtbot.waitSignal(scheduler.finished, timeout=20_000):
        scheduler.sync(account.profile_id)
    newest = Inbox(session_factory).page(user_id, limit=1)[0]
    assert Inbox(session_factory).open(user_id, newest.id) is not None
    with qtbot.waitSignal(scheduler.flags_pushed, timeout=20_000) as pushed:
        scheduler.push_flags(account.profile_id)
    assert pushed.args == [account.profile_id, 1]
    assert scheduler.wait(10_000)
    with unit_of_work(session_factory) as session:
        uid = session.scalar(select(Message.uid).where(Message.id == newest.id))
    with server_client(dovecot, account.login) as client:
        assert b"\\Seen" in client.get_flags([uid])[uid]


def test_cancel_stops_a_running_sync_between_batches_keeping_what_it_stored(
    qtbot: QtBot,
    dovecot: Dovecot,
    session_factory: SessionFactory,
    account: MailAccount,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(imap_sync, "HEADERS_FIRST", 0)
    monkeypatch.setattr(imap_sync, "BODY_BATCH", 20)
    dovecot.deliver(account.login, [simple_message(i) for i in range(400)])
    scheduler = scheduler_for(session_factory, account)
    recorder = Recorder(scheduler)
    scheduler.progress.connect(lambda *_: scheduler.cancel(account.profile_id))
    scheduler.sync(account.profile_id)
    qtbot.waitUntil(lambda: (account.profile_id, CANCELLED) in recorder.states, timeout=20_000)
    assert scheduler.wait(10_000)
    assert recorder.results == []
    with unit_of_work(session_factory) as session:
        kept = session.scalar(select(func.count()).select_from(Message)) or 0
    assert 20 <= kept < 400
