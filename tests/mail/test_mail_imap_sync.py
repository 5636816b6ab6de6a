"""IMAP sync against a real Dovecot: first and incremental sync, flags, expunge, UIDVALIDITY,
a server killed mid-sync, and the failures a user must be told about."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from dovecot import Dovecot, free_port, make_certificate
from mail_helpers import (
    PASSWORD,
    MailAccount,
    Passwords,
    assert_full_text_index_matches,
    configure_server,
    push_flags_now,
    server_client,
    simple_message,
    sync_profile,
)
from sqlalchemy import func, select

from desktop.services.mail import imap_sync
from desktop.services.mail.connection import AuditedClient, Fetched
from desktop.services.mail.imap_sync import (
    AuthenticationError,
    CertificateError,
    ConnectionProblemError,
    NotConfiguredError,
    SyncProgress,
)
from desktop.services.mail.inbox import Inbox
from desktop.services.mail.parse import ParsedMessage
from desktop.store.models import EgressEvent, MailServerOption, MailSyncState, Message, Profile
from desktop.store.session import SessionFactory, unit_of_work

pytestmark = pytest.mark.imap

INBOX = ["INBOX"]


def stored(session_factory: SessionFactory, profile_id: int) -> list[Message]:
    with unit_of_work(session_factory) as session:
        return list(
            session.scalars(
                select(Message).where(Message.profile_id == profile_id).order_by(Message.uid)
            )
        )


def test_first_sync_stores_every_message_with_body_and_flags_without_marking_read(
    dovecot: Dovecot,
    session_factory: SessionFactory,
    account: MailAccount,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(imap_sync, "FIRST_BATCH", 5)
    monkeypatch.setattr(imap_sync, "BODY_BATCH", 10)
    dovecot.deliver(account.login, [simple_message(i) for i in range(20)])
    dovecot.deliver(account.login, [simple_message(i) for i in range(20, 25)], seen=True)
    reports: list[SyncProgress] = []
    result = sync_profile(
        session_factory, account.profile_id, account.passwords, progress=reports.append
    )
    assert (result.new, result.bodies, result.removed) == (25, 25, 0)
    messages = stored(session_factory, account.profile_id)
    assert len(messages) == 25
    assert all(m.body_loaded and m.text.startswith("Body of message") for m in messages)
    assert sorted(m.subject for m in messages if m.seen) == sorted(
        f"Message number {i}" for i in range(20, 25)
    )
    # A small first batch for the inbox to show at once, then full ones.
    assert [(p.done, p.total) for p in reports] == [(5, 25), (15, 25), (25, 25)]
    with server_client(dovecot, account.login) as client:
        unseen = client.search("UNSEEN")
    assert len(unseen) == 20  # BODY.PEEK: syncing marked nothing read
    with unit_of_work(session_factory) as session:
        state = session.scalars(select(MailSyncState)).one()
        assert (state.folder, state.highest_uid) == ("INBOX", 25)
        assert state.highest_modseq


def test_first_sync_fetches_and_parses_each_message_once_fetching_beside_parsing(
    dovecot: Dovecot,
    session_factory: SessionFactory,
    account: MailAccount,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(imap_sync, "FIRST_BATCH", 10)
    monkeypatch.setattr(imap_sync, "BODY_BATCH", 25)
    dovecot.deliver(account.login, [simple_message(i) for i in range(80)])
    fetched: list[int] = []
    parsed: list[bytes] = []
    fetch_threads: set[int] = set()
    parse_threads: set[int] = set()
    fetch_messages = AuditedClient.fetch_messages
    parse_message = imap_sync.parse_message

    def counted_fetch(client: AuditedClient, uids: list[int], part: str) -> list[Fetched]:
        fetch_threads.add(threading.get_ident())
        fetched.extend(uids)
        return fetch_messages(client, uids, part)

    def counted_parse(raw: bytes, fallback: datetime | None = None) -> ParsedMessage:
        parse_threads.add(threading.get_ident())
        parsed.append(raw)
        return parse_message(raw, fallback)

    monkeypatch.setattr(AuditedClient, "fetch_messages", counted_fetch)
    monkeypatch.setattr(imap_sync, "parse_message", counted_parse)
    result = sync_profile(session_factory, account.profile_id, account.passwords)
    assert (result.new, result.bodies) == (80, 80)
    assert sorted(fetched) == list(range(1, 81))
    assert fetched[:10] == list(range(80, 70, -1))  # newest first
    assert len(parsed) == len(set(parsed)) == 80
    assert fetch_threads.isdisjoint(parse_threads)
    assert all(m.body_loaded for m in stored(session_factory, account.profile_id))


def test_incremental_sync_fetches_only_new_mail(
    dovecot: Dovecot, session_factory: SessionFactory, account: MailAccount
) -> None:
    dovecot.deliver(account.login, [simple_message(i) for i in range(10)])
    sync_profile(session_factory, account.profile_id, account.passwords)
    first_ids = {m.id for m in stored(session_factory, account.profile_id)}
    dovecot.deliver(account.login, [simple_message(i) for i in range(10, 13)])
    result = sync_profile(session_factory, account.profile_id, account.passwords)
    assert (result.new, result.bodies, result.removed) == (3, 3, 0)
    messages = stored(session_factory, account.profile_id)
    assert len(messages) == 13
    assert first_ids < {m.id for m in messages}
    again = sync_profile(session_factory, account.profile_id, account.passwords)
    assert (again.new, again.bodies, again.flags_changed) == (0, 0, 0)


def test_flags_travel_both_ways(
    dovecot: Dovecot, session_factory: SessionFactory, account: MailAccount, user_id: int
) -> None:
    dovecot.deliver(account.login, [simple_message(i) for i in range(5)])
    sync_profile(session_factory, account.profile_id, account.passwords)
    with server_client(dovecot, account.login) as client:
        client.add_flags([1], [b"\\Flagged"])
        client.add_flags([2], [b"\\Seen"])
    result = sync_profile(session_factory, account.profile_id, account.passwords)
    assert result.flags_changed == 2
    by_uid = {m.uid: m for m in stored(session_factory, account.profile_id)}
    assert by_uid[1].flagged
    assert by_uid[2].seen
    assert not by_uid[3].seen

    inbox = Inbox(session_factory)
    assert inbox.open(user_id, by_uid[4].id) is not None
    assert inbox.mark_seen(user_id, by_uid[2].id, seen=False)
    assert push_flags_now(session_factory, account.profile_id, account.passwords) == 2
    with server_client(dovecot, account.login) as client:
        flags = client.get_flags([2, 4])
    assert b"\\Seen" in flags[4]
    assert b"\\Seen" not in flags[2]
    assert not any(m.flags_dirty for m in stored(session_factory, account.profile_id))
    assert sync_profile(session_factory, account.profile_id, account.passwords).flags_changed == 0


def test_mail_expunged_on_the_server_disappears_locally(
    dovecot: Dovecot, session_factory: SessionFactory, account: MailAccount
) -> None:
    dovecot.deliver(account.login, [simple_message(i) for i in range(6)])
    sync_profile(session_factory, account.profile_id, account.passwords)
    with server_client(dovecot, account.login) as client:
        client.delete_messages([2, 5])
        client.expunge()
    result = sync_profile(session_factory, account.profile_id, account.passwords)
    assert result.removed == 2
    assert [m.uid for m in stored(session_factory, account.profile_id)] == [1, 3, 4, 6]
    assert_full_text_index_matches(session_factory)


def test_a_changed_uidvalidity_triggers_a_clean_resync(
    dovecot: Dovecot, session_factory: SessionFactory, account: MailAccount
) -> None:
    dovecot.deliver(account.login, [simple_message(i) for i in range(4)])
    sync_profile(session_factory, account.profile_id, account.passwords)
    before = stored(session_factory, account.profile_id)[0].uidvalidity
    assert before is not None
    dovecot.doveadm(
        "mailbox", "update", "-u", account.login, "--uid-validity", str(before + 7), "INBOX"
    )
    result = sync_profile(session_factory, account.profile_id, account.passwords)
    assert result.resynced_folders == 1
    messages = stored(session_factory, account.profile_id)
    assert len(messages) == 4
    assert {m.uidvalidity for m in messages} == {before + 7}
    with unit_of_work(session_factory) as session:
        assert session.scalars(select(MailSyncState.uidvalidity)).one() == before + 7


@dataclass(frozen=True)
class OwnServer:
    server: Dovecot
    login: str
    passwords: Passwords


@pytest.fixture
def own_server(session_factory: SessionFactory, profile_id: int) -> Iterator[OwnServer]:
    """A Dovecot of the test's own, set up for ``profile_id``: these tests kill and restart it."""
    own = Dovecot(PASSWORD)
    try:
        own.start()
        login = own.add_user()
        configure_server(session_factory, profile_id, own, login)
        yield OwnServer(own, login, Passwords({profile_id: PASSWORD}))
    finally:
        own.destroy()


