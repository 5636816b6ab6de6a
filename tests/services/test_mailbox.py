"""Reading and importing mail pass the same role check as every other service call."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

import pytest
from people import add_user
from sqlalchemy import select

from desktop.services.accounts import ProfileDraft
from desktop.services.authorization import SignedInUser
from desktop.services.container import Services
from desktop.services.errors import PermissionDeniedError
from desktop.services.mail.imap_sync import dirty_folders
from desktop.store.models import AuditEvent
from desktop.store.session import unit_of_work

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
    assert opened.text.strip() == "Bloods are back within range."
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
