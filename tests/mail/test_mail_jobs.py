"""The per-profile owner of server work: events, retries as timer entries, permanent failures
reported once, one ordered connection per profile, cancellation that does not wait for a server
that never answers, and the periodic schedule. Against the real Dovecot, without Qt."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest
from dovecot import Dovecot, free_port
from mail_helpers import (
    MailAccount,
    Passwords,
    Recorder,
    actor_of,
    mail_sync,
    server_client,
    simple_message,
)
from sqlalchemy import func, select

from desktop.services.mail import imap_sync
from desktop.services.mail.inbox import Inbox
from desktop.services.mail.sync_owner import (
    Failed,
    Finished,
    FlagsPushed,
    MailSync,
    Progressed,
    RetryPolicy,
    StateChanged,
    SyncState,
)
from desktop.services.mail.sync_schedule import SyncSchedule
from desktop.store.models import EgressEvent, Message, Profile
from desktop.store.session import SessionFactory, unit_of_work

pytestmark = pytest.mark.imap

FAST = RetryPolicy(first=0.01, factor=2.0, cap=0.05, attempts=4)
STUCK_FOR_S = 3600.0
"""A silent server's connection timeout: past any wait of the tests, so only a cancel ends it."""


@pytest.fixture
def owner(session_factory: SessionFactory, account: MailAccount) -> Iterator[MailSync]:
    sync = mail_sync(session_factory, account.passwords, retry=FAST)
    yield sync
    assert sync.close()


def _point_at(session_factory: SessionFactory, profile_id: int, port: int) -> None:
    with unit_of_work(session_factory) as session:
        profile = session.get_one(Profile, profile_id)
        profile.imap_port = port


def test_a_sync_runs_off_the_callers_thread_and_reports_progress(
    dovecot: Dovecot, session_factory: SessionFactory, account: MailAccount, owner: MailSync
) -> None:
    dovecot.deliver(account.login, [simple_message(i) for i in range(12)])
    recorder = Recorder(owner)
    actor = actor_of(session_factory, account.profile_id)
    assert owner.sync(actor, account.profile_id)
    assert not owner.sync(actor, account.profile_id)  # one sync per profile at a time
    recorder.wait_for(lambda events: any(isinstance(e, Finished) for e in events))
    finished = recorder.of(Finished)[0]
    assert isinstance(finished, Finished)
    assert finished.result.new == 12
    assert recorder.states(account.profile_id) == [SyncState.RUNNING, SyncState.DONE]
    assert recorder.of(Progressed)[-1] == Progressed(account.profile_id, 12, 12)
    with unit_of_work(session_factory) as session:
        assert session.scalar(select(func.count()).select_from(Message)) == 12


def test_transient_failures_retry_with_backoff_then_report(
    session_factory: SessionFactory, account: MailAccount, owner: MailSync
) -> None:
    _point_at(session_factory, account.profile_id, free_port())  # nothing listens: refused
    recorder = Recorder(owner)
    owner.sync(actor_of(session_factory, account.profile_id), account.profile_id)
    recorder.wait_for(lambda events: any(isinstance(e, Failed) for e in events))
    failure = recorder.of(Failed)[0]
    assert isinstance(failure, Failed)
    assert not failure.permanent
    states = recorder.states(account.profile_id)
    assert states.count(SyncState.RETRYING) == FAST.attempts - 1
    assert states[-1] == SyncState.FAILED
    assert owner.stopped_reason(account.profile_id) is None  # periodic sync will try again


def test_a_permanent_failure_stops_the_profile_and_is_reported_once(
    session_factory: SessionFactory, account: MailAccount
) -> None:
    owner = mail_sync(session_factory, Passwords({account.profile_id: "wrong"}), retry=FAST)
    recorder = Recorder(owner)
    actor = actor_of(session_factory, account.profile_id)
    owner.sync(actor, account.profile_id)
    recorder.wait_for(lambda events: any(isinstance(e, Failed) for e in events))
    assert SyncState.RETRYING not in recorder.states(account.profile_id)
    failure = recorder.of(Failed)[0]
    assert isinstance(failure, Failed)
    assert failure.permanent
    assert "refused the login" in failure.reason
    assert owner.stopped_reason(account.profile_id) is not None
    assert not owner.sync(actor, account.profile_id, periodic=True)  # left alone
    assert not owner.is_syncing(account.profile_id)
    assert len(recorder.of(Failed)) == 1
    assert owner.sync(actor, account.profile_id)  # the user asking lifts the stop
    recorder.wait_for(lambda events: len([e for e in events if isinstance(e, Failed)]) == 2)
    assert owner.close()


