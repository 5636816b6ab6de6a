"""Before an import, the window learns how much of the mail names another of the user's profiles;
the look reads headers only, a bounded number of messages per source, as the signed-in user."""

from __future__ import annotations

import mailbox
from email.message import EmailMessage
from pathlib import Path

import pytest
from people import add_user

from desktop.services.accounts import ProfileDraft
from desktop.services.authorization import SignedInUser
from desktop.services.container import Services
from desktop.services.errors import PermissionDeniedError
from desktop.services.mail.import_preview import PREVIEW_LIMIT, ImportPreview
from desktop.services.mail.importer import ImportSourceError

PASSWORD = "long enough secret"


def _ada(services: Services) -> tuple[SignedInUser, int, int]:
    add_user(services, "ada", "Ada", PASSWORD)
    actor = services.accounts.sign_in("ada", PASSWORD)
    accounts = services.accounts
    hospital = accounts.create_profile(
        actor, ProfileDraft(organization="Hospital", email="ada@hospital.example")
    )
    actor = actor.with_active_profile(hospital.id)
    clinic = accounts.create_profile(
        actor, ProfileDraft(organization="Clinic", email="Ada@Clinic.example")
    )
    return actor, hospital.id, clinic.id


def _message(number: int, header: str = "To", to: str = "ada@hospital.example") -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Ward Desk <ward@hospital.example>"
    message[header] = to
    message["Subject"] = f"Note {number}"
    message["Message-ID"] = f"<note-{number}@example.org>"
    message.set_content(f"To: ada@clinic.example is only in the body of {number}.\n")
    return message


def _mbox(path: Path, messages: list[EmailMessage]) -> Path:
    box = mailbox.mbox(path)
    for message in messages:
        box.add(message)
    box.close()
    return path


def test_the_preview_counts_mail_naming_each_profile_in_to_cc_and_delivered_to(
    services: Services, tmp_path: Path
) -> None:
    ada, hospital, clinic = _ada(services)
    messages = [_message(n) for n in range(5)]  # the hospital's own mail
    messages += [_message(n, "Cc", "Ada <ADA@clinic.example>") for n in range(5, 8)]
    messages += [_message(8, "Delivered-To", "ada@clinic.example")]
    messages += [_message(9, "To", "ada@hospital.example, ada@clinic.example")]
    messages += [_message(10, "To", "someone@else.example")]
    box = _mbox(tmp_path / "mixed.mbox", messages)
    maildir = mailbox.Maildir(tmp_path / "Maildir")
    maildir.add(_message(20, "To", "ada@clinic.example"))
    eml = tmp_path / "one.eml"
    eml.write_bytes(_message(30, "To", "Ada <ada@clinic.example>").as_bytes())

    preview = services.mailbox.preview_import(ada, [box, tmp_path / "Maildir", eml])

    assert preview.examined == 13
    assert not preview.cut_short
    # Into the hospital: 6 name the clinic alone; the one naming both belongs to both.
    assert preview.addressed_elsewhere(hospital) == {clinic: 6}
    # Into the clinic: the 5 hospital ones (the one naming both is the clinic's too).
    assert preview.addressed_elsewhere(clinic) == {hospital: 5}


def test_the_preview_reads_only_the_first_messages_of_each_source(
    services: Services, tmp_path: Path
) -> None:
    ada, hospital, clinic = _ada(services)
    first = [_message(n, "To", "ada@clinic.example") for n in range(PREVIEW_LIMIT)]
    later = [_message(n) for n in range(PREVIEW_LIMIT, PREVIEW_LIMIT + 40)]
    box = _mbox(tmp_path / "long.mbox", first + later)
    small = _mbox(tmp_path / "small.mbox", [_message(9000, "To", "ada@clinic.example")])

    preview = services.mailbox.preview_import(ada, [box, small])

    assert preview.examined == PREVIEW_LIMIT + 1
    assert preview.cut_short
    assert preview.addressed_elsewhere(hospital) == {clinic: PREVIEW_LIMIT + 1}


def test_an_empty_mbox_and_a_wrong_folder(services: Services, tmp_path: Path) -> None:
    ada, hospital, _clinic = _ada(services)
    empty = tmp_path / "empty.mbox"
    empty.write_bytes(b"")
    assert services.mailbox.preview_import(ada, [empty]) == ImportPreview(0, False, {})
    (tmp_path / "plain").mkdir()
    with pytest.raises(ImportSourceError, match="not a Maildir folder"):
        services.mailbox.preview_import(ada, [tmp_path / "plain"])
    assert services.mailbox.preview_import(ada, []).addressed_elsewhere(hospital) == {}


def test_only_the_actors_own_addresses_are_matched(services: Services, tmp_path: Path) -> None:
    ada, hospital, _clinic = _ada(services)
    add_user(services, "bob", "Bob", PASSWORD)
    bob = services.accounts.sign_in("bob", PASSWORD)
    bobs = services.accounts.create_profile(
        bob, ProfileDraft(organization="Lab", email="bob@lab.example")
    )
    box = _mbox(tmp_path / "bob.mbox", [_message(1, "To", "bob@lab.example")])
    assert services.mailbox.preview_import(ada, [box]).addressed_elsewhere(hospital) == {}
    bob = bob.with_active_profile(bobs.id)
    assert services.mailbox.preview_import(bob, [box]).addressed_elsewhere(bobs.id) == {}
    with pytest.raises(PermissionDeniedError):
        services.mailbox.preview_import(bob.with_active_profile(None), [box])