def test_a_server_killed_mid_sync_loses_and_duplicates_nothing(
    session_factory: SessionFactory,
    profile_id: int,
    own_server: OwnServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    own, passwords = own_server.server, own_server.passwords
    own.deliver(own_server.login, [simple_message(i) for i in range(500)])
    monkeypatch.setattr(imap_sync, "FIRST_BATCH", 50)
    monkeypatch.setattr(imap_sync, "BODY_BATCH", 50)

    def kill_during_sync(progress: SyncProgress) -> None:
        if progress.done == 100:
            own.kill()

    with pytest.raises(ConnectionProblemError):
        sync_profile(session_factory, profile_id, passwords, progress=kill_during_sync)
    partial = stored(session_factory, profile_id)
    # The two batches before the kill, and the one fetched ahead if it had arrived by then:
    # each a whole message, newest first.
    assert len(partial) in {100, 150}
    assert sorted(m.uid for m in partial) == list(range(501 - len(partial), 501))
    assert all(m.body_loaded for m in partial)

    own.start()
    sync_profile(session_factory, profile_id, passwords)
    messages = stored(session_factory, profile_id)
    assert len(messages) == 500
    assert len({m.uid for m in messages}) == 500
    assert all(m.body_loaded for m in messages)
    assert_full_text_index_matches(session_factory)


def test_a_server_killed_after_the_first_batch_resumes_without_duplicates(
    session_factory: SessionFactory,
    profile_id: int,
    own_server: OwnServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    own, passwords = own_server.server, own_server.passwords
    own.deliver(own_server.login, [simple_message(i) for i in range(300)])
    monkeypatch.setattr(imap_sync, "FIRST_BATCH", 100)
    monkeypatch.setattr(imap_sync, "BODY_BATCH", 50)

    def kill_after_first_batch(progress: SyncProgress) -> None:
        if progress.done == 100:
            own.kill()

    with pytest.raises(ConnectionProblemError):
        sync_profile(session_factory, profile_id, passwords, progress=kill_after_first_batch)
    assert len(stored(session_factory, profile_id)) in {100, 150}
    own.start()
    sync_profile(session_factory, profile_id, passwords)
    messages = stored(session_factory, profile_id)
    assert sorted(m.uid for m in messages) == list(range(1, 301))


def test_a_wrong_password_is_a_permanent_authentication_error(
    session_factory: SessionFactory, account: MailAccount
) -> None:
    wrong = Passwords({account.profile_id: "not the password"})
    with pytest.raises(AuthenticationError, match=account.login) as caught:
        sync_profile(session_factory, account.profile_id, wrong)
    assert caught.value.permanent


def test_no_stored_password_is_reported_before_connecting(
    session_factory: SessionFactory, account: MailAccount
) -> None:
    with pytest.raises(NotConfiguredError, match="no password"):
        sync_profile(session_factory, account.profile_id, Passwords())


def test_an_untrusted_certificate_is_a_permanent_error(
    dovecot: Dovecot, tmp_path: Path, session_factory: SessionFactory, account: MailAccount
) -> None:
    other_cert, _ = make_certificate(tmp_path, "localhost")
    configure_server(
        session_factory, account.profile_id, dovecot, account.login, ca_file=str(other_cert)
    )
    with pytest.raises(CertificateError, match="not trusted") as caught:
        sync_profile(session_factory, account.profile_id, account.passwords)
    assert caught.value.permanent
    with unit_of_work(session_factory) as session:
        profile = session.get(Profile, account.profile_id)
        assert profile is not None
        profile.ca_file = None  # the system's CAs do not know the test certificate either
    with pytest.raises(CertificateError):
        sync_profile(session_factory, account.profile_id, account.passwords)


def test_a_certificate_for_another_host_is_a_permanent_error(
    session_factory: SessionFactory, profile_id: int
) -> None:
    impostor = Dovecot(PASSWORD, certificate_name="mail.elsewhere.example")
    try:
        impostor.start()
        login = impostor.add_user()
        configure_server(session_factory, profile_id, impostor, login)  # its cert is trusted
        with pytest.raises(CertificateError, match="not trusted") as caught:
            sync_profile(session_factory, profile_id, Passwords({profile_id: PASSWORD}))
        assert "mismatch" in str(caught.value)
        assert caught.value.permanent
    finally:
        impostor.destroy()


def test_a_server_that_is_down_is_a_transient_error(
    session_factory: SessionFactory, account: MailAccount
) -> None:
    with unit_of_work(session_factory) as session:
        profile = session.get(Profile, account.profile_id)
        assert profile is not None
        profile.imap_port = free_port()
    with pytest.raises(ConnectionProblemError, match="failed") as caught:
        sync_profile(session_factory, account.profile_id, account.passwords, timeout=3)
    assert not caught.value.permanent
    with unit_of_work(session_factory) as session:
        event = session.scalars(select(EgressEvent)).one()
        assert event.outcome.startswith("failed")
        assert event.bytes_out == 0


def test_starttls_works_and_plain_is_allowed_to_loopback_only(
    dovecot: Dovecot, session_factory: SessionFactory, account: MailAccount
) -> None:
    dovecot.deliver(account.login, [simple_message(1)])
    configure_server(
        session_factory, account.profile_id, dovecot, account.login, security="starttls"
    )
    assert sync_profile(session_factory, account.profile_id, account.passwords).new == 1
    configure_server(session_factory, account.profile_id, dovecot, account.login, security="none")
    dovecot.deliver(account.login, [simple_message(2)])
    assert sync_profile(session_factory, account.profile_id, account.passwords).new == 1
    with unit_of_work(session_factory) as session:
        tls = session.scalars(select(EgressEvent.tls_version).order_by(EgressEvent.id)).all()
        assert tls[0] is not None
        assert tls[0].startswith("TLSv1.")
        assert tls[1] == "plain"
        profile = session.get(Profile, account.profile_id)
        assert profile is not None
        profile.imap_host = "192.0.2.1"  # TEST-NET-1: never reached
    with pytest.raises(NotConfiguredError, match="refusing plain IMAP"):
        sync_profile(session_factory, account.profile_id, account.passwords)


def test_egress_is_recorded_without_secrets_and_the_protocol_log_redacts_login(
    dovecot: Dovecot,
    session_factory: SessionFactory,
    account: MailAccount,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dovecot.deliver(account.login, [simple_message(1, body="Diagnosis: confidential\n")])
    with unit_of_work(session_factory) as session:
        session.add(MailServerOption(profile_id=account.profile_id, protocol_log=True))
    # As in the app: everything at INFO, so only the profile's opt-in can let DEBUG lines through.
    monkeypatch.setattr(logging.getLogger("desktop.mail.protocol"), "level", logging.NOTSET)
    caplog.set_level(logging.INFO)
    caplog.handler.setLevel(logging.DEBUG)
    sync_profile(session_factory, account.profile_id, account.passwords)
    conversation = "\n".join(r.getMessage() for r in caplog.records)
    assert "LOGIN [redacted]" in conversation
    assert PASSWORD not in conversation
    assert "confidential" not in conversation
    with unit_of_work(session_factory) as session:
        event = session.scalars(select(EgressEvent)).one()
        assert (event.host, event.port, event.outcome) == ("127.0.0.1", dovecot.imaps_port, "ok")
        assert event.tls_version in {"TLSv1.2", "TLSv1.3"}
        assert event.bytes_in > 200
        assert event.bytes_out > 50
        commands = event.commands.split(",")
        assert {"LOGIN", "SELECT", "UID SEARCH", "UID FETCH", "LOGOUT"} <= set(commands)
        assert PASSWORD not in event.commands
        assert account.login not in event.commands
        assert session.scalar(select(func.count()).select_from(EgressEvent)) == 1


def test_the_sent_copies_are_synced_into_sent_not_into_the_inbox(
    dovecot: Dovecot, session_factory: SessionFactory, account: MailAccount, user_id: int
) -> None:
    dovecot.deliver(account.login, [simple_message(1)])
    with server_client(dovecot, account.login) as client:
        for folder in ("Sent", "Archiv"):
            client.create_folder(folder)
            client.subscribe_folder(folder)
        client.append("Sent", simple_message(2, subject="What I sent"))
        client.append("Archiv", simple_message(3, subject="Kept"))
        roles = {name: flags for flags, _d, name in client.list_folders()}
    assert b"\\Sent" in roles["Sent"]
    result = sync_profile(session_factory, account.profile_id, account.passwords)
    assert result.folders == 3
    folders = {m.subject: m.folder for m in stored(session_factory, account.profile_id)}
    assert (folders["What I sent"], folders["Kept"]) == ("Sent", "Archiv")
    inbox = Inbox(session_factory).page(user_id)
    assert "What I sent" not in {row.subject for row in inbox}


def test_every_folder_is_synced_with_its_own_state_and_bad_mail_is_kept_raw(
    dovecot: Dovecot, session_factory: SessionFactory, account: MailAccount
) -> None:
    dovecot.deliver(account.login, [simple_message(1), b"\x01 not a message \xff\r\n"])
    with server_client(dovecot, account.login) as client:
        client.create_folder("Ärzte.Befunde")
        client.subscribe_folder("Ärzte.Befunde")
        client.append("Ärzte.Befunde", simple_message(2, subject="Befund Müller"))
    result = sync_profile(session_factory, account.profile_id, account.passwords)
    assert result.folders == 2
    messages = stored(session_factory, account.profile_id)
    assert sorted(m.folder for m in messages) == ["INBOX", "INBOX", "Ärzte.Befunde"]
    [bad] = [m for m in messages if m.parse_error]
    assert bad.raw is not None
    assert bad.raw == b"\x01 not a message \xff\r\n"
    with unit_of_work(session_factory) as session:
        folders = session.scalars(select(MailSyncState.folder).order_by(MailSyncState.folder))
        assert list(folders) == ["INBOX", "Ärzte.Befunde"]
    assert sync_profile(session_factory, account.profile_id, account.passwords).new == 0
