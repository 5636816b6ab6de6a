"""Reading and importing mail pass the same role check as every other service call; opening a
message is one short transaction, with the role read in it."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

import pytest
from people import add_user
from sqlalchemy import Engine, event, select
from write_lock import write_lock_held_elsewhere

from desktop.services.accounts import ProfileDraft
from desktop.services.authorization import SignedInUser
from desktop.services.container import Services, wire_services
from desktop.services.errors import PermissionDeniedError
from desktop.services.mail.imap_sync import dirty_folders
from desktop.services.passwords import CHEAP_TEST_COST
from desktop.services.secrets import SecretStore
from desktop.store.models import AuditEvent, Message
from desktop.store.session import unit_of_work
from desktop.store.side_writes import side_writes_for

PASSWORD = "long enough secret"


def _signed_in(services: Services, login: str, email: str | None) -> SignedInUser:
    add_user(services, login, login.title(), PASSWORD)
    actor = services.accounts.sign_in(login, PASSWORD)
    if email is None:
        return actor
    profile = services.accounts.create_profile(actor, ProfileDraft(organization="Org", email=email))
    return actor.with_active_profile(profile.id)


def _eml(tmp_path: Path, subject: str) -> Path:
    message = EmailMessage()
    message["From"] = "Ward Desk <ward@hospital.example>"
    message["Subject"] = subject
    message["Message-ID"] = f"<{subject.replace(' ', '-')}@hospital.example>"
    message.set_content("Bloods are back within range.")
    path = tmp_path / f"{subject}.eml"
    path.write_bytes(message.as_bytes())
    return path


def _denials(services: Services, user_id: int) -> list[str]:
    with unit_of_work(services.session_factory) as session:
        return list(
            session.scalars(
                select(AuditEvent.target).where(
                    AuditEvent.user_id == user_id, AuditEvent.outcome == "denied"
                )
            )
        )


def test_a_member_profile_imports_and_reads_its_mail(services: Services, tmp_path: Path) -> None:
    ada = _signed_in(services, "ada", "ada@hospital.example")
    assert ada.active_profile_id is not None
    result = services.mailbox.import_files(ada, ada.active_profile_id, [_eml(tmp_path, "rota")])
    assert result.added == 1
    rows = services.mailbox.page(ada)
    assert [row.subject for row in rows] == ["rota"]
    assert services.mailbox.unread_counts(ada) == {ada.active_profile_id: 1}
    opened = services.mailbox.open(ada, rows[0].id)
    assert opened is not None
    assert opened.message.text.strip() == "Bloods are back within range."
    assert services.mailbox.unread_counts(ada) == {ada.active_profile_id: 0}
    # Imported mail has no server copy: reading it leaves nothing to push (and needs no server).
    assert dirty_folders(services.session_factory, ada.active_profile_id) == []


def test_a_user_without_a_profile_may_not_read_mail_and_the_refusal_is_audited(
    services: Services,
) -> None:
    nobody = _signed_in(services, "nobody", None)
    with pytest.raises(PermissionDeniedError, match="may not read own mail"):
        services.mailbox.page(nobody)
    assert _denials(services, nobody.user_id) == ["unified inbox"]


def test_acting_as_a_profile_deleted_meanwhile_is_refused_and_audited(
    services: Services,
) -> None:
    ada = _signed_in(services, "ada", "ada@hospital.example")
    clinic = services.accounts.create_profile(
        ada, ProfileDraft(organization="Clinic", email="ada@clinic.example")
    )
    services.accounts.delete_profile(ada, clinic.id)
    gone = ada.with_active_profile(clinic.id)
    with pytest.raises(PermissionDeniedError, match="acting as no profile may not read own mail"):
        services.mailbox.page(gone)
    with pytest.raises(PermissionDeniedError):
        services.mailbox.open(gone, 1)
    assert _denials(services, ada.user_id) == ["unified inbox", "message 1"]
    assert services.mailbox.page(ada) == []


def test_mail_cannot_be_imported_into_another_users_profile(
    services: Services, tmp_path: Path
) -> None:
    ada = _signed_in(services, "ada", "ada@hospital.example")
    bob = _signed_in(services, "bob", "bob@clinic.example")
    assert ada.active_profile_id is not None
    with pytest.raises(PermissionDeniedError, match="belongs to another user"):
        services.mailbox.import_files(bob, ada.active_profile_id, [_eml(tmp_path, "intrusion")])
    assert services.mailbox.page(ada) == []
    assert _denials(services, bob.user_id) == [f"profile {ada.active_profile_id}"]


class StatementLog:
    """Every statement and transaction on an engine, from SQLAlchemy's own events."""

    def __init__(self, engine: Engine) -> None:
        self.statements: list[str] = []
        self.transactions = 0
        self._engine = engine
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine, "begin", self._begin)

    def _statement(self, _conn: object, _cursor: object, statement: str, *_: object) -> None:
        self.statements.append(statement)

    def _begin(self, _conn: object) -> None:
        self.transactions += 1

    def own(self) -> list[str]:
        """The statements of the call: not the transaction's own start (BEGIN and the engine's
        connection PRAGMAs: lock wait, ``query_only``), which come with every transaction."""
        return [
            s for s in self.statements if not s.lstrip().upper().startswith(("BEGIN", "PRAGMA"))
        ]

    def close(self) -> None:
        event.remove(self._engine, "before_cursor_execute", self._statement)
        event.remove(self._engine, "begin", self._begin)


