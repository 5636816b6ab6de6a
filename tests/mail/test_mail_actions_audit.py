"""Each mail action a person takes is in the audit in plain words; the replay's connections are
in the egress audit like every other connection."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from dovecot import Dovecot
from mail_helpers import server_client
from test_mail_actions import World, deliver, make_world

from desktop.services.audit import AuditService
from desktop.services.authorization import Authorizer
from desktop.store.session import SessionFactory

pytestmark = pytest.mark.imap


@pytest.fixture
def world(dovecot: Dovecot, session_factory: SessionFactory, profile_id: int) -> Iterator[World]:
    made = make_world(dovecot, session_factory, profile_id)
    yield made
    made.owner.close()


def test_every_action_reads_as_a_sentence_with_its_count_and_folder(world: World) -> None:
    ids = deliver(world, 3)
    world.actions.move(world.actor, [ids["m0"], ids["m1"]], "Work")
    world.actions.undo(world.actor)
    world.actions.archive(world.actor, [ids["m2"]])
    world.actions.delete(world.actor, [ids["m0"]])
    world.actions.delete(world.actor, [ids["m0"]], permanent=True)
    world.actions.set_flags(world.actor, [ids["m1"]], seen=True, flagged=False)
    world.settle()
    with server_client(world.server, world.login) as client:
        client.select_folder("Trash", readonly=True)
        assert client.search("ALL") == []  # expunged, not merely marked deleted
    world.owner.close()  # the egress audit is written when the connection ends

    audit = AuditService(world.session_factory, Authorizer(world.session_factory))
    said = [(e.what, e.about, e.result) for e in reversed(audit.list_events(world.actor))]
    mail = [entry for entry in said if "mail" in entry[0].lower()]
    organization = mail[0][1].split(":")[0]
    assert mail == [
        ("Moved mail", f"{organization}: 2 messages to Work", "Done"),
        ("Undid a move or delete of mail", f"{organization}: 2 messages to INBOX", "Done"),
        ("Archived mail", f"{organization}: 1 message to Archive", "Done"),
        ("Moved mail to the Trash", f"{organization}: 1 message to Trash", "Done"),
        ("Deleted mail for good", f"{organization}: 1 message", "Done"),
        ("Marked mail as read", f"{organization}: 1 message", "Done"),
        ("Removed the flag from mail", f"{organization}: 1 message", "Done"),
    ]
    connections = audit.find_connections(world.actor).entries
    assert connections
    assert all(c.summary == "Connected to 127.0.0.1" for c in connections)
    commands = {command for c in connections for command in c.commands}
    assert {"UID MOVE", "UID EXPUNGE"} <= commands
