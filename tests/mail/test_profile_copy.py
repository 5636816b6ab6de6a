"""A copy into another profile's folder against a real Dovecot: two profiles of one person on
two Dovecot users, as two accounts at two organizations.

The copy shows in the target at once; the target profile's queue APPENDs it once (a restart,
even one after the server stored it and before the store knew, does not append it again); the
source stays as it was, here and on its server. Refusals change nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from dovecot import Dovecot
from imapclient import IMAPClient
from mail_helpers import (
    PASSWORD,
    Passwords,
    actor_of,
    configure_server,
    mail_sync,
    make_profile,
    make_user,
    server_client,
    simple_message,
)
from sqlalchemy import func, select, update
from test_mail_actions import list_into_folders

from desktop.services.audit import AuditService
from desktop.services.authorization import Authorizer, SignedInUser
from desktop.services.errors import AccountError, NotFoundError, PermissionDeniedError
from desktop.services.mail import action_replay
from desktop.services.mail.actions import ConfirmationNeededError, MailActions
from desktop.services.mail.imap_sync import SyncError
from desktop.services.mail.profile_copy import ProfileCopy
from desktop.services.mail.sync_owner import MailSync
from desktop.store.models import AuditEvent, MailAction, Message
from desktop.store.session import SessionFactory, unit_of_work

pytestmark = pytest.mark.imap
Contents = dict[str, tuple[int, set[bytes]]]
"""Subject -> (UID, flags) of the messages of one folder on the server."""


@dataclass
class Two:
    server: Dovecot
    session_factory: SessionFactory
    clinic: int
    hospital: int
    logins: dict[int, str]
    actor: SignedInUser
    owner: MailSync

    def service(self) -> ProfileCopy:
        return ProfileCopy(self.session_factory, Authorizer(self.session_factory), self.owner)

    def restart(self) -> None:
        """A new owner of the queues, as after the app was closed (or died) and opened again."""
        self.owner.close()
        self.owner = mail_sync(self.session_factory, _passwords(self))

    def rows(self, profile_id: int) -> list[Message]:
        with unit_of_work(self.session_factory) as session:
            found = session.scalars(
                select(Message).where(Message.profile_id == profile_id).order_by(Message.id)
            ).all()
            session.expunge_all()
            return list(found)

    def row(self, profile_id: int, subject: str) -> Message:
        return next(row for row in self.rows(profile_id) if row.subject == subject)

    def on_server(self, profile_id: int, folder: str = "INBOX") -> Contents:
        """Subject -> (UID, flags) of what the profile's server holds in ``folder``."""
        with server_client(self.server, self.logins[profile_id]) as client:
            return _contents(client, folder)


def _contents(client: IMAPClient, folder: str) -> Contents:
    client.select_folder(folder, readonly=True)
    uids = client.search("ALL")
    if not uids:
        return {}
    fetched = client.fetch(uids, ["FLAGS", "BODY.PEEK[HEADER.FIELDS (SUBJECT)]"])
    return {
        data[b"BODY[HEADER.FIELDS (SUBJECT)]"].decode().split(":", 1)[1].strip(): (
            uid,
            set(data[b"FLAGS"]),
        )
        for uid, data in fetched.items()
    }


def _passwords(two: Two) -> Passwords:
    return Passwords({two.clinic: PASSWORD, two.hospital: PASSWORD})


@pytest.fixture
def two(
    dovecot: Dovecot, session_factory: SessionFactory, profile_id: int, second_profile_id: int
) -> Iterator[Two]:
    logins = {}
    for pid in (profile_id, second_profile_id):
        logins[pid] = dovecot.add_user()
        configure_server(session_factory, pid, dovecot, logins[pid])
        with server_client(dovecot, logins[pid]) as client:
            client.create_folder("Trash")
        list_into_folders(dovecot, logins[pid], session_factory, pid)
    made = Two(
        dovecot,
        session_factory,
        profile_id,
        second_profile_id,
        logins,
        actor_of(session_factory, profile_id),
        mail_sync(session_factory, Passwords({profile_id: PASSWORD, second_profile_id: PASSWORD})),
    )
    dovecot.deliver(logins[profile_id], [simple_message(i, f"m{i}") for i in range(2)])
    made.owner.sync_now(made.actor, profile_id)
    yield made
    made.owner.close()