def _with_attachment(tmp_path: Path) -> Path:
    message = EmailMessage()
    message["From"] = "Lab <lab@hospital.example>"
    message["Subject"] = "results"
    message["Message-ID"] = "<results@hospital.example>"
    message.set_content("See the attached table.")
    message.add_attachment(b"a,b\n1,2\n", maintype="text", subtype="csv", filename="bloods.csv")
    path = tmp_path / "results.eml"
    path.write_bytes(message.as_bytes())
    return path


def test_opening_a_message_is_one_transaction_of_at_most_three_statements(
    services: Services, tmp_path: Path
) -> None:
    ada = _signed_in(services, "ada", "ada@hospital.example")
    assert ada.active_profile_id is not None
    paths = [_eml(tmp_path, "rota"), _eml(tmp_path, "ward round"), _with_attachment(tmp_path)]
    services.mailbox.import_files(ada, ada.active_profile_id, paths)
    rows = {row.subject: row for row in services.mailbox.page(ada)}
    assert services.mailbox.unread_counts(ada) == {ada.active_profile_id: 3}

    log = StatementLog(services.engine)
    try:
        opened = services.mailbox.open(ada, rows["results"].id)
        first = (log.transactions, log.own())
        log.statements, log.transactions = [], 0
        again = services.mailbox.open(ada, rows["results"].id)
        second = (log.transactions, log.own())
    finally:
        log.close()

    assert opened is not None
    assert again is not None
    assert first[0] == 1, first
    assert len(first[1]) <= 3, first[1]
    assert second[0] == 1, second
    assert len(second[1]) <= 2, second[1]  # already read: nothing to write
    assert opened.newly_seen
    assert not again.newly_seen
    assert opened.message.seen
    assert opened.message.text.strip() == "See the attached table."
    assert [(a.filename, a.content_type, a.size) for a in opened.message.attachments] == [
        ("bloods.csv", "text/csv", 8)
    ]
    assert again.message == opened.message
    assert services.mailbox.unread_counts(ada) == {ada.active_profile_id: 2}


def test_the_role_is_read_in_the_open_and_a_profile_not_ones_own_is_refused(
    services: Services, tmp_path: Path
) -> None:
    ada = _signed_in(services, "ada", "ada@hospital.example")
    bob = _signed_in(services, "bob", "bob@clinic.example")
    assert ada.active_profile_id is not None
    services.mailbox.import_files(ada, ada.active_profile_id, [_eml(tmp_path, "rota")])
    message_id = services.mailbox.page(ada)[0].id
    # Ada's session claiming Bob's profile as the active one: the store says it is not hers.
    claiming = ada.with_active_profile(bob.active_profile_id)
    with pytest.raises(PermissionDeniedError, match="acting as no profile"):
        services.mailbox.open(claiming, message_id)
    assert _denials(services, ada.user_id) == [f"message {message_id}"]
    assert services.mailbox.unread_counts(ada) == {ada.active_profile_id: 1}


def test_a_message_of_another_user_is_not_opened_nor_marked_read(
    services: Services, tmp_path: Path
) -> None:
    ada = _signed_in(services, "ada", "ada@hospital.example")
    bob = _signed_in(services, "bob", "bob@clinic.example")
    assert ada.active_profile_id is not None
    services.mailbox.import_files(ada, ada.active_profile_id, [_eml(tmp_path, "rota")])
    message_id = services.mailbox.page(ada)[0].id
    assert services.mailbox.open(bob, message_id) is None
    assert services.mailbox.unread_counts(ada) == {ada.active_profile_id: 1}