def test_a_retry_is_a_timer_entry_that_cancel_removes(
    session_factory: SessionFactory, account: MailAccount
) -> None:
    _point_at(session_factory, account.profile_id, free_port())
    owner = mail_sync(session_factory, account.passwords, retry=RetryPolicy(first=60, attempts=3))
    recorder = Recorder(owner)
    owner.sync(actor_of(session_factory, account.profile_id), account.profile_id)
    recorder.wait_for(lambda _: SyncState.RETRYING in recorder.states(account.profile_id))
    assert owner.is_syncing(account.profile_id)
    owner.cancel(account.profile_id)
    assert recorder.states(account.profile_id)[-1] == SyncState.CANCELLED
    assert not owner.is_syncing(account.profile_id)
    assert owner.close()  # well before the retry's minute


def test_a_flag_push_queued_behind_a_sync_runs_after_it_on_the_same_connection(
    dovecot: Dovecot, session_factory: SessionFactory, account: MailAccount, user_id: int
) -> None:
    dovecot.deliver(account.login, [simple_message(i) for i in range(50)])
    owner = mail_sync(session_factory, account.passwords)
    recorder = Recorder(owner)
    actor = actor_of(session_factory, account.profile_id)
    owner.sync(actor, account.profile_id)
    recorder.wait_for(lambda events: any(isinstance(e, Finished) for e in events))
    newest = Inbox(session_factory).page(user_id, limit=1)[0]
    assert Inbox(session_factory).open(user_id, newest.id) is not None
    dovecot.deliver(account.login, [simple_message(i) for i in range(50, 300)])
    assert owner.sync(actor, account.profile_id)
    owner.push_flags(actor, account.profile_id)
    recorder.wait_for(lambda events: any(isinstance(e, FlagsPushed) for e in events))
    order = [type(e) for e in recorder.events if not isinstance(e, Progressed | StateChanged)]
    assert order == [Finished, Finished, FlagsPushed]  # the second sync ran first
    assert owner.close()
    with unit_of_work(session_factory) as session:
        events = session.scalars(select(EgressEvent)).all()
    assert len(events) == 1  # both syncs and the push: one connection, logged out at the end
    assert {"UID SEARCH", "UID FETCH", "LOGOUT"} <= set(events[0].commands.split(","))


def test_opening_a_message_sets_seen_on_the_server_at_once(
    dovecot: Dovecot,
    session_factory: SessionFactory,
    account: MailAccount,
    user_id: int,
    owner: MailSync,
) -> None:
    dovecot.deliver(account.login, [simple_message(i) for i in range(3)])
    recorder = Recorder(owner)
    actor = actor_of(session_factory, account.profile_id)
    owner.sync(actor, account.profile_id)
    recorder.wait_for(lambda events: any(isinstance(e, Finished) for e in events))
    newest = Inbox(session_factory).page(user_id, limit=1)[0]
    assert Inbox(session_factory).open(user_id, newest.id) is not None
    owner.push_flags(actor, account.profile_id)
    recorder.wait_for(lambda events: any(isinstance(e, FlagsPushed) for e in events))
    assert recorder.of(FlagsPushed) == [FlagsPushed(account.profile_id, 1)]
    with unit_of_work(session_factory) as session:
        uid = session.scalar(select(Message.uid).where(Message.id == newest.id))
    assert uid is not None
    with server_client(dovecot, account.login) as client:
        assert b"\\Seen" in client.get_flags([uid])[uid]


