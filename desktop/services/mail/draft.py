"""The records of writing mail that the GUI and the CLI hold and pass back: drafts and results.

A :class:`Draft` is a plain immutable value: the window edits it with :func:`dataclasses.replace`
and hands it back to save or build, so nothing in the services keeps state between calls. It
carries everything a reopened draft needs (From, recipients, body, attachments as bytes, what it
answers), so the one record serves the editor, the store and the builder.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path

from desktop.core.compose.identity import Kind, OrganizationWarning
from desktop.core.compose.recipients import Mailbox
from desktop.services.errors import AccountError

DEFAULT_TYPE = "application/octet-stream"
RFC822 = "message/rfc822"


@dataclass(frozen=True)
class DraftAttachment:
    filename: str = field(repr=False)
    content_type: str
    content: bytes = field(repr=False)
    digest: str = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "digest", hashlib.sha256(self.content).hexdigest())

    @property
    def size(self) -> int:
        return len(self.content)


def attachment_from_file(path: Path) -> DraftAttachment:
    """The file's bytes under its own name, typed by its extension (``mimetypes``)."""
    guessed, encoding = mimetypes.guess_type(path.name, strict=False)
    # A .gz or .bz2 is sent as the compressed file it is, not as the type inside it.
    content_type = guessed if guessed and encoding is None else DEFAULT_TYPE
    return DraftAttachment(path.name, content_type, path.read_bytes())


def new_key() -> str:
    return uuid.uuid4().hex


@dataclass(frozen=True)
class Draft:
    """A message being written. ``key`` names it in the store from its first save on.

    What the person wrote is left out of the repr, which a traceback (so the log) may show.
    """

    key: str
    kind: Kind
    from_profile_id: int
    to: tuple[str, ...] = field(default=(), repr=False)
    cc: tuple[str, ...] = field(default=(), repr=False)
    bcc: tuple[str, ...] = field(default=(), repr=False)
    subject: str = field(default="", repr=False)
    body: str = field(default="", repr=False)
    html: bool = False
    attachments: tuple[DraftAttachment, ...] = ()
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    original_message_id: int | None = None
    origin_profile_id: int | None = None
    organization_confirmed: bool = False

    def fingerprint(self) -> str:
        """A hash of everything a save keeps: equal fingerprints, nothing to write."""
        described = {
            "kind": self.kind.value,
            "from": self.from_profile_id,
            "to": self.to,
            "cc": self.cc,
            "bcc": self.bcc,
            "subject": self.subject,
            "body": self.body,
            "html": self.html,
            "files": [(a.filename, a.content_type, a.digest) for a in self.attachments],
            "in_reply_to": self.in_reply_to,
            "references": self.references,
            "original": self.original_message_id,
            "origin": self.origin_profile_id,
            "confirmed": self.organization_confirmed,
        }
        return hashlib.sha256(json.dumps(described, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class FromChange:
    """A draft moved to another From; ``warning`` when that leaves the original's organization.

    With a warning the draft cannot be built until the person confirms: pass
    :meth:`confirmed` on, or keep the draft that was there before.
    """

    draft: Draft
    warning: OrganizationWarning | None

    def confirmed(self) -> Draft:
        return replace(self.draft, organization_confirmed=True)


@dataclass(frozen=True)
class OutgoingMessage:
    """A message ready to queue: ``message`` never holds Bcc, the envelope does."""

    message: EmailMessage
    envelope_sender: str
    envelope_recipients: tuple[str, ...] = field(repr=False)
    message_id: str

    def as_bytes(self) -> bytes:
        return self.message.as_bytes()


@dataclass(frozen=True)
class DraftSummary:
    """One line of the drafts list."""

    key: str
    kind: Kind
    profile_id: int
    profile_email: str
    subject: str = field(repr=False)
    to: tuple[str, ...] = field(repr=False)
    updated_at: datetime


@dataclass(frozen=True)
class KnownRecipient:
    """An address from the user's mail offered while typing a recipient."""

    name: str = field(repr=False)
    address: str = field(repr=False)
    uses: int

    @property
    def formatted(self) -> str:
        return Mailbox(self.name, self.address).formatted


class InvalidAddressError(AccountError):
    """Some recipients are not email addresses; ``addresses`` names each as it was typed."""

    def __init__(self, addresses: tuple[str, ...]) -> None:
        self.addresses = addresses
        named = ", ".join(f"“{address}”" for address in addresses)
        if len(addresses) == 1:
            words = f"This is not an email address: {named}. Correct or remove it"
        else:
            words = f"These are not email addresses: {named}. Correct or remove them"
        super().__init__(f"{words} before sending.")


class NoRecipientError(AccountError):
    def __init__(self) -> None:
        super().__init__("The message has no recipient. Add at least one in To, Cc or Bcc.")


class CrossOrganizationError(AccountError):
    """The draft leaves the original's organization and the person has not confirmed it."""

    def __init__(self, warning: OrganizationWarning) -> None:
        self.warning = warning
        super().__init__(warning.message + " Confirm the change of sender first.")
