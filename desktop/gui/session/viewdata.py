"""What the window shows about a profile, in one record: the accounts service's profile plus its
unread count, which comes from the mail service.

Mail itself is shown as the mail service returns it (``desktop.services.mail.inbox``).
"""

from __future__ import annotations

from dataclasses import dataclass

from desktop.core.mail_views import INBOX_VIEW, MailView
from desktop.services.mail.inbox import Sort

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
class InboxQuery:
    """Which mail to list and in which order: ``profile_ids`` None means every profile; ``view``
    is the unified Inbox, another role's folders, or one folder."""

    profile_ids: frozenset[int] | None = None
    search: str = ""
    sort: Sort = Sort.NEWEST
    view: MailView = INBOX_VIEW


@dataclass(frozen=True, slots=True)
class SendingSetup:
    """The Sending tab of a profile: its SMTP server (no host: none yet) and its signature."""

    host: str = ""
    port: int | None = None
    security: str = "starttls"
    user: str = ""
    server_saves_sent: bool = False
    signature: str = ""