def _pending(two: Two) -> int:
    with unit_of_work(two.session_factory) as session:
        return session.scalar(select(func.count()).select_from(MailAction)) or 0


def test_the_copy_shows_at_once_lands_on_the_target_server_and_leaves_the_source_alone(
    two: Two,
) -> None:
    with server_client(two.server, two.logins[two.clinic]) as client:
        client.add_flags([two.on_server(two.clinic)["m0"][0]], [b"\\Seen", b"\\Flagged"])
    two.owner.sync_now(two.actor, two.clinic)
    source = two.row(two.clinic, "m0")
    assert (source.seen, source.flagged) == (True, True)
    before = two.on_server(two.clinic)
    copying = two.service()

    plan = copying.copy_plan(two.actor, [source.id], two.hospital)
    assert plan.question.startswith(
        "Copy 1 message from Clinic (ada@clinic.example) to Hospital (ada@hospital.example)?"
    )
    hospital = re.escape("Hospital (ada@hospital.example)")
    with pytest.raises(ConfirmationNeededError, match=hospital):
        copying.copy_to_profile(two.actor, [source.id], two.hospital)
    assert two.rows(two.hospital) == []  # nothing until the person says yes

    result = copying.copy_to_profile(two.actor, [source.id], two.hospital, confirmed=True)
    assert (result.changed, result.profile_ids, result.undoable) == (1, (two.hospital,), False)
    copy = two.row(two.hospital, "m0")  # at once, whether or not the server has it yet
    assert (copy.folder, copy.seen, copy.flagged) == ("INBOX", True, True)
    assert copy.text.splitlines() == source.text.splitlines()
    assert copy.message_id == source.message_id

    two.owner.apply_actions_now(two.actor, two.hospital)
    landed = two.on_server(two.hospital)
    assert set(landed) == {"m0"}
    uid, flags = landed["m0"]
    assert {b"\\Seen", b"\\Flagged"} <= flags
    assert b"\\Deleted" not in flags
    copy = two.row(two.hospital, "m0")
    assert copy.uid == uid
    assert copy.uidvalidity is not None
    assert _pending(two) == 0
    assert two.owner.sync_now(two.actor, two.hospital).new == 0  # its UID known: not fetched
    assert [row.subject for row in two.rows(two.hospital)] == ["m0"]

    assert two.on_server(two.clinic) == before  # the source: unchanged on its server
    kept = two.row(two.clinic, "m0")
    assert (kept.id, kept.folder, kept.uid, kept.uidvalidity) == (
        source.id,
        source.folder,
        source.uid,
        source.uidvalidity,
    )
    audit = AuditService(two.session_factory, Authorizer(two.session_factory))
    said = [(e.what, e.about) for e in audit.list_events(two.actor)]
    assert (
        "Copied mail to another profile",
        "Clinic: 1 message to INBOX of Hospital (ada@hospital.example)",
    ) in said


