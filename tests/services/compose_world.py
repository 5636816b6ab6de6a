"""A user with accounts at two organizations and a few stored messages, for the compose tests."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from people import add_user

from desktop.services.accounts import ProfileDraft
from desktop.services.authorization import SignedInUser
from desktop.services.container import Services

PASSWORD = "correct horse battery"
ROTA_ID = "<rota-3@ward.stmary.org>"
ROTA_REFERENCES = "<rota-1@ward.stmary.org> <rota-2@ward.stmary.org>"
ATTACHMENT_NAME = "Dienstplan März.pdf"
ATTACHMENT_BYTES = b"%PDF-1.4 rota"


@dataclass(frozen=True)
class World:
    ada: SignedInUser  # active: the Clinic profile
    st_mary: int
    clinic: int
    rota: int  # came to St Mary, Ada's Clinic address in Cc
    cleo: SignedInUser
    cleo_profile: int
    cleo_message: int


def _eml(folder: Path, name: str, headers: dict[str, str], body: str, *files: bytes) -> Path:
    message = EmailMessage()
    for key, value in headers.items():
        message[key] = value
    message.set_content(body)
    for content in files:
        message.add_attachment(
            content, maintype="application", subtype="pdf", filename=ATTACHMENT_NAME
        )
    path = folder / f"{name}.eml"
    path.write_bytes(message.as_bytes())
    return path


def build_world(services: Services, folder: Path) -> World:
    accounts = services.accounts
    accounts.create_first_user("ada", "Ada Lovelace", PASSWORD)
    ada = accounts.sign_in("ada", PASSWORD)
    st_mary = accounts.create_profile(
        ada, ProfileDraft(organization="St Mary", email="ada@stmary.org")
    ).id
    ada = ada.with_active_profile(st_mary)
    clinic = accounts.create_profile(
        ada, ProfileDraft(organization="Clinic", email="ada@clinic.org")
    ).id
    ada = ada.with_active_profile(clinic)
    rota = _eml(
        folder,
        "rota",
        {
            "From": '"Smith, Bob" <bob@stmary.org>',
            "To": "Ada Lovelace <ADA@StMary.org>, Cleo Ward <cleo@stmary.org>",
            "Cc": "ada@clinic.org, Dan <dan@lab.example>",
            "Subject": "Re: Rota for March",
            "Date": "Tue, 03 Feb 2026 09:15:00 +0100",
            "Message-ID": ROTA_ID,
            "References": ROTA_REFERENCES,
        },
        "Night shift swap on the 4th?\nThanks, Bob",
        ATTACHMENT_BYTES,
    )
    assert services.mailbox.import_files(ada, st_mary, [rota]).added == 1
    rota_id = services.mailbox.page(ada, [st_mary])[0].id

    add_user(services, "cleo", "Cleo", PASSWORD)
    cleo = accounts.sign_in("cleo", PASSWORD)
    cleo_profile = accounts.create_profile(
        cleo, ProfileDraft(organization="Lab", email="cleo@lab.example")
    ).id
    cleo = cleo.with_active_profile(cleo_profile)
    note = _eml(
        folder,
        "note",
        {"From": "x@lab.example", "To": "cleo@lab.example", "Subject": "Private"},
        "For Cleo only.",
    )
    services.mailbox.import_files(cleo, cleo_profile, [note])
    cleo_message = services.mailbox.page(cleo)[0].id
    return World(ada, st_mary, clinic, rota_id, cleo, cleo_profile, cleo_message)


def import_one(services: Services, actor: SignedInUser, profile_id: int, path: Path) -> int:
    """Import one message file and return its stored id."""
    assert services.mailbox.import_files(actor, profile_id, [path]).added == 1
    return services.mailbox.page(actor, [profile_id])[0].id


def eml(folder: Path, name: str, headers: dict[str, str], body: str) -> Path:
    return _eml(folder, name, headers, body)
