"""New mail within seconds: each profile's INBOX held in IMAP IDLE against the real Dovecot.

Mail delivered while idling is in the store within 3 s, by an INBOX-only sync in the profile's
queue; a burst of deliveries is one or two syncs, not one per message; the watch comes back after
the server restarts; stopping is prompt even when the server never answers; the IDLE connection
is in the egress audit; and a server without IDLE leaves the profile to its periodic sync.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
from dovecot import MAIL_SERVER_PASSWORD, Dovecot, free_port
from mail_helpers import (
    MailAccount,
    Recorder,
    actor_of,
    configure_server,
    mail_sync,
    simple_message,
)
from sqlalchemy import select

from desktop.services.mail.idle_watch import IdlePolicy
from desktop.services.mail.sync_owner import (
    MailSync,
    RetryPolicy,
    StateChanged,
    SyncEvent,
    SyncState,
    Watching,
)
from desktop.store.models import EgressEvent, Message, Profile
from desktop.store.session import SessionFactory, unit_of_work

pytestmark = pytest.mark.imap

QUICK = IdlePolicy(first_retry=0.05, retry_cap=0.2)
RENEWING = IdlePolicy(renew=0.3, look_every=0.1, first_retry=0.05, retry_cap=0.2)
"""IDLE re-issued every 0.3 s, so deliveries also land while it is being renewed."""
WAIT_S = 20.0
"""Nothing but the watch syncs here, so mail stored within this came by IDLE (the delay itself is
measured by ``bench idle``, not by a timed test)."""


@pytest.fixture(params=[QUICK, RENEWING], ids=["idle", "renewing"])
def owner(
    session_factory: SessionFactory, account: MailAccount, request: pytest.FixtureRequest
) -> Iterator[MailSync]:
    sync = mail_sync(session_factory, account.passwords, idle=request.param)
    yield sync
    assert sync.close()


def _watch(owner: MailSync, session_factory: SessionFactory, profile_id: int) -> Recorder:
    """Start watching and wait until IDLE runs and the catch-up sync of the INBOX is done."""
    recorder = Recorder(owner)
    assert owner.watch_inbox(actor_of(session_factory, profile_id), profile_id)
    recorder.wait_for(recorder.watching())
    recorder.wait_for(lambda events: bool(recorder.finished()))
    return recorder


def _subjects(session_factory: SessionFactory, profile_id: int) -> set[str]:
    with unit_of_work(session_factory) as session:
        return set(session.scalars(select(Message.subject).where(Message.profile_id == profile_id)))


def test_mail_delivered_while_idling_is_stored_by_an_inbox_sync(
    owner: MailSync, session_factory: SessionFactory, account: MailAccount, dovecot: Dovecot
) -> None:
    recorder = _watch(owner, session_factory, account.profile_id)
    assert owner.is_watching(account.profile_id)
    before = len(recorder.finished())

    dovecot.deliver(account.login, [simple_message(1, "Discharge letter")])
    recorder.wait_for(recorder.synced(1), timeout=WAIT_S)
    assert "Discharge letter" in _subjects(session_factory, account.profile_id)
    inbox_only = recorder.finished()[before:]
    assert [f.result.folders for f in inbox_only] == [1] * len(inbox_only)
    # An INBOX sync is reported like any sync, so the window shows it and announces the mail.
    assert SyncState.RUNNING in [e.state for e in recorder.events if isinstance(e, StateChanged)]


def test_a_burst_of_deliveries_is_a_sync_or_two_not_one_per_message(
    owner: MailSync, session_factory: SessionFactory, account: MailAccount, dovecot: Dovecot
) -> None:
    recorder = _watch(owner, session_factory, account.profile_id)
    before = len(recorder.finished())

    for number in range(20):
        dovecot.deliver(account.login, [simple_message(number, f"Result {number}")])
    recorder.wait_for(recorder.synced(20), timeout=10)

    assert len(_subjects(session_factory, account.profile_id)) == 20
    assert len(recorder.finished()) - before <= 3


def _lost(events: list[SyncEvent]) -> bool:
    return any(isinstance(e, Watching) and not e.watching for e in events)


@pytest.fixture
def own_dovecot() -> Iterator[Dovecot]:
    """A Dovecot of this test's own, to stop and start without disturbing the others."""
    server = Dovecot(MAIL_SERVER_PASSWORD)
    server.start()
    yield server
    server.destroy()


def test_the_watch_comes_back_after_the_server_dies_and_restarts(
    session_factory: SessionFactory, account: MailAccount, own_dovecot: Dovecot
) -> None:
    login = own_dovecot.add_user()
    configure_server(session_factory, account.profile_id, own_dovecot, login)
    owner = mail_sync(session_factory, account.passwords, idle=QUICK)
    try:
        recorder = _watch(owner, session_factory, account.profile_id)

        own_dovecot.kill()  # as a crash would; a clean stop closes IDLE connections ~10 s later
        recorder.wait_for(_lost)
        assert not owner.is_watching(account.profile_id)
        own_dovecot.deliver(login, [simple_message(1, "Sent while the server was down")])
        own_dovecot.start()

        recorder.wait_for(recorder.watching(2))
        recorder.wait_for(recorder.synced(1), timeout=WAIT_S)
        own_dovecot.deliver(login, [simple_message(2, "Sent after the restart")])
        recorder.wait_for(recorder.synced(2), timeout=WAIT_S)
    finally:
        assert owner.close()


