"""Sending through the real Postfix of the tests, and reading what arrived over IMAP."""

from __future__ import annotations

import email
import email.policy
import time
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid

from dovecot import Dovecot
from imapclient import IMAPClient
from mail_helpers import (
    PASSWORD,
    Passwords,
    actor_of,
    configure_server,
    make_profile,
    server_client,
)
from postfix import Postfix

from desktop.services.authorization import Authorizer
from desktop.services.mail.smtp_settings import set_smtp_server
from desktop.store.session import SessionFactory

ARRIVAL_TIMEOUT = 20.0


@dataclass(frozen=True)
class Sender:
    profile_id: int
    login: str
    address: str
    passwords: Passwords


def make_sender(
    session_factory: SessionFactory,
    user_id: int,
    dovecot: Dovecot,
    postfix: Postfix,
    *,
    security: str = "starttls",
    smtp_user: str | None = None,
) -> Sender:
    """A profile whose address is a real mailbox on the test servers, set up to send."""
    login = dovecot.add_user()
    address = postfix.address(login)
    profile_id = make_profile(session_factory, user_id, address)
    configure_server(session_factory, profile_id, dovecot, login)
    set_smtp_server(
        session_factory,
        Authorizer(session_factory),
        actor_of(session_factory, profile_id),
        profile_id,
        host="127.0.0.1",
        port=postfix.submission_port if security == "starttls" else postfix.smtps_port,
        security=security,
        user=smtp_user,
        ca_file=postfix.ca_file,
    )
    return Sender(profile_id, login, address, Passwords({profile_id: PASSWORD}))


def message(sender: str, to: str, subject: str = "Hello", body: str = "Hello.\n") -> EmailMessage:
    built = EmailMessage()
    built["From"] = sender
    built["To"] = to
    built["Subject"] = subject
    built["Message-ID"] = make_msgid(domain="example.net")
    built.set_content(body)
    return built


def read_folder(
    dovecot: Dovecot, login: str, folder: str = "INBOX", *, at_least: int = 0
) -> list[EmailMessage]:
    """The messages in a folder once ``at_least`` have arrived (or the deadline passed).

    Between looks the connection IDLEs, so the next look comes when the server says that
    something changed, not after a guessed pause.
    """
    deadline = time.monotonic() + ARRIVAL_TIMEOUT
    client = server_client(dovecot, login)
    try:
        while True:
            found = _fetch_all(client, folder)
            left = deadline - time.monotonic()
            if len(found) >= at_least or left <= 0:
                policy = email.policy.default
                return [email.message_from_bytes(raw, policy=policy) for raw in found]  # type: ignore[misc]
            client.idle()
            client.idle_check(timeout=left)
            client.idle_done()
    finally:
        client.logout()


def _fetch_all(client: IMAPClient, folder: str) -> list[bytes]:
    """Everything in ``folder``; a folder not made yet is empty, and the IDLE that follows
    watches INBOX, whose changes come with every delivery the tests wait for."""
    if not client.folder_exists(folder):
        client.select_folder("INBOX", readonly=True)
        return []
    client.select_folder(folder, readonly=True)
    uids = client.search("ALL")
    fetched = client.fetch(uids, ["BODY.PEEK[]"]) if uids else {}
    return [item[b"BODY[]"] for _, item in sorted(fetched.items())]