def test_cancel_stops_a_running_sync_between_batches_keeping_what_it_stored(
    dovecot: Dovecot,
    session_factory: SessionFactory,
    account: MailAccount,
    owner: MailSync,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(imap_sync, "FIRST_BATCH", 20)
    monkeypatch.setattr(imap_sync, "BODY_BATCH", 20)
    dovecot.deliver(account.login, [simple_message(i) for i in range(400)])
    recorder = Recorder(owner)
    owner.add_listener(
        lambda event: owner.cancel(account.profile_id) if isinstance(event, Progressed) else None
    )
    owner.sync(actor_of(session_factory, account.profile_id), account.profile_id)
    recorder.wait_for(lambda _: SyncState.CANCELLED in recorder.states(account.profile_id))
    assert recorder.of(Finished) == []
    with unit_of_work(session_factory) as session:
        kept = session.scalar(select(func.count()).select_from(Message)) or 0
    assert 20 <= kept < 400


class SilentServer:
    """Accepts connections and never says a word (a hung server, a firewall's black hole)."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        self.connected = threading.Event()
        self._held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        try:
            while True:
                connection, _ = self.listener.accept()
                self._held.append(connection)
                self.connected.set()
        except OSError:
            return  # closed

    def close(self) -> None:
        for connection in self._held:
            connection.close()
        self.listener.close()


class FullBacklog:
    """A port whose accept queue is full, so a connect hangs (SYNs dropped) until its timeout."""

    def __init__(self) -> None:
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(0)
        self.port = int(self.listener.getsockname()[1])
        self.fillers = []
        for _ in range(3):
            filler = socket.socket()
            filler.setblocking(False)
            filler.connect_ex(("127.0.0.1", self.port))
            self.fillers.append(filler)

    def close(self) -> None:
        for filler in self.fillers:
            filler.close()
        self.listener.close()


@pytest.mark.parametrize("stuck_in", ["read", "connect"])
def test_cancel_ends_a_sync_stuck_on_a_silent_server(
    session_factory: SessionFactory, account: MailAccount, stuck_in: str
) -> None:
    """The connection's own timeout is an hour, so only the cancel can end the sync in time."""
    server = SilentServer() if stuck_in == "read" else FullBacklog()
    _point_at(session_factory, account.profile_id, server.port)
    owner = mail_sync(session_factory, account.passwords, timeout=STUCK_FOR_S)
    recorder = Recorder(owner)
    try:
        owner.sync(actor_of(session_factory, account.profile_id), account.profile_id)
        if isinstance(server, SilentServer):
            assert server.connected.wait(10)  # the greeting read is now blocked
        else:
            recorder.wait_for(lambda _: SyncState.RUNNING in recorder.states(account.profile_id))
        owner.cancel(account.profile_id)
        recorder.wait_for(lambda _: SyncState.CANCELLED in recorder.states(account.profile_id))
        assert owner.close(), "the profile's thread is still waiting for the server"
        assert recorder.of(Finished) == []
    finally:
        server.close()


def test_plain_imap_to_another_host_is_refused_before_any_connection(
    session_factory: SessionFactory, account: MailAccount, owner: MailSync
) -> None:
    with unit_of_work(session_factory) as session:
        profile = session.get_one(Profile, account.profile_id)
        profile.imap_host, profile.imap_security = "192.0.2.1", "none"  # TEST-NET-1
    recorder = Recorder(owner)
    owner.sync(actor_of(session_factory, account.profile_id), account.profile_id)
    recorder.wait_for(lambda events: any(isinstance(e, Failed) for e in events))
    failure = recorder.of(Failed)[0]
    assert isinstance(failure, Failed)
    assert failure.permanent
    assert "refusing plain IMAP to 192.0.2.1" in failure.reason
    with unit_of_work(session_factory) as session:
        assert session.scalar(select(func.count()).select_from(EgressEvent)) == 0  # no attempt


def test_the_schedule_syncs_when_due_and_at_once_after_the_machine_slept() -> None:
    clocks = {"wall": 1_000_000.0, "mono": 50.0}
    schedule = SyncSchedule(
        300, wall_clock=lambda: clocks["wall"], monotonic=lambda: clocks["mono"]
    )

    def tick(wall: float, mono: float) -> list[int]:
        clocks["wall"] += wall
        clocks["mono"] += mono
        return schedule.due([1, 2])

    assert tick(30, 30) == [1, 2]  # never synced: due
    assert tick(30, 30) == []  # synced 30 s ago
    schedule.started(1)  # the user synced profile 1 by hand
    assert tick(3600, 5) == [1, 2]  # the wall clock ran an hour, monotonic time stood: slept
    assert tick(200, 200) == []
    assert tick(100, 100) == [1, 2]  # due again by the interval
