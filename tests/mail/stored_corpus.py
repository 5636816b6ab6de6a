"""The corpus of ``tests/thread_corpus.py`` as stored mail."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import format_datetime

from thread_corpus import CORPUS

from desktop.core.conversations import Envelope, conversations
from desktop.services.mail.parse import parse_message
from desktop.services.mail.storing import Placement

SENDERS = ["Ada Lovelace <ada@x.org>", "Grace Hopper <grace@x.org>", "alan@x.org"]


def raw(envelope: Envelope) -> bytes:
    message = EmailMessage()
    message["From"] = SENDERS[envelope.key % len(SENDERS)]
    message["To"] = "ada@clinic.example"
    message["Subject"] = envelope.subject
    message["Date"] = format_datetime(envelope.date)
    if envelope.message_id is not None:
        message["Message-ID"] = envelope.message_id
    if envelope.references:
        message["References"] = envelope.references
    message.set_content(f"corpus {envelope.key}\n")
    return message.as_bytes()


def item(envelope: Envelope, folder: str = "INBOX") -> tuple[object, Placement]:
    """Each stored by IMAP identity, so that the duplicate Message-IDs are both kept."""
    placement = Placement(
        folder=folder, uidvalidity=1, uid=envelope.key, seen=envelope.key % 2 == 0
    )
    return parse_message(raw(envelope)), placement


def expected_groups() -> set[frozenset[int]]:
    return {frozenset(conversation.keys) for conversation in conversations(CORPUS)}
