"""Sending through the outbox to a real Postfix that delivers into a real Dovecot, on loopback."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from dovecot import Dovecot
from mail_helpers import actor_of, mail_sync
from outbox_helpers import Sender, make_sender, message, read_folder
from postfix import SMALL_LIMIT, Postfix
from sqlalchemy import select, update

from desktop.core.folders import FolderRole
from desktop.core.mail_views import MailView
from desktop.services.authorization import Authorizer
from desktop.services.mail.mailbox import Mailbox
from desktop.services.mail.outbox import Outbox, OutboxError, OutboxState
from desktop.services.mail.smtp_settings import set_smtp_server
from desktop.services.mail.sync_owner import (
    Delivered,
    Finished,
    MailSync,
    RetryPolicy,
    SyncEvent,
)
from desktop.store.models import EgressEvent, OutboxMessage
from desktop.store.session import SessionFactory, unit_of_work


@pytest.fixture
def sender(
    session_factory: SessionFactory, user_id: int, dovecot: Dovecot, postfix: Postfix
) -> Sender:
    return make_sender(session_factory, user_id, dovecot, postfix)


@dataclass(frozen=True)
class Servers:
    dovecot: Dovecot
    postfix: Postfix


@pytest.fixture
def servers(dovecot: Dovecot, postfix: Postfix) -> Servers:
    return Servers(dovecot, postfix)


@pytest.fixture
def outbox(session_factory: SessionFactory) -> Outbox:
    return Outbox(session_factory, Authorizer(session_factory))


@pytest.fixture
def owner(session_factory: SessionFactory, sender: Sender) -> Iterator[MailSync]:
    sync = mail_sync(session_factory, sender.passwords)
    yield sync
    sync.close()


def test_a_message_arrives_from_the_profile_without_bcc_and_its_copy_is_in_sent(
    session_factory: SessionFactory,
    servers: Servers,
    sender: Sender,
    outbox: Outbox,
    owner: MailSync,
) -> None:
    dovecot, postfix = servers.dovecot, servers.postfix
    to, hidden = dovecot.add_user(), dovecot.add_user()
    actor = actor_of(session_factory, sender.profile_id)
    sent = message(sender.address, postfix.address(to), subject="Ward round")
    recipients = [postfix.address(to), postfix.address(hidden)]

    entry = outbox.queue_message(actor, sender.profile_id, sent, recipients)
    report = owner.deliver_now(actor, sender.profile_id)

    assert (report.sent, report.failed, report.waiting) == (1, 0, 0)
    [arrived] = read_folder(dovecot, to, at_least=1)
    assert arrived["From"] == sender.address
    assert arrived["Message-ID"] == sent["Message-ID"]
    assert arrived["Bcc"] is None
    [blind] = read_folder(dovecot, hidden, at_least=1)
    assert blind["Message-ID"] == sent["Message-ID"]
    assert blind["Bcc"] is None
    [copy] = read_folder(dovecot, sender.login, "Sent", at_least=1)
    assert copy["Message-ID"] == sent["Message-ID"]
    [listed] = outbox.list_outbox(actor)
    assert (listed.id, listed.state, listed.reason) == (entry, OutboxState.SENT, "")


def test_implicit_tls_sends_too_and_a_server_saving_sent_gets_no_copy(
    session_factory: SessionFactory,
    user_id: int,
    dovecot: Dovecot,
    postfix: Postfix,
    outbox: Outbox,
) -> None:
    sender = make_sender(session_factory, user_id, dovecot, postfix, security="ssl")
    with unit_of_work(session_factory) as session:
        from desktop.store.models import SmtpServer

        session.get_one(SmtpServer, sender.profile_id).server_saves_sent = True
    to = dovecot.add_user()
    actor = actor_of(session_factory, sender.profile_id)
    outbox.queue_message(
        actor, sender.profile_id, message(sender.address, postfix.address(to)),
        [postfix.address(to)],
    )  # fmt: skip
    owner = mail_sync(session_factory, sender.passwords)
    try:
        assert owner.deliver_now(actor, sender.profile_id).sent == 1
    finally:
        owner.close()
    assert len(read_folder(dovecot, to, at_least=1)) == 1
    assert read_folder(dovecot, sender.login, "Sent") == []


def test_a_refused_sender_leaves_the_message_in_the_outbox_with_the_reason(
    session_factory: SessionFactory,
    user_id: int,
    dovecot: Dovecot,
    postfix: Postfix,
    outbox: Outbox,
) -> None:
    someone_else = dovecot.add_user()
    sender = make_sender(session_factory, user_id, dovecot, postfix, smtp_user=someone_else)
    to = dovecot.add_user()
    actor = actor_of(session_factory, sender.profile_id)
    entry = outbox.queue_message(
        actor, sender.profile_id, message(sender.address, postfix.address(to)),
        [postfix.address(to)],
    )  # fmt: skip
    owner = mail_sync(session_factory, sender.passwords)
    try:
        report = owner.deliver_now(actor, sender.profile_id)
    finally:
        owner.close()

    assert (report.sent, report.failed) == (0, 1)
    [listed] = outbox.list_outbox(actor)
    assert listed.state == OutboxState.FAILED
    assert listed.reason.startswith(f"The server refused the sender {sender.address}: 5.7.1")
    assert f"not owned by user {someone_else}" in listed.reason
    assert read_folder(dovecot, to) == []
    outbox.retry(actor, entry)
    assert outbox.list_outbox(actor)[0].state == OutboxState.QUEUED
    with pytest.raises(OutboxError):
        outbox.mark_sent(actor, entry)


def test_a_message_queued_while_the_server_is_down_is_sent_when_it_is_back(
    session_factory: SessionFactory,
    dovecot: Dovecot,
    postfix: Postfix,
    sender: Sender,
    outbox: Outbox,
) -> None:
    owner = mail_sync(
        session_factory, sender.passwords, retry=RetryPolicy(first=0.3, factor=1, attempts=100)
    )
    reports: list[Delivered] = []
    changed = threading.Condition()

    def listen(event: SyncEvent) -> None:
        if isinstance(event, Delivered):
            with changed:
                reports.append(event)
                changed.notify_all()

    owner.add_listener(listen)
    to = dovecot.add_user()
    actor = actor_of(session_factory, sender.profile_id)
    postfix.stop()
    try:
        outbox.queue_message(
            actor, sender.profile_id, message(sender.address, postfix.address(to)),
            [postfix.address(to)],
        )  # fmt: skip
        assert owner.deliver(actor, sender.profile_id)
        with changed:
            assert changed.wait_for(lambda: reports, timeout=20)
        assert reports[0].report.waiting == 1
        [waiting] = outbox.list_outbox(actor)
        assert waiting.state == OutboxState.QUEUED
        assert "could not be reached" in waiting.reason
    finally:
        postfix.start()
    try:
        with changed:
            assert changed.wait_for(lambda: reports[-1].report.sent == 1, timeout=20)
    finally:
        owner.close()
    assert len(read_folder(dovecot, to, at_least=1)) == 1
    assert outbox.list_outbox(actor)[0].state == OutboxState.SENT


def test_the_egress_audit_names_the_envelope_but_no_address_subject_or_body(
    session_factory: SessionFactory,
    servers: Servers,
    sender: Sender,
    outbox: Outbox,
    owner: MailSync,
) -> None:
    dovecot, postfix = servers.dovecot, servers.postfix
    first, second = dovecot.add_user(), dovecot.add_user()
    actor = actor_of(session_factory, sender.profile_id)
    sent = message(sender.address, postfix.address(first), subject="Secret subject", body="Body")
    outbox.queue_message(
        actor, sender.profile_id, sent, [postfix.address(first), postfix.address(second)]
    )
    owner.deliver_now(actor, sender.profile_id)

    with unit_of_work(session_factory) as session:
        [row] = session.scalars(
            select(EgressEvent).where(EgressEvent.port == postfix.submission_port)
        ).all()
        assert row.tls_version is not None
        assert row.tls_version.startswith("TLSv1.")
        assert row.envelope_sender == sender.address
        assert row.recipient_count == 2
        assert row.recipient_domains == "example.net"
        assert row.message_ids == sent["Message-ID"]
        assert row.outcome == "ok"
        assert row.bytes_out > len(sent.as_bytes())
        assert row.bytes_in > 0
        assert {"EHLO", "STARTTLS", "AUTH", "MAIL", "RCPT", "DATA", "QUIT"} <= set(
            row.commands.split(",")
        )
        recorded = " ".join(str(value) for value in vars(row).values())
    assert "Secret subject" not in recorded
    assert first not in recorded
    assert second not in recorded


def test_a_message_interrupted_in_sending_is_never_resent_without_the_person(
    session_factory: SessionFactory,
    servers: Servers,
    sender: Sender,
    outbox: Outbox,
    owner: MailSync,
) -> None:
    dovecot, postfix = servers.dovecot, servers.postfix
    to = dovecot.add_user()
    actor = actor_of(session_factory, sender.profile_id)
    entry = outbox.queue_message(
        actor, sender.profile_id, message(sender.address, postfix.address(to)),
        [postfix.address(to)],
    )  # fmt: skip
    with unit_of_work(session_factory) as session:  # as a crash during DATA leaves it
        session.execute(
            update(OutboxMessage).where(OutboxMessage.id == entry).values(state="sending")
        )

    assert owner.deliver_now(actor, sender.profile_id).sent == 0
    [listed] = outbox.list_outbox(actor)
    assert listed.state == OutboxState.MAY_HAVE_BEEN_SENT
    assert "may have been sent" in listed.reason
    assert read_folder(dovecot, to) == []

    outbox.send_again(actor, entry)
    assert owner.deliver_now(actor, sender.profile_id).sent == 1
    assert len(read_folder(dovecot, to, at_least=1)) == 1
    outbox.discard(actor, entry)
    assert outbox.list_outbox(actor) == []


def test_a_message_with_a_bcc_header_or_a_bad_address_is_refused_before_the_outbox(
    session_factory: SessionFactory, sender: Sender, outbox: Outbox
) -> None:
    actor = actor_of(session_factory, sender.profile_id)
    with_bcc = message(sender.address, "a@example.net")
    with_bcc["Bcc"] = "b@example.net"
    with pytest.raises(OutboxError, match="Bcc"):
        outbox.queue_message(actor, sender.profile_id, with_bcc, ["a@example.net"])
    with pytest.raises(OutboxError, match="not valid: bad address, x@y\\.test\r\nRSET"):
        outbox.queue_message(
            actor,
            sender.profile_id,
            message(sender.address, "a@example.net"),
            ["a@example.net", "bad address", "x@y.test\r\nRSET"],
        )
    assert outbox.list_outbox(actor) == []


def test_a_message_larger_than_the_server_takes_is_refused_before_it_is_sent(
    session_factory: SessionFactory,
    sender: Sender,
    servers: Servers,
    outbox: Outbox,
    owner: MailSync,
) -> None:
    dovecot, postfix = servers.dovecot, servers.postfix
    actor = actor_of(session_factory, sender.profile_id)
    set_smtp_server(
        session_factory,
        Authorizer(session_factory),
        actor,
        sender.profile_id,
        host="127.0.0.1",
        port=postfix.small_port,
        security="starttls",
        ca_file=postfix.ca_file,
    )
    to = dovecot.add_user()
    address = postfix.address(to)
    big = message(sender.address, address, subject="Scan", body="x" * 2 * SMALL_LIMIT)
    small = message(sender.address, address, subject="Note")
    big_id = outbox.queue_message(actor, sender.profile_id, big, [address])
    outbox.queue_message(actor, sender.profile_id, small, [address])

    report = owner.deliver_now(actor, sender.profile_id)

    assert (report.sent, report.failed) == (1, 1)
    [refused] = [e for e in outbox.list_outbox(actor) if e.id == big_id]
    assert refused.state == OutboxState.FAILED
    assert f"more than the {SMALL_LIMIT // 1024} kB the server" in refused.reason
    [arrived] = read_folder(dovecot, to, at_least=1)
    assert arrived["Subject"] == "Note"
    with unit_of_work(session_factory) as session:
        [event] = session.scalars(select(EgressEvent).where(EgressEvent.port == postfix.small_port))
    assert event.message_ids == str(small["Message-ID"])


def test_a_sent_message_shows_in_the_unified_sent_view_without_waiting_for_a_full_sync(
    session_factory: SessionFactory,
    servers: Servers,
    sender: Sender,
    outbox: Outbox,
    owner: MailSync,
) -> None:
    dovecot, postfix = servers.dovecot, servers.postfix
    to = dovecot.add_user()
    actor = actor_of(session_factory, sender.profile_id)
    owner.sync_now(actor, sender.profile_id)  # as after any first sync: no Sent folder yet
    synced = threading.Event()

    def heard(event: SyncEvent) -> None:
        if isinstance(event, Finished) and event.profile_id == sender.profile_id:
            synced.set()

    owner.add_listener(heard)
    sent = message(sender.address, postfix.address(to), subject="Discharge letter")
    outbox.queue_message(actor, sender.profile_id, sent, [postfix.address(to)])

    assert owner.deliver_now(actor, sender.profile_id).sent == 1
    assert synced.wait(60), "the Sent folder was never synced after the delivery"
    box = Mailbox(session_factory, Authorizer(session_factory))
    [row] = box.page(actor, view=MailView(FolderRole.SENT))
    assert (row.subject, row.profile_id) == ("Discharge letter", sender.profile_id)
