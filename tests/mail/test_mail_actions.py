"""Delete, archive, move, flags and undo against a real Dovecot, with MOVE and without it.

Each test acts through the services (store first, then the profile's queue) and then looks at
the server with a client of its own: where each message is, under which UID, with which flags.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from dovecot import Dovecot
from imapclient import IMAPClient
from mail_helpers import (
    PASSWORD,
    Passwords,
    Recorder,
    actor_of,
    configure_server,
    mail_sync,
    make_profile,
    make_user,
    server_client,
    simple_message,
)
from sqlalchemy import func, select

from desktop.core.folders import assign_roles
from desktop.services.authorization import Authorizer, SignedInUser
from desktop.services.errors import PermissionDeniedError
from desktop.services.mail import action_replay
from desktop.services.mail.actions import ConfirmationNeededError, MailActions
from desktop.services.mail.imap_sync import ConnectionProblemError
from desktop.services.mail.sync_owner import ActionsApplied, MailSync
from desktop.store.models import (
    AuditEvent,
    EgressEvent,
    Folder,
    MailAction,
    MailServerOption,
    Message,
)
from desktop.store.session import SessionFactory, unit_of_work

pytestmark = pytest.mark.imap


@dataclass
class World:
    server: Dovecot
    login: str
    profile_id: int
    actor: SignedInUser
    owner: MailSync
    actions: MailActions
    session_factory: SessionFactory

    def sync(self) -> int:
        return self.owner.sync_now(self.actor, self.profile_id).new

    def settle(self) -> None:
        """Wait until the queue has told the server of every action so far."""
        self.owner.apply_actions_now(self.actor, self.profile_id)

    def ids(self) -> dict[str, int]:
        """Subject -> message row id."""
        with unit_of_work(self.session_factory) as session:
            rows = session.execute(
                select(Message.subject, Message.id).where(Message.profile_id == self.profile_id)
            )
            return {row.subject: row.id for row in rows}

    def row(self, subject: str) -> Message:
        with unit_of_work(self.session_factory) as session:
            return session.scalars(select(Message).where(Message.subject == subject)).one()

    def on_server(self, folder: str) -> dict[str, int]:
        """Subject -> UID of what the server holds in ``folder`` (not marked deleted)."""
        with server_client(self.server, self.login) as client:
            return _subjects(client, folder)


def _subjects(client: IMAPClient, folder: str) -> dict[str, int]:
    client.select_folder(folder, readonly=True)
    uids = client.search(["NOT", "DELETED"])
    if not uids:
        return {}
    fetched = client.fetch(uids, ["BODY.PEEK[HEADER.FIELDS (SUBJECT)]"])
    return {
        data[b"BODY[HEADER.FIELDS (SUBJECT)]"].decode().split(":", 1)[1].strip(): uid
        for uid, data in fetched.items()
    }


def list_into_folders(world_server: Dovecot, login: str, sf: SessionFactory, pid: int) -> None:
    """What the folder sync (another branch) will do: the server's LIST as ``folders`` rows."""
    with server_client(world_server, login) as client:
        listed = [(flags, d.decode() if d else None, n) for flags, d, n in client.list_folders()]
    roles = assign_roles(([f.decode() for f in flags], d, n) for flags, d, n in listed)
    with unit_of_work(sf) as session:
        session.query(Folder).filter(Folder.profile_id == pid).delete()
        for _flags, delimiter, name in listed:
            session.add(
                Folder(profile_id=pid, name=name, delimiter=delimiter, role=roles[name].value)
            )


@pytest.fixture(params=["move", "no-move"])
def server(request: pytest.FixtureRequest) -> Dovecot:
    name = "dovecot" if request.param == "move" else "dovecot_without_move"
    found: Dovecot = request.getfixturevalue(name)
    return found


def make_world(server: Dovecot, session_factory: SessionFactory, profile_id: int) -> World:
    login = server.add_user()
    configure_server(session_factory, profile_id, server, login)
    with server_client(server, login) as client:
        for folder in ("Trash", "Work"):
            client.create_folder(folder)
    list_into_folders(server, login, session_factory, profile_id)
    owner = mail_sync(session_factory, Passwords({profile_id: PASSWORD}))
    actions = MailActions(session_factory, Authorizer(session_factory), owner)
    return World(
        server, login, profile_id, actor_of(session_factory, profile_id), owner, actions,
        session_factory,
    )  # fmt: skip


