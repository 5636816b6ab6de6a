"""Building users, profiles and awkward messages for the mail tests."""

from __future__ import annotations

import itertools
from email.message import EmailMessage

from desktop.store.models import Profile, Role, User
from desktop.store.session import SessionFactory, unit_of_work

_support_ids = itertools.count(1_000_000)


def make_user(session_factory: SessionFactory, login: str = "ada") -> int:
    with unit_of_work(session_factory) as session:
        user = User(login=login, display_name=login.title(), password_hash="x")
        session.add(user)
        session.flush()
        return user.id


def make_profile(
    session_factory: SessionFactory, user_id: int, email: str, organization: str = "Clinic"
) -> int:
    with unit_of_work(session_factory) as session:
        profile = Profile(
            user_id=user_id,
            organization=organization,
            role=Role.MEMBER,
            email=email,
            support_id=next(_support_ids),
        )
        session.add(profile)
        session.flush()
        return profile.id


def simple_message(
    number: int,
    subject: str | None = None,
    body: str | None = None,
    date: str = "Tue, 03 Mar 2020 10:00:00 +0100",
    sender: str = "Sender <sender@example.org>",
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "ada@example.org"
    message["Subject"] = subject if subject is not None else f"Message number {number}"
    message["Date"] = date
    message["Message-ID"] = f"<m{number}@example.org>"
    message.set_content(body if body is not None else f"Body of message {number}.\n")
    return message.as_bytes()
