"""Drafts are saved in the store as the person types and come back whole, even after a crash."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from compose_world import ATTACHMENT_NAME, World, build_world
from sqlalchemy import func, select

from desktop.core.compose.identity import Kind
from desktop.services.container import Services, wire_services
from desktop.services.errors import NotFoundError
from desktop.services.mail.draft import attachment_from_file
from desktop.services.passwords import CHEAP_TEST_COST
from desktop.services.secrets import SecretStore
from desktop.store.models import DraftAttachment
from desktop.store.session import unit_of_work


@pytest.fixture
def world(services: Services, tmp_path: Path) -> World:
    return build_world(services, tmp_path)


def _stored_attachments(services: Services) -> int:
    with unit_of_work(services.session_factory) as session:
        return session.scalar(select(func.count()).select_from(DraftAttachment)) or 0


def test_a_saved_reply_reopens_whole_in_another_app_even_when_its_file_is_gone(
    services: Services, world: World, tmp_path: Path
) -> None:
    file = tmp_path / "Übergabe.txt"
    file.write_bytes(b"handover notes")
    reply = services.composer.reply(world.ada, world.rota, reply_all=True)
    change = services.composer.change_from(world.ada, reply, world.clinic)
    draft = replace(
        change.confirmed(),
        bcc=("audit@stmary.org",),
        body="<p>Yes, I swap.</p>" + reply.body,
        html=True,
        attachments=(attachment_from_file(file),),
    )
    summary = services.composer.save_draft(world.ada, draft)
    assert (summary.key, summary.profile_email) == (draft.key, "ada@clinic.org")
    file.unlink()

    # A second app on the same store, as after a crash and restart.
    again = wire_services(services.engine, SecretStore.in_memory(), password_cost=CHEAP_TEST_COST)
    reopened = again.composer.open_draft(world.ada, draft.key)
    assert reopened == draft
    assert reopened.kind is Kind.REPLY_ALL
    assert reopened.original_message_id == world.rota
    assert reopened.origin_profile_id == world.st_mary
    assert reopened.attachments[0].content == b"handover notes"
    assert again.composer.build(world.ada, reopened).envelope_recipients[-1] == "audit@stmary.org"


def test_saving_is_idempotent_and_writes_an_attachment_once(
    services: Services, world: World
) -> None:
    forward = replace(services.composer.forward(world.ada, world.rota), to=("dan@lab.example",))
    assert [a.filename for a in forward.attachments] == [ATTACHMENT_NAME]
    first = services.composer.save_draft(world.ada, forward)
    unchanged = services.composer.save_draft(world.ada, forward)
    assert unchanged.updated_at == first.updated_at
    typed = services.composer.save_draft(world.ada, replace(forward, body="More text"))
    assert typed.updated_at >= first.updated_at
    assert _stored_attachments(services) == 1
    assert len(services.composer.list_drafts(world.ada)) == 1
    assert services.composer.open_draft(world.ada, forward.key).body == "More text"
    services.composer.save_draft(world.ada, replace(forward, attachments=()))
    assert _stored_attachments(services) == 0


def test_drafts_are_listed_per_profile_newest_first_and_deleted_after_sending(
    services: Services, world: World
) -> None:
    older = replace(services.composer.new_message(world.ada), subject="Older")
    newer = replace(services.composer.new_message(world.ada), subject="Newer")
    reply = services.composer.reply(world.ada, world.rota)
    for draft in (older, newer, reply):
        services.composer.save_draft(world.ada, draft)
    services.composer.save_draft(world.ada, replace(newer, body="typed again"))
    listed = services.composer.list_drafts(world.ada)
    assert [d.subject for d in listed] == ["Newer", "Re: Rota for March", "Older"]
    clinic = services.composer.list_drafts(world.ada, world.clinic)
    assert [d.subject for d in clinic] == ["Newer", "Older"]
    assert services.composer.list_drafts(world.cleo) == []
    with pytest.raises(NotFoundError):
        services.composer.open_draft(world.cleo, newer.key)
    assert services.composer.delete_draft(world.cleo, newer.key) is False

    assert services.composer.delete_draft(world.ada, newer.key) is True
    assert services.composer.delete_draft(world.ada, newer.key) is False
    with pytest.raises(NotFoundError, match="sent or deleted"):
        services.composer.open_draft(world.ada, newer.key)
    assert [d.subject for d in services.composer.list_drafts(world.ada)] == [
        "Re: Rota for March",
        "Older",
    ]