@pytest.fixture
def world(server: Dovecot, session_factory: SessionFactory, profile_id: int) -> Iterator[World]:
    made = make_world(server, session_factory, profile_id)
    yield made
    made.owner.close()


def deliver(world: World, count: int) -> dict[str, int]:
    world.server.deliver(world.login, [simple_message(i, f"m{i}") for i in range(count)])
    world.sync()
    return world.ids()


def commands(world: World) -> str:
    with unit_of_work(world.session_factory) as session:
        return ",".join(session.scalars(select(EgressEvent.commands)))


def test_a_move_to_a_folder_and_back_is_on_the_server_with_the_uids_it_gave(
    world: World, server: Dovecot
) -> None:
    ids = deliver(world, 3)
    result = world.actions.move(world.actor, [ids["m0"], ids["m2"]], "Work")
    assert (result.changed, result.undoable) == (2, True)
    assert world.row("m0").folder == "Work"  # at once, before the server has it
    world.settle()
    in_work = world.on_server("Work")
    assert set(in_work) == {"m0", "m2"}
    assert set(world.on_server("INBOX")) == {"m1"}
    for subject in ("m0", "m2"):
        row = world.row(subject)
        assert (row.folder, row.uid) == ("Work", in_work[subject])
        assert row.uidvalidity is not None
    assert world.sync() == 0  # the new UIDs were known: nothing is fetched again
    assert len(world.ids()) == 3

    world.actions.move(world.actor, [ids["m0"]], "INBOX")
    world.settle()
    assert set(world.on_server("INBOX")) == {"m0", "m1"}
    assert world.row("m0").uid == world.on_server("INBOX")["m0"]
    world.owner.close()  # the egress audit is written when the connection ends
    used = commands(world)
    if server.without:
        assert {"UID COPY", "UID EXPUNGE"} <= set(used.split(","))
        assert "UID MOVE" not in used
    else:
        assert "UID MOVE" in used
        assert "UID COPY" not in used


def test_archive_creates_the_archive_folder_and_undo_brings_the_mail_back(
    world: World,
) -> None:
    ids = deliver(world, 2)
    world.actions.archive(world.actor, [ids["m1"]])
    with unit_of_work(world.session_factory) as session:
        archive = session.scalars(select(Folder).where(Folder.role == "archive")).one()
    assert archive.name == "Archive"
    world.settle()
    assert set(world.on_server("Archive")) == {"m1"}
    assert world.actions.can_undo(world.actor)

    undone = world.actions.undo(world.actor)
    assert undone.changed == 1
    assert world.row("m1").folder == "INBOX"
    world.settle()
    assert world.on_server("Archive") == {}
    assert set(world.on_server("INBOX")) == {"m0", "m1"}
    assert not world.actions.can_undo(world.actor)
    assert world.sync() == 0


def test_delete_goes_to_the_trash_and_from_there_only_for_good_when_confirmed(
    world: World,
) -> None:
    ids = deliver(world, 3)
    world.actions.delete(world.actor, [ids["m0"], ids["m1"]])
    world.settle()
    assert set(world.on_server("Trash")) == {"m0", "m1"}
    # Another client marks m1 deleted without expunging: only what we delete may go.
    with server_client(world.server, world.login) as other:
        other.select_folder("Trash")
        other.add_flags([world.on_server("Trash")["m1"]], [b"\\Deleted"])

    assert world.actions.permanent_count(world.actor, [ids["m0"], ids["m2"]]) == 1
    with pytest.raises(ConfirmationNeededError, match="deleted for good"):
        world.actions.delete(world.actor, [ids["m0"], ids["m2"]])
    assert world.row("m2").folder == "INBOX"  # refused whole: nothing moved

    result = world.actions.delete(world.actor, [ids["m0"], ids["m2"]], permanent=True)
    assert result.changed == 2
    assert set(world.ids()) == {"m1", "m2"}
    world.settle()
    assert set(world.on_server("Trash")) == {"m2"}
    with server_client(world.server, world.login) as client:
        client.select_folder("Trash")
        assert len(client.search("DELETED")) == 1  # the other client's m1 is still there
    assert world.sync() == 0


