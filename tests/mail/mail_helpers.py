"""Building users, profiles and awkward messages for the mail tests."""

from __future__ import annotations

import itertools
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from dovecot import MAIL_SERVER_PASSWORD, Dovecot
from imapclient import IMAPClient
from sqlalchemy import text

from desktop.services.authorization import Authorizer, SignedInUser
from desktop.services.mail.connection import DEFAULT_TIMEOUT
from desktop.services.mail.imap_sync import SyncProgress, SyncResult
from desktop.services.mail.sync_owner import (
    Finished,
    FlagsPushed,
    MailSync,
    StateChanged,
    SyncEvent,
    SyncState,
    Watching,
)
from desktop.store.models import Profile, Role, User
from desktop.store.session import SessionFactory, unit_of_work

PASSWORD = MAIL_SERVER_PASSWORD
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


@dataclass
class Passwords:
    """The password source the sync reads, filled the way the keyring would be."""

    by_profile: dict[int, str] = field(default_factory=dict)
    smtp_by_profile: dict[int, str] = field(default_factory=dict)

    def get_password(self, profile_id: int) -> str | None:
        return self.by_profile.get(profile_id)

    def get_smtp_password(self, profile_id: int) -> str | None:
        return self.smtp_by_profile.get(profile_id)


@dataclass(frozen=True)
class MailAccount:
    profile_id: int
    login: str
    passwords: Passwords


def configure_server(
    session_factory: SessionFactory,
    profile_id: int,
    server: Dovecot,
    login: str,
    *,
    security: str = "ssl",
    ca_file: str | None = None,
) -> None:
    with unit_of_work(session_factory) as session:
        profile = session.get(Profile, profile_id)
        assert profile is not None
        profile.imap_host = "127.0.0.1"
        profile.imap_port = server.imaps_port if security == "ssl" else server.imap_port
        profile.imap_security = security
        profile.imap_user = login
        profile.ca_file = ca_file if ca_file is not None else server.ca_file


def server_client(dovecot: Dovecot, login: str) -> IMAPClient:
    context = ssl.create_default_context(cafile=dovecot.ca_file)
    client = IMAPClient("127.0.0.1", port=dovecot.imaps_port, ssl=True, ssl_context=context)
    client.login(login, PASSWORD)
    client.select_folder("INBOX")
    return client


def assert_full_text_index_matches(session_factory: SessionFactory) -> None:
    """FTS5's own check that its index holds exactly the messages' text (SQLite only)."""
    with unit_of_work(session_factory) as session:
        if session.get_bind().dialect.name != "sqlite":
            return
        session.execute(
            text("INSERT INTO messages_fts(messages_fts, rank) VALUES ('integrity-check', 1)")
        )


def actor_of(session_factory: SessionFactory, profile_id: int) -> SignedInUser:
    """The owner of ``profile_id``, signed in and acting as that profile."""
    with unit_of_work(session_factory) as session:
        profile = session.get_one(Profile, profile_id)
        user = session.get_one(User, profile.user_id)
        return SignedInUser(user.id, user.login, user.display_name, profile_id)


def mail_sync(session_factory: SessionFactory, passwords: Passwords, **options: Any) -> MailSync:
    return MailSync(session_factory, passwords, Authorizer(session_factory), **options)


def sync_profile(
    session_factory: SessionFactory,
    profile_id: int,
    passwords: Passwords,
    *,
    progress: Callable[[SyncProgress], None] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> SyncResult:
    """One sync through the profile's owner, waited for (as the command line does)."""
    owner = mail_sync(session_factory, passwords, timeout=timeout)
    try:
        return owner.sync_now(actor_of(session_factory, profile_id), profile_id, progress)
    finally:
        owner.close()


def push_flags_now(session_factory: SessionFactory, profile_id: int, passwords: Passwords) -> int:
    """One flag push through the profile's owner; the count it reports."""
    owner = mail_sync(session_factory, passwords)
    pushed: list[int] = []
    done = threading.Event()

    def listen(event: SyncEvent) -> None:
        if isinstance(event, FlagsPushed):
            pushed.append(event.count)
            done.set()

    owner.add_listener(listen)
    try:
        owner.push_flags(actor_of(session_factory, profile_id), profile_id)
        assert done.wait(30)
        return pushed[0]
    finally:
        owner.close()


class Recorder:
    """Every event of a mail owner, as it arrives on the profiles' and watchers' threads."""

    def __init__(self, owner: MailSync) -> None:
        self.events: list[SyncEvent] = []
        self._changed = threading.Condition()
        owner.add_listener(self._record)

    def _record(self, event: SyncEvent) -> None:
        with self._changed:
            self.events.append(event)
            self._changed.notify_all()

    def wait_for(self, found: Callable[[list[SyncEvent]], bool], timeout: float = 20.0) -> None:
        with self._changed:
            assert self._changed.wait_for(lambda: found(self.events), timeout), self.events

    def of(self, kind: type[SyncEvent]) -> list[SyncEvent]:
        return [e for e in self.events if isinstance(e, kind)]

    def states(self, profile_id: int) -> list[SyncState]:
        return [
            e.state
            for e in self.events
            if isinstance(e, StateChanged) and e.profile_id == profile_id
        ]

    def finished(self) -> list[Finished]:
        return [e for e in self.events if isinstance(e, Finished)]

    def watching(self, count: int = 1) -> Callable[[list[SyncEvent]], bool]:
        return lambda events: sum(isinstance(e, Watching) and e.watching for e in events) >= count

    def synced(self, new: int) -> Callable[[list[SyncEvent]], bool]:
        return lambda events: sum(e.result.new for e in events if isinstance(e, Finished)) >= new