def test_opening_answers_while_another_process_holds_the_write_lock(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    services = wire_services(sqlite_engine, SecretStore.in_memory(), password_cost=CHEAP_TEST_COST)
    ada = _signed_in(services, "ada", "ada@hospital.example")
    assert ada.active_profile_id is not None
    services.mailbox.import_files(ada, ada.active_profile_id, [_eml(tmp_path, "rota")])
    message_id = services.mailbox.page(ada)[0].id
    side_writes = side_writes_for(services.session_factory)
    with write_lock_held_elsewhere(Path(sqlite_engine.url.database or "")) as lock:
        opened = services.mailbox.open(ada, message_id)
        assert lock.still_held(), "the open answered only once the writer had given up the lock"
        assert opened is not None
        assert opened.newly_seen
        assert opened.message.subject == "rota"
        assert side_writes.pending > 0  # the mark waits behind the lock, not lost
        assert services.mailbox.unread_counts(ada) == {ada.active_profile_id: 1}
    assert side_writes.flush(timeout=10)
    assert services.mailbox.unread_counts(ada) == {ada.active_profile_id: 0}


def test_opening_without_marking_read_is_one_read_only_select(
    services: Services, tmp_path: Path
) -> None:
    """The window's open: the message is marked read later, once it has stayed open."""
    ada = _signed_in(services, "ada", "ada@hospital.example")
    assert ada.active_profile_id is not None
    services.mailbox.import_files(ada, ada.active_profile_id, [_with_attachment(tmp_path)])
    message_id = services.mailbox.page(ada)[0].id
    log = StatementLog(services.engine)
    try:
        opened = services.mailbox.open(ada, message_id, mark_read=False)
    finally:
        log.close()
    assert opened is not None
    assert log.transactions == 1
    assert len(log.own()) == 1, log.own()
    assert log.own()[0].lstrip().upper().startswith("SELECT")
    assert not opened.newly_seen
    assert not opened.message.seen
    assert [a.filename for a in opened.message.attachments] == ["bloods.csv"]
    assert services.mailbox.unread_counts(ada) == {ada.active_profile_id: 1}


def test_marking_read_and_unread_says_what_changed(services: Services, tmp_path: Path) -> None:
    ada = _signed_in(services, "ada", "ada@hospital.example")
    profile_id = ada.active_profile_id
    assert profile_id is not None
    services.mailbox.import_files(ada, profile_id, [_eml(tmp_path, "rota")])
    message_id = services.mailbox.page(ada)[0].id

    read = services.mailbox.mark_seen(ada, message_id, True)
    assert read is not None
    assert (read.profile_id, read.changed, read.on_server) == (profile_id, True, False)
    assert services.mailbox.unread_counts(ada) == {profile_id: 0}
    again = services.mailbox.mark_seen(ada, message_id, True)
    assert again is not None
    assert not again.changed
    unread = services.mailbox.mark_seen(ada, message_id, False)
    assert unread is not None
    assert unread.changed
    assert services.mailbox.unread_counts(ada) == {profile_id: 1}
    assert services.mailbox.page(ada)[0].seen is False
    # Imported mail has no server copy: nothing is left for a sync to push.
    assert dirty_folders(services.session_factory, profile_id) == []


def test_marking_synced_mail_leaves_the_flag_for_its_server(
    services: Services, tmp_path: Path
) -> None:
    ada = _signed_in(services, "ada", "ada@hospital.example")
    profile_id = ada.active_profile_id
    assert profile_id is not None
    services.mailbox.import_files(ada, profile_id, [_eml(tmp_path, "rota")])
    message_id = services.mailbox.page(ada)[0].id
    with unit_of_work(services.session_factory) as session:
        stored = session.get(Message, message_id)
        assert stored is not None
        stored.folder, stored.uidvalidity, stored.uid = "INBOX", 7, 42
    change = services.mailbox.mark_seen(ada, message_id, True)
    assert change is not None
    assert change.changed
    assert change.on_server
    assert dirty_folders(services.session_factory, profile_id) == ["INBOX"]


def test_marking_another_users_message_changes_nothing_and_no_profile_is_refused(
    services: Services, tmp_path: Path
) -> None:
    ada = _signed_in(services, "ada", "ada@hospital.example")
    bob = _signed_in(services, "bob", "bob@clinic.example")
    nobody = _signed_in(services, "nobody", None)
    assert ada.active_profile_id is not None
    services.mailbox.import_files(ada, ada.active_profile_id, [_eml(tmp_path, "rota")])
    message_id = services.mailbox.page(ada)[0].id
    assert services.mailbox.mark_seen(bob, message_id, True) is None
    with pytest.raises(PermissionDeniedError, match="may not read own mail"):
        services.mailbox.mark_seen(nobody, message_id, True)
    assert _denials(services, nobody.user_id) == [f"message {message_id}"]
    assert services.mailbox.unread_counts(ada) == {ada.active_profile_id: 1}


def test_unread_counts_are_those_of_the_inbox_not_of_sent_or_trash(
    services: Services, tmp_path: Path
) -> None:
    """The sidebar's count beside a profile is what its unified Inbox lists as unread."""
    ada = _signed_in(services, "ada", "ada@hospital.example")
    assert ada.active_profile_id is not None
    paths = [_eml(tmp_path, "rota"), _eml(tmp_path, "ward round"), _eml(tmp_path, "old")]
    services.mailbox.import_files(ada, ada.active_profile_id, paths)
    with unit_of_work(services.session_factory) as session:
        for message, folder in zip(
            session.scalars(select(Message).order_by(Message.id)), ("Sent", "Trash"), strict=False
        ):
            message.folder = folder
    assert services.mailbox.unread_counts(ada) == {ada.active_profile_id: 1}
    assert [row.subject for row in services.mailbox.page(ada)] == ["old"]