def test_stopping_is_prompt_and_the_idle_connection_is_in_the_egress_audit(
    owner: MailSync, session_factory: SessionFactory, account: MailAccount
) -> None:
    _watch(owner, session_factory, account.profile_id)

    assert owner.close(timeout=2.0)

    with unit_of_work(session_factory) as session:
        commands = [
            event.commands.split(",")
            for event in session.scalars(
                select(EgressEvent).where(EgressEvent.profile_id == account.profile_id)
            )
        ]
    idle = [names for names in commands if "IDLE" in names]
    assert len(idle) == 1
    assert "EXAMINE" in idle[0]  # read-only: watching never marks mail seen
    assert "SELECT" not in idle[0]


def test_stopping_is_prompt_when_the_server_never_answers(
    session_factory: SessionFactory, account: MailAccount
) -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", free_port()))
        silent.listen()
        with unit_of_work(session_factory) as session:
            session.get_one(Profile, account.profile_id).imap_port = silent.getsockname()[1]
        owner = mail_sync(session_factory, account.passwords, idle=QUICK)
        assert owner.watch_inbox(actor_of(session_factory, account.profile_id), account.profile_id)
        accepted, _address = silent.accept()  # the TLS handshake now waits for an answer
        with accepted:
            owner.stop_watching(account.profile_id)
            assert owner.close(timeout=2.0)


class Relay:
    """A TCP relay to the Dovecot whose connections can go dead without closing, as a machine's
    do when it sleeps: what is sent on them afterwards is dropped, and no FIN or RST comes."""

    def __init__(self, port: int) -> None:
        self._target = port
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self._open: list[tuple[socket.socket, socket.socket]] = []
        self._dead: set[int] = set()
        threading.Thread(target=self._accept, daemon=True).start()

    def kill_open_connections(self) -> None:
        with self._lock:
            self._dead.update(id(pair) for pair in self._open)

    def close(self) -> None:
        self._listener.close()
        with self._lock:
            for pair in self._open:
                for end in pair:
                    end.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _address = self._listener.accept()
            except OSError:
                return
            pair = (client, socket.create_connection(("127.0.0.1", self._target)))
            with self._lock:
                self._open.append(pair)
            for source, sink in (pair, pair[::-1]):
                threading.Thread(target=self._pump, args=(pair, source, sink), daemon=True).start()

    def _pump(self, pair: object, source: socket.socket, sink: socket.socket) -> None:
        while True:
            try:
                data = source.recv(65536)
                if not data:
                    sink.shutdown(socket.SHUT_WR)
                    return
                with self._lock:
                    dead = id(pair) in self._dead
                if not dead:
                    sink.sendall(data)
            except OSError:
                return


def test_after_a_sleep_a_dead_connection_is_replaced_at_once(
    session_factory: SessionFactory, account: MailAccount, dovecot: Dovecot
) -> None:
    """A wall clock an hour ahead (the machine slept) tests the connection before any renewal."""
    relay = Relay(dovecot.imaps_port)
    with unit_of_work(session_factory) as session:
        session.get_one(Profile, account.profile_id).imap_port = relay.port
    hours_asleep = [0.0]
    policy = IdlePolicy(
        look_every=0.1,
        first_retry=0.05,
        wall_clock=lambda: time.time() + hours_asleep[0] * 3600,
    )
    owner = mail_sync(session_factory, account.passwords, idle=policy, timeout=0.5)
    try:
        recorder = _watch(owner, session_factory, account.profile_id)
        relay.kill_open_connections()
        dovecot.deliver(account.login, [simple_message(1, "Arrived during the night")])
        hours_asleep[0] = 1.0

        recorder.wait_for(recorder.watching(2), timeout=5)
        recorder.wait_for(recorder.synced(1), timeout=5)
        assert "Arrived during the night" in _subjects(session_factory, account.profile_id)
    finally:
        assert owner.close()
        relay.close()


class DovecotWithoutIdle(Dovecot):
    def _config_text(self) -> str:
        return super()._config_text() + "imap_capability = IMAP4rev1 LITERAL+ UIDPLUS\n"


def test_a_server_without_idle_leaves_the_profile_to_its_periodic_sync(
    session_factory: SessionFactory, account: MailAccount
) -> None:
    server = DovecotWithoutIdle(MAIL_SERVER_PASSWORD)
    server.start()
    try:
        configure_server(session_factory, account.profile_id, server, server.add_user())
        owner = mail_sync(session_factory, account.passwords, retry=RetryPolicy(attempts=1))
        recorder = Recorder(owner)
        assert owner.watch_inbox(actor_of(session_factory, account.profile_id), account.profile_id)
        recorder.wait_for(_lost)
        assert recorder.events == [
            Watching(account.profile_id, False, "The mail server cannot announce new mail.")
        ]
        assert not owner.is_watching(account.profile_id)
        assert owner.close()
    finally:
        server.destroy()
