"""All mapped classes, imported here so that ``Base.metadata`` knows every table."""

from desktop.store.models.accounts import AuditEvent, Profile, RememberedSignIn, Role, User
from desktop.store.models.address_book import AddressBookScan, KnownAddress
from desktop.store.models.base import Base
from desktop.store.models.drafts import Draft, DraftAttachment, Signature
from desktop.store.models.folders import Folder
from desktop.store.models.mail import (
    Attachment,
    EgressEvent,
    MailServerOption,
    MailSyncState,
    Message,
)
from desktop.store.models.mail_actions import MailAction
from desktop.store.models.outbox import OutboxMessage, SmtpServer
from desktop.store.models.threads import Thread, ThreadRef

__all__ = [
    "AddressBookScan",
    "Attachment",
    "AuditEvent",
    "Base",
    "Draft",
    "DraftAttachment",
    "EgressEvent",
    "Folder",
    "KnownAddress",
    "MailAction",
    "MailServerOption",
    "MailSyncState",
    "Message",
    "OutboxMessage",
    "Profile",
    "RememberedSignIn",
    "Role",
    "Signature",
    "SmtpServer",
    "Thread",
    "ThreadRef",
    "User",
]