def test_read_unread_flag_unflag_reach_the_server(world: World) -> None:
    ids = deliver(world, 2)
    both = [ids["m0"], ids["m1"]]
    assert world.actions.set_flags(world.actor, both, seen=True, flagged=True).changed == 2
    world.settle()
    world.owner.sync_now(world.actor, world.profile_id)  # pushes whatever is still dirty
    with server_client(world.server, world.login) as client:
        assert len(client.search(["SEEN", "FLAGGED"])) == 2
    world.actions.set_flags(world.actor, [ids["m0"]], seen=False, flagged=False)
    world.owner.sync_now(world.actor, world.profile_id)
    with server_client(world.server, world.login) as client:
        assert len(client.search(["UNSEEN", "UNFLAGGED"])) == 1
    assert world.row("m0").seen is False


def test_a_flag_set_while_a_move_waits_follows_the_message(world: World) -> None:
    ids = deliver(world, 1)
    world.owner.close()  # the queue is gone: the move stays persisted, as after a crash
    world.actions.move(world.actor, [ids["m0"]], "Work")
    world.actions.set_flags(world.actor, [ids["m0"]], flagged=True)
    assert _pending(world) == 1

    restarted = mail_sync(world.session_factory, Passwords({world.profile_id: PASSWORD}))
    try:
        assert restarted.sync_now(world.actor, world.profile_id).new == 0  # replayed first
    finally:
        restarted.close()
    assert _pending(world) == 0
    with server_client(world.server, world.login) as client:
        client.select_folder("Work")
        assert len(client.search("FLAGGED")) == 1
    assert world.row("m0").uid == world.on_server("Work")["m0"]


def _pending(world: World) -> int:
    with unit_of_work(world.session_factory) as session:
        return session.scalar(select(func.count()).select_from(MailAction)) or 0


def test_a_message_expunged_on_the_server_meanwhile_is_dropped_quietly(world: World) -> None:
    ids = deliver(world, 2)
    with server_client(world.server, world.login) as other:
        other.delete_messages([world.on_server("INBOX")["m0"]])
        other.expunge()
    world.actions.move(world.actor, [ids["m0"], ids["m1"]], "Work")
    world.settle()  # the move the action queued has run by now, without raising
    assert set(world.ids()) == {"m1"}
    assert set(world.on_server("Work")) == {"m1"}
    assert _pending(world) == 0


def test_another_users_message_is_refused_and_the_refusal_audited(
    world: World, session_factory: SessionFactory, second_profile_id: int
) -> None:
    ids = deliver(world, 1)
    stranger = actor_of(session_factory, make_profile(session_factory, make_user(
        session_factory, "eve"), "eve@example.org"))  # fmt: skip
    with pytest.raises(PermissionDeniedError):
        world.actions.move(stranger, [ids["m0"]], "Work")
    assert world.row("m0").folder == "INBOX"
    with unit_of_work(session_factory) as session:
        outcomes = session.execute(select(AuditEvent.action, AuditEvent.outcome)).all()
    assert ("read own mail", "denied") in [tuple(o) for o in outcomes]


@pytest.mark.parametrize("without", [frozenset(), frozenset({"MOVE"})], ids=["move", "no-move"])
def test_offline_actions_replay_in_order_once_the_server_is_back(
    session_factory: SessionFactory, profile_id: int, without: frozenset[str]
) -> None:
    own = Dovecot(PASSWORD, without=without)
    own.start()
    world = make_world(own, session_factory, profile_id)
    applied: list[ActionsApplied] = []
    world.owner.add_listener(
        lambda event: applied.append(event) if isinstance(event, ActionsApplied) else None
    )
    try:
        ids = deliver(world, 3)
        # A stop lets the imap process of the queue's kept connection answer on; a kill cuts
        # it, as a lost network or a server crash does.
        own.kill()
        world.actions.move(world.actor, [ids["m2"]], "Work")
        world.actions.move(world.actor, [ids["m0"]], "Work")
        world.actions.delete(world.actor, [ids["m1"]])
        world.actions.delete(world.actor, [ids["m1"]], permanent=True)
        with pytest.raises(ConnectionProblemError):
            world.settle()
        assert _pending(world) == 4
        assert world.row("m0").folder == "Work"
        assert applied[-1].failed.startswith("Your moves and deletes are kept here")
        assert not applied[-1].retrying  # the waited-for step does not retry

        own.start()
        world.settle()
        in_work = world.on_server("Work")
        assert in_work["m2"] < in_work["m0"]  # moved in the order the person did
        assert world.on_server("Trash") == {}
        assert world.on_server("INBOX") == {}
        assert set(world.ids()) == {"m0", "m2"}
        assert world.row("m0").uid == in_work["m0"]
        assert _pending(world) == 0
        done = [event for event in applied if not event.failed]
        assert (sum(e.moved for e in done), sum(e.gone for e in done)) == (3, 1)
    finally:
        world.owner.close()
        own.destroy()