def test_a_restart_resumes_the_copy_and_never_appends_it_twice(
    two: Two, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = [row.id for row in two.rows(two.clinic)]
    two.owner.close()  # the queue is gone: the copies stay persisted, as after a crash
    two.service().copy_to_profile(two.actor, ids, two.hospital, confirmed=True)
    assert _pending(two) == 2
    assert two.on_server(two.hospital) == {}

    # The app dies after the server stored the copies and before the store recorded that.
    def died(*_args: object) -> None:
        raise RuntimeError("the app died here")

    monkeypatch.setattr(action_replay, "_placed", died)
    two.restart()
    with pytest.raises(SyncError):
        two.owner.apply_actions_now(two.actor, two.hospital)
    assert set(two.on_server(two.hospital)) == {"m0", "m1"}
    assert _pending(two) == 2  # not recorded: the copies are still owed, as far as we know

    monkeypatch.undo()
    two.restart()
    assert two.owner.sync_now(two.actor, two.hospital).new == 0  # replayed first, then synced
    assert _pending(two) == 0
    landed = two.on_server(two.hospital)
    with server_client(two.server, two.logins[two.hospital]) as client:
        assert len(client.search("ALL")) == 2  # found, not appended again
    rows = two.rows(two.hospital)
    assert sorted((row.subject, row.uid) for row in rows) == sorted(
        (subject, uid) for subject, (uid, _flags) in landed.items()
    )


def test_a_copy_moved_to_the_trash_before_the_server_had_it_follows_there(two: Two) -> None:
    source = two.row(two.clinic, "m1")
    two.owner.close()
    two.service().copy_to_profile(two.actor, [source.id], two.hospital, confirmed=True)
    copy = two.row(two.hospital, "m1")
    actions = MailActions(two.session_factory, Authorizer(two.session_factory), two.owner)
    actions.delete(actor_of(two.session_factory, two.hospital), [copy.id])
    assert two.row(two.hospital, "m1").folder == "Trash"

    two.restart()
    two.owner.apply_actions_now(two.actor, two.hospital)
    assert two.on_server(two.hospital, "INBOX") == {}
    in_trash = two.on_server(two.hospital, "Trash")
    assert set(in_trash) == {"m1"}
    moved = two.row(two.hospital, "m1")
    assert (moved.folder, moved.uid) == ("Trash", in_trash["m1"][0])
    assert _pending(two) == 0
    assert set(two.on_server(two.clinic)) == {"m0", "m1"}


def _nothing_changed(two: Two, rows_before: int) -> None:
    assert len(two.rows(two.hospital)) == rows_before
    assert _pending(two) == 0


def test_a_copy_within_one_profile_and_a_message_not_stored_whole_are_refused(
    two: Two,
) -> None:
    copying = two.service()
    m0, m1 = (two.row(two.clinic, s).id for s in ("m0", "m1"))
    with pytest.raises(AccountError, match="within one profile a message is moved"):
        copying.copy_to_profile(two.actor, [m0], two.clinic, confirmed=True)
    with pytest.raises(AccountError, match="within one profile"):
        copying.copy_plan(two.actor, [m0], two.clinic)
    with pytest.raises(NotFoundError, match="no folder named 'Nowhere' in Hospital"):
        copying.copy_to_profile(two.actor, [m0], two.hospital, "Nowhere", confirmed=True)
    with unit_of_work(two.session_factory) as session:
        session.execute(update(Message).where(Message.id == m1).values(body_loaded=False))
    with pytest.raises(AccountError, match=f"Only the headers of message {m1} are stored"):
        copying.copy_to_profile(two.actor, [m0, m1], two.hospital, confirmed=True)
    _nothing_changed(two, 0)
    two.owner.apply_actions_now(two.actor, two.hospital)
    assert two.on_server(two.hospital) == {}


def test_another_users_profile_or_message_is_refused_and_the_refusal_audited(
    two: Two,
) -> None:
    copying = two.service()
    m0 = two.row(two.clinic, "m0").id
    eve = make_user(two.session_factory, "eve")
    eves = make_profile(two.session_factory, eve, "eve@example.org", "Elsewhere")
    with pytest.raises(PermissionDeniedError, match="belongs to another user"):
        copying.copy_to_profile(two.actor, [m0], eves, confirmed=True)
    stranger = actor_of(two.session_factory, eves)
    with pytest.raises(PermissionDeniedError, match=f"Message {m0} belongs to another user"):
        copying.copy_to_profile(stranger, [m0], eves, confirmed=True)
    assert two.rows(eves) == []
    _nothing_changed(two, 0)
    with unit_of_work(two.session_factory) as session:
        denied = session.execute(
            select(AuditEvent.user_id, AuditEvent.target).where(AuditEvent.outcome == "denied")
        ).all()
    assert (two.actor.user_id, f"profile {eves}") in [tuple(row) for row in denied]
    assert (eve, f"message {m0}") in [tuple(row) for row in denied]
