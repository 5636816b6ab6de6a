"""Drafts saved to the profile's Drafts folder on a real Dovecot when the profile syncs."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from dataclasses import dataclass, replace
from email.message import EmailMessage
from typing import Any

import pytest
from dovecot import Dovecot
from mail_helpers import MailAccount, actor_of, mail_sync, server_client
from sqlalchemy import select, update

from desktop.core.compose.identity import Kind
from desktop.services.authorization import Authorizer, SignedInUser
from desktop.services.mail.compose import Composer
from desktop.services.mail.connection import AuditedClient
from desktop.services.mail.draft import Draft, DraftAttachment
from desktop.services.mail.draft_uploads import DRAFTS_FALLBACK
from desktop.services.mail.sync_owner import MailSync
from desktop.store.models import EgressEvent
from desktop.store.models.drafts import DraftUpload
from desktop.store.session import SessionFactory, unit_of_work

pytestmark = pytest.mark.imap

SECRET_SUBJECT = "Results of bed 12"
SECRET_BODY = "The biopsy is benign; call the family before noon.\n"


@dataclass(frozen=True)
class ServerCopy:
    uid: int
    flags: tuple[bytes, ...]
    message: EmailMessage


@dataclass
class World:
    dovecot: Dovecot
    session_factory: SessionFactory
    account: MailAccount
    composer: Composer
    ada: SignedInUser
    owner: MailSync

    @property
    def profile_id(self) -> int:
        return self.account.profile_id

    def save(self, draft: Draft) -> None:
        self.composer.save_draft(self.ada, draft)

    def sync(self) -> None:
        self.owner.sync_now(self.ada, self.profile_id)

    def on_server(self) -> list[ServerCopy]:
        return drafts_on_server(self.dovecot, self.account.login)

    def uid_next(self) -> int:
        return uid_next(self.dovecot, self.account.login)

    def uploads(self) -> list[DraftUpload]:
        with unit_of_work(self.session_factory) as session:
            rows = list(session.scalars(select(DraftUpload).order_by(DraftUpload.id)))
            session.expunge_all()
            return rows


@pytest.fixture
def world(
    dovecot: Dovecot, session_factory: SessionFactory, account: MailAccount
) -> Iterator[World]:
    owner = mail_sync(session_factory, account.passwords)
    composer = Composer(session_factory, Authorizer(session_factory))
    ada = actor_of(session_factory, account.profile_id)
    yield World(dovecot, session_factory, account, composer, ada, owner)
    owner.close()


def drafts_on_server(dovecot: Dovecot, login: str) -> list[ServerCopy]:
    """Every message in the Drafts folder, deleted-flagged ones included, by UID."""
    client = server_client(dovecot, login)
    try:
        if not client.folder_exists(DRAFTS_FALLBACK):
            return []
        client.select_folder(DRAFTS_FALLBACK, readonly=True)
        fetched = client.fetch(client.search("ALL"), ["FLAGS", "BODY.PEEK[]"])
        return [
            ServerCopy(
                uid,
                tuple(item[b"FLAGS"]),
                email.message_from_bytes(item[b"BODY[]"], policy=email.policy.default),
            )
            for uid, item in sorted(fetched.items())
        ]
    finally:
        client.logout()


def uid_next(dovecot: Dovecot, login: str) -> int:
    client = server_client(dovecot, login)
    try:
        return int(client.folder_status(DRAFTS_FALLBACK, [b"UIDNEXT"])[b"UIDNEXT"])
    finally:
        client.logout()


def new_draft(profile_id: int, **fields: object) -> Draft:
    base = Draft(
        "k" + str(profile_id) + "x" * 10,
        Kind.NEW,
        profile_id,
        to=("Bob <bob@example.net>",),
        bcc=("hidden@example.net",),
        subject=SECRET_SUBJECT,
        body=SECRET_BODY,
    )
    return replace(base, **fields)


def test_a_saved_draft_is_in_drafts_after_a_sync_flagged_draft_without_bcc(world: World) -> None:
    attachment = DraftAttachment("rota.txt", "text/plain", b"Monday: Ada\n")
    world.save(new_draft(world.profile_id, attachments=(attachment,)))

    world.sync()

    [copy] = world.on_server()
    assert b"\\Draft" in copy.flags
    assert b"\\Seen" in copy.flags
    assert copy.message["Subject"] == SECRET_SUBJECT
    assert copy.message["To"] == "Bob <bob@example.net>"
    assert copy.message["From"] == "Ada <ada@clinic.example>"
    assert copy.message["Bcc"] is None
    assert b"hidden@example.net" not in copy.message.as_bytes()
    assert plain_text(copy) == SECRET_BODY
    [attached] = copy.message.iter_attachments()
    assert attached.get_content() == "Monday: Ada\n"
    [row] = world.uploads()
    assert (row.uid, row.message_id) == (copy.uid, copy.message["Message-ID"])


def test_an_edited_draft_leaves_exactly_one_copy_with_the_new_text(world: World) -> None:
    draft = new_draft(world.profile_id)
    world.save(draft)
    world.sync()
    [first] = world.on_server()

    world.save(replace(draft, body="Second thoughts.\n"))
    world.sync()

    [copy] = world.on_server()
    assert copy.uid > first.uid
    assert plain_text(copy) == "Second thoughts.\n"
    assert copy.message["Message-ID"] != first.message["Message-ID"]
    assert [row.uid for row in world.uploads()] == [copy.uid]


def test_a_draft_deleted_here_leaves_the_server_at_the_next_sync(world: World) -> None:
    kept = new_draft(world.profile_id, key="kept" + "y" * 10, subject="Kept")
    gone = new_draft(world.profile_id)
    world.save(kept)
    world.save(gone)
    world.sync()
    assert len(world.on_server()) == 2

    assert world.composer.delete_draft(world.ada, gone.key)
    world.sync()

    [left] = world.on_server()
    assert left.message["Subject"] == "Kept"
    assert [row.draft_key for row in world.uploads()] == [kept.key]
    world.owner.close()  # the connection's egress is recorded when it ends
    with unit_of_work(world.session_factory) as session:
        audited = [
            f"{event.commands} {event.outcome} {event.message_ids}"
            for event in session.scalars(select(EgressEvent))
        ]
    assert any("APPEND" in line and "UID EXPUNGE" in line for line in audited)
    assert not any(SECRET_SUBJECT in line or "biopsy" in line for line in audited)


def test_a_restarted_app_uploads_nothing_again(world: World) -> None:
    world.save(new_draft(world.profile_id))
    world.sync()
    world.owner.close()
    [before] = world.on_server()
    next_uid = world.uid_next()

    restarted = mail_sync(world.session_factory, world.account.passwords)
    try:
        restarted.sync_now(world.ada, world.profile_id)
    finally:
        restarted.close()

    assert world.uid_next() == next_uid
    [after] = world.on_server()
    assert after.uid == before.uid
    with unit_of_work(world.session_factory) as session:
        last = session.scalars(select(EgressEvent).order_by(EgressEvent.id.desc())).first()
    assert last is not None
    assert "SELECT" in last.commands
    assert "APPEND" not in last.commands
    assert "UID EXPUNGE" not in last.commands


def test_an_append_the_app_died_in_is_found_again_not_repeated(world: World) -> None:
    world.save(new_draft(world.profile_id))
    world.sync()
    [before] = world.on_server()
    next_uid = world.uid_next()
    # As if the app died after the APPEND, before its UID was written down.
    with unit_of_work(world.session_factory) as session:
        session.execute(update(DraftUpload).values(uid=None, uidvalidity=None))

    world.sync()

    assert world.uid_next() == next_uid
    assert [row.uid for row in world.uploads()] == [before.uid]


def test_an_append_that_never_reached_the_server_is_made_at_the_next_sync(world: World) -> None:
    draft = new_draft(world.profile_id)
    world.save(draft)
    with unit_of_work(world.session_factory) as session:
        session.add(
            DraftUpload(
                profile_id=world.profile_id,
                draft_key=draft.key,
                fingerprint=draft.fingerprint(),
                folder=DRAFTS_FALLBACK,
                message_id="<never-appended@clinic.example>",
            )
        )

    world.sync()

    [copy] = world.on_server()
    [row] = world.uploads()
    assert (row.uid, row.message_id) == (copy.uid, copy.message["Message-ID"])


def test_without_uidplus_the_old_copy_is_flagged_deleted_and_left(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server without UIDPLUS answers APPEND without the new UID and has no UID EXPUNGE."""
    real_append, real_has = AuditedClient.append, AuditedClient.has_capability

    def append_without_uid(client: AuditedClient, *args: Any, **kwargs: Any) -> bytes:
        real_append(client, *args, **kwargs)
        return b"Append completed."

    def capabilities(client: AuditedClient, name: str) -> bool:
        return name.upper() != "UIDPLUS" and bool(real_has(client, name))

    monkeypatch.setattr(AuditedClient, "append", append_without_uid)
    monkeypatch.setattr(AuditedClient, "has_capability", capabilities)
    draft = new_draft(world.profile_id)
    world.save(draft)
    world.sync()
    [first] = world.on_server()

    world.save(replace(draft, body="Second thoughts.\n"))
    world.sync()

    old, new = world.on_server()
    assert old.uid == first.uid
    assert b"\\Deleted" in old.flags
    assert b"\\Deleted" not in new.flags
    assert plain_text(new) == "Second thoughts.\n"
    assert [row.uid for row in world.uploads()] == [new.uid]


def test_an_unfinished_draft_is_copied_without_what_is_not_an_address(world: World) -> None:
    world.save(new_draft(world.profile_id, to=("bob@",), cc=("Cy <cy@x.net>",)))
    world.save(new_draft(world.profile_id, key="empty" + "z" * 10, to=(), bcc=()))

    world.sync()

    copies = world.on_server()
    assert sorted((c.message["To"] or "", c.message["Cc"] or "") for c in copies) == [
        ("", ""),
        ("", "Cy <cy@x.net>"),
    ]
    assert all(c.message["Bcc"] is None for c in copies)


def test_a_reply_moved_to_another_organization_waits_for_the_confirmation(
    world: World, second_profile_id: int
) -> None:
    answer = new_draft(world.profile_id, kind=Kind.REPLY, origin_profile_id=second_profile_id)
    world.save(answer)
    world.sync()
    assert world.on_server() == []

    world.save(replace(answer, organization_confirmed=True))
    world.sync()

    [copy] = world.on_server()
    assert copy.message["Subject"] == SECRET_SUBJECT


def plain_text(copy: ServerCopy) -> str:
    body = copy.message.get_body(("plain",))
    assert body is not None
    return str(body.get_content()).replace("\r\n", "\n")  # IMAP keeps CRLF