def test_a_large_selection_moves_in_chunks_and_every_uid_is_mapped(
    world: World, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """300 messages, 200 of them chosen with gaps (a set of a hundred runs), moved while the
    queue is away; meanwhile another client expunges 5 of them. The replay sends the set in
    compact chunks, drops the 5 and gives each of the others the UID the server gave it."""
    monkeypatch.setattr(action_replay, "COMMAND_UIDS", 64)
    with unit_of_work(world.session_factory) as session:  # to read the commands sent
        session.add(MailServerOption(profile_id=world.profile_id, protocol_log=True))
    caplog.set_level(logging.INFO)
    caplog.handler.setLevel(logging.DEBUG)
    ids = deliver(world, 300)
    chosen = [f"m{i}" for i in range(300) if i % 3 != 2]
    gone = chosen[10:15]
    world.owner.close()  # the move stays persisted, as when offline or after a crash
    world.actions.move(world.actor, [ids[subject] for subject in chosen], "Work")
    inbox = world.on_server("INBOX")
    with server_client(world.server, world.login) as other:
        other.delete_messages([inbox[subject] for subject in gone])
        other.expunge()

    world.owner = mail_sync(world.session_factory, Passwords({world.profile_id: PASSWORD}))
    replayed = world.owner.apply_actions_now(world.actor, world.profile_id)
    assert (replayed.moved, replayed.dropped) == (195, 5)
    in_work = world.on_server("Work")
    assert set(in_work) == set(chosen) - set(gone)
    assert set(world.on_server("INBOX")) == {f"m{i}" for i in range(300) if i % 3 == 2}
    with server_client(world.server, world.login) as client:
        validity = client.select_folder("Work", readonly=True)[b"UIDVALIDITY"]
    with unit_of_work(world.session_factory) as session:
        stored = session.execute(
            select(Message.subject, Message.folder, Message.uidvalidity, Message.uid)
        ).all()
    in_store = {subject: (folder, v, uid) for subject, folder, v, uid in stored}
    assert {s: in_store[s] for s in in_work} == {s: ("Work", validity, in_work[s]) for s in in_work}
    assert not set(gone) & set(in_store)
    assert _pending(world) == 0
    assert world.sync() == 0  # every copy in Work was known: nothing is fetched again
    sent = [r.getMessage() for r in caplog.records if r.name == "desktop.mail.protocol"]
    transfers = [line for line in sent if " UID MOVE " in line or " UID COPY " in line]
    assert len(transfers) == 4  # 200 UIDs, 64 to a command
    assert all(":" in line.split()[4] for line in transfers)  # runs, not each UID spelled out


def test_a_cold_queue_signs_in_while_the_action_is_written_and_replays_after(
    world: World,
) -> None:
    ids = deliver(world, 2)
    world.owner.close()
    owner = mail_sync(world.session_factory, Passwords({world.profile_id: PASSWORD}))
    events = Recorder(owner)
    written = threading.Event()
    try:
        assert owner.apply_actions_after(world.actor, world.profile_id, written)
        deadline = time.monotonic() + 20
        while world.login not in world.server.doveadm("who"):  # signed in, waiting
            assert time.monotonic() < deadline, "the queue did not sign in"
        # The write the step waits for: made elsewhere, the queue is told only by ``written``.
        offline = MailActions(world.session_factory, Authorizer(world.session_factory), world.owner)
        offline.move(world.actor, [ids["m0"], ids["m1"]], "Work")
        assert not events.of(ActionsApplied)  # it waited for the write
        written.set()
        events.wait_for(lambda found: any(isinstance(e, ActionsApplied) for e in found))
    finally:
        owner.close()
    assert [(e.moved, e.failed) for e in events.of(ActionsApplied)] == [(2, "")]
    assert set(world.on_server("Work")) == {"m0", "m1"}
    assert world.row("m0").uid == world.on_server("Work")["m0"]
