"""The plain data that widgets display, independent of how services name their results.

Widgets depend on these small frozen records only; :mod:`desktop.gui.backend` turns service
results into them. That keeps screens testable on their own and keeps service refactors from
rippling through every widget.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

ADMIN_ROLE = "admin"


@dataclass(frozen=True, slots=True)
class ProfileCard:
    id: int
    organization: str
    title: str
    email: str
    role: str
    colour: str
    support_id: int
    unread: int = 0
    mail_server: str = ""

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN_ROLE

    @property
    def label(self) -> str:
        """How a profile is named everywhere a person must tell two of them apart."""
        return f"{self.organization} ({self.role})"


@dataclass(frozen=True, slots=True)
class InboxRow:
    id: int
    profile_id: int
    sender: str
    subject: str
    date: datetime
    seen: bool

    @property
    def key(self) -> tuple[datetime, int]:
        """The keyset position: newest first, ties broken by id."""
        return (self.date, self.id)


@dataclass(frozen=True, slots=True)
class AttachmentInfo:
    id: int
    filename: str
    size: int
    content_type: str


@dataclass(frozen=True, slots=True)
class MessageDetail:
    id: int
    profile_id: int
    sender: str
    to: str
    cc: str
    subject: str
    date: datetime
    text: str | None
    html: str | None
    attachments: tuple[AttachmentInfo, ...] = ()
