"""Answering as the right profile, on stored mail: From, recipients, threading, the built bytes."""

from __future__ import annotations

from dataclasses import replace
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default
from pathlib import Path

import pytest
from compose_world import (
    ATTACHMENT_BYTES,
    ATTACHMENT_NAME,
    ROTA_ID,
    ROTA_REFERENCES,
    World,
    build_world,
    eml,
    import_one,
)
from sqlalchemy import func, select

from desktop.core.compose.identity import Kind
from desktop.services.container import Services
from desktop.services.errors import NotFoundError, PermissionDeniedError
from desktop.services.mail.draft import (
    RFC822,
    CrossOrganizationError,
    InvalidAddressError,
    NoRecipientError,
    attachment_from_file,
)
from desktop.store.models import AuditEvent
from desktop.store.session import unit_of_work


@pytest.fixture
def world(services: Services, tmp_path: Path) -> World:
    return build_world(services, tmp_path)


def _parsed(raw: bytes) -> EmailMessage:
    message = BytesParser(policy=default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    return message


def _addresses(message: EmailMessage, header: str) -> list[str]:
    value = message[header]
    return [address.addr_spec for address in value.addresses] if value is not None else []


def test_a_reply_is_from_the_profile_that_received_the_original_whatever_is_active(
    services: Services, world: World
) -> None:
    assert world.ada.active_profile_id == world.clinic
    draft = services.composer.reply(world.ada, world.rota)
    assert draft.kind is Kind.REPLY
    assert draft.from_profile_id == world.st_mary
    assert draft.to == ('"Smith, Bob" <bob@stmary.org>',)
    built = _parsed(services.composer.build(world.ada, draft).as_bytes())
    assert _addresses(built, "From") == ["ada@stmary.org"]
    assert built["From"].addresses[0].display_name == "Ada Lovelace"
    assert built["Message-ID"].endswith("@stmary.org>")
    assert built["Date"] is not None
    forward = services.composer.forward(world.ada, world.rota)
    assert forward.from_profile_id == world.st_mary


def test_a_new_message_is_from_the_active_profile(services: Services, world: World) -> None:
    assert services.composer.new_message(world.ada).from_profile_id == world.clinic
    chosen = services.composer.new_message(world.ada, world.st_mary)
    assert chosen.from_profile_id == world.st_mary


def test_moving_from_to_another_organization_warns_naming_both_and_needs_confirmation(
    services: Services, world: World
) -> None:
    draft = services.composer.reply(world.ada, world.rota)
    change = services.composer.change_from(world.ada, draft, world.clinic)
    assert change.warning is not None
    assert "St Mary" in change.warning.message
    assert "Clinic" in change.warning.message
    assert change.draft.from_profile_id == world.clinic
    with pytest.raises(CrossOrganizationError, match="St Mary") as refused:
        services.composer.build(world.ada, change.draft)
    assert refused.value.warning == change.warning
    built = _parsed(services.composer.build(world.ada, change.confirmed()).as_bytes())
    assert _addresses(built, "From") == ["ada@clinic.org"]
    back = services.composer.change_from(world.ada, change.confirmed(), world.st_mary)
    assert back.warning is None


def test_reply_all_leaves_out_every_address_of_the_users_profiles_and_keeps_the_rest(
    services: Services, world: World
) -> None:
    draft = services.composer.reply(world.ada, world.rota, reply_all=True)
    assert draft.kind is Kind.REPLY_ALL
    assert draft.to == ('"Smith, Bob" <bob@stmary.org>', "Cleo Ward <cleo@stmary.org>")
    assert draft.cc == ("Dan <dan@lab.example>",)
    outgoing = services.composer.build(world.ada, draft)
    assert set(outgoing.envelope_recipients) == {
        "bob@stmary.org",
        "cleo@stmary.org",
        "dan@lab.example",
    }


def test_a_reply_goes_to_the_reply_to_of_the_original(
    services: Services, world: World, tmp_path: Path
) -> None:
    path = eml(
        tmp_path,
        "list",
        {
            "From": "Bob <bob@stmary.org>",
            "Reply-To": "Ward List <ward-list@stmary.org>",
            "To": "ada@stmary.org",
            "Subject": "Handover",
            "Message-ID": "<handover@stmary.org>",
        },
        "Handover at 8.",
    )
    stored = import_one(services, world.ada, world.st_mary, path)
    draft = services.composer.reply(world.ada, stored, reply_all=True)
    assert draft.to == ("Ward List <ward-list@stmary.org>",)
    assert draft.in_reply_to == "<handover@stmary.org>"
    assert draft.references == ("<handover@stmary.org>",)


def test_the_reply_threads_quotes_and_does_not_pile_up_re(services: Services, world: World) -> None:
    draft = services.composer.reply(world.ada, world.rota)
    assert draft.subject == "Re: Rota for March"
    built = _parsed(services.composer.build(world.ada, draft).as_bytes())
    assert built["Subject"] == "Re: Rota for March"
    assert built["In-Reply-To"] == ROTA_ID
    assert built["References"].split() == [*ROTA_REFERENCES.split(), ROTA_ID]
    text = built.get_content()
    assert "wrote:\n> Night shift swap on the 4th?\n> Thanks, Bob" in text
    assert "Bob" in text.split("wrote:")[0].splitlines()[-1]


def test_bcc_is_in_the_envelope_and_nowhere_in_the_bytes(services: Services, world: World) -> None:
    draft = replace(
        services.composer.new_message(world.ada),
        to=("Bob <bob@stmary.org>",),
        bcc=("Secret Keeper <hidden@audit.example>",),
        subject="Rota",
        body="See you.",
    )
    outgoing = services.composer.build(world.ada, draft)
    raw = outgoing.as_bytes()
    assert b"hidden@audit.example" not in raw
    assert b"Secret Keeper" not in raw
    assert b"bcc" not in raw.lower()
    assert outgoing.envelope_recipients == ("bob@stmary.org", "hidden@audit.example")
    assert outgoing.envelope_sender == "ada@clinic.org"
    assert _parsed(raw)["Message-ID"] == outgoing.message_id


def test_an_html_body_is_sanitized_and_has_a_plain_alternative(
    services: Services, world: World
) -> None:
    draft = replace(
        services.composer.new_message(world.ada),
        to=("bob@stmary.org",),
        subject="Agenda",
        body='<p onclick="steal()">Ward <b>meeting</b></p><script>alert("x")</script>'
        '<a href="https://stmary.org/agenda">agenda</a>'
        '<p style="font-style:italic; background-image:url(https://track.example/p.gif)">'
        "Rounds</p>",
        html=True,
    )
    built = _parsed(services.composer.build(world.ada, draft).as_bytes())
    assert built.get_content_type() == "multipart/alternative"
    plain = built.get_body(("plain",))
    html = built.get_body(("html",))
    assert plain is not None
    assert html is not None
    html_text = html.get_content()
    assert "<script" not in html_text
    assert "alert" not in html_text
    assert "onclick" not in html_text
    assert "<b>meeting</b>" in html_text
    assert '<p style="font-style:italic">Rounds</p>' in html_text
    assert "track.example" not in html_text
    plain_text = plain.get_content()
    assert "Ward meeting" in plain_text
    assert "agenda (https://stmary.org/agenda)" in plain_text
    assert "<" not in plain_text


def test_a_non_ascii_file_name_round_trips_through_the_parser(
    services: Services, world: World, tmp_path: Path
) -> None:
    path = tmp_path / "Befund Müller März.pdf"
    path.write_bytes(b"%PDF-1.4 findings")
    attachment = attachment_from_file(path)
    assert attachment.content_type == "application/pdf"
    draft = replace(
        services.composer.new_message(world.ada),
        to=("bob@stmary.org",),
        subject="Befund",
        attachments=(attachment,),
    )
    raw = services.composer.build(world.ada, draft).as_bytes()
    assert b"filename*=utf-8''Befund%20M%C3%BCller" in raw
    (part,) = _parsed(raw).iter_attachments()
    assert part.get_filename() == "Befund Müller März.pdf"
    assert part.get_content_type() == "application/pdf"
    assert part.get_content() == b"%PDF-1.4 findings"


def test_each_bad_address_is_named_in_one_error(services: Services, world: World) -> None:
    draft = replace(
        services.composer.new_message(world.ada),
        to=("bob@stmary.org", "bob at stmary"),
        cc=("Dan <dan@@lab.example>",),
        bcc=("nobody@",),
    )
    with pytest.raises(InvalidAddressError) as refused:
        services.composer.build(world.ada, draft)
    assert refused.value.addresses == ("bob at stmary", "Dan <dan@@lab.example>", "nobody@")
    message = str(refused.value)
    assert message.startswith("These are not email addresses:")
    for bad in refused.value.addresses:
        assert bad in message
    with pytest.raises(NoRecipientError):
        services.composer.build(world.ada, services.composer.new_message(world.ada))


def test_forwarding_keeps_the_attachments_inline_or_as_a_message(
    services: Services, world: World
) -> None:
    inline = services.composer.forward(world.ada, world.rota)
    assert inline.subject == "Fwd: Re: Rota for March"
    assert "-------- Forwarded Message --------" in inline.body
    assert "Night shift swap on the 4th?" in inline.body
    inline = replace(inline, to=("dan@lab.example",))
    built = _parsed(services.composer.build(world.ada, inline).as_bytes())
    (part,) = built.iter_attachments()
    assert (part.get_filename(), part.get_content()) == (ATTACHMENT_NAME, ATTACHMENT_BYTES)

    attached = services.composer.forward(world.ada, world.rota, as_attachment=True)
    assert attached.kind is Kind.FORWARD_AS_ATTACHMENT
    attached = replace(attached, to=("dan@lab.example",))
    built = _parsed(services.composer.build(world.ada, attached).as_bytes())
    (part,) = built.iter_attachments()
    assert part.get_content_type() == RFC822
    original = part.get_content()
    assert original["Message-ID"] == ROTA_ID
    assert original["Subject"] == "Re: Rota for March"
    assert "Night shift swap" in original.get_body(("plain",)).get_content()
    (inner,) = original.iter_attachments()
    assert (inner.get_filename(), inner.get_content()) == (ATTACHMENT_NAME, ATTACHMENT_BYTES)


def test_the_signature_is_under_the_separator_above_the_quote(
    services: Services, world: World
) -> None:
    services.composer.set_signature(world.ada, world.st_mary, "Dr Ada Lovelace\nSt Mary, ward 4")
    services.composer.set_signature(world.ada, world.clinic, "Ada, Clinic")
    assert services.composer.signature(world.ada, world.st_mary) == (
        "Dr Ada Lovelace\nSt Mary, ward 4"
    )
    reply = services.composer.reply(world.ada, world.rota)
    assert reply.body.index("-- \nDr Ada Lovelace\nSt Mary, ward 4") < reply.body.index("wrote:")
    assert services.composer.new_message(world.ada).body == "\n\n-- \nAda, Clinic\n"
    moved = services.composer.change_from(world.ada, reply, world.clinic).draft
    assert "-- \nAda, Clinic" in moved.body
    assert "ward 4" not in moved.body.split("wrote:")[0]


def test_a_member_may_not_write_as_a_profile_or_answer_mail_that_is_not_theirs(
    services: Services, world: World
) -> None:
    draft = services.composer.reply(world.ada, world.rota)
    with pytest.raises(PermissionDeniedError):
        services.composer.change_from(world.ada, draft, world.cleo_profile)
    with pytest.raises(PermissionDeniedError):
        services.composer.build(world.ada, replace(draft, from_profile_id=world.cleo_profile))
    with pytest.raises(PermissionDeniedError):
        services.composer.new_message(world.ada, world.cleo_profile)
    with pytest.raises(PermissionDeniedError):
        services.composer.save_draft(world.ada, replace(draft, from_profile_id=world.cleo_profile))
    with pytest.raises(NotFoundError, match="no message"):
        services.composer.reply(world.ada, world.cleo_message)
    with unit_of_work(services.session_factory) as session:
        denied = session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.user_id == world.ada.user_id, AuditEvent.outcome == "denied")
        )
    assert denied == 4
