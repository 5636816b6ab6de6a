"""The records and failures the screens show, as the services define them.

Widgets name these types through the session layer, never through ``desktop.services``: the
records are plain frozen data (and exceptions) that cross the door unchanged, while every call
that produces them stays behind it (the import contract in pyproject.toml checks both).
"""

from desktop.core.compose.identity import Kind, OrganizationWarning
from desktop.services.accounts import (
    DEFAULT_COLOUR,
    IMAP_SECURITY_MODES,
    MIN_PASSWORD_LENGTH,
    ProfileDraft,
    ProfileInfo,
    SupportIdOwner,
    UserInfo,
    validated_draft,
)
from desktop.services.audit import (
    CONNECTION_KINDS,
    EVENT_KINDS,
    AuditEntry,
    AuditQuery,
    ConnectionEntry,
    Page,
)
from desktop.services.authorization import SignedInUser
from desktop.services.errors import (
    AccountError,
    NotFoundError,
    SignInThrottledError,
    WrongPasswordError,
)
from desktop.services.failures import Failure, describe
from desktop.services.mail.draft import (
    CrossOrganizationError,
    Draft,
    DraftAttachment,
    DraftSummary,
    FromChange,
    InvalidAddressError,
    KnownRecipient,
    NoRecipientError,
)
from desktop.services.mail.draft_sending import QueuedMessage
from desktop.services.mail.egress import EgressRow
from desktop.services.mail.imap_sync import SyncError
from desktop.services.mail.import_preview import ImportPreview
from desktop.services.mail.importer import ImportProgress, ImportResult
from desktop.services.mail.inbox import (
    AttachmentInfo,
    InboxRow,
    MessageDetail,
    OpenedMessage,
    PageKey,
    Sort,
)
from desktop.services.mail.outbox import OutboxEntry, OutboxState
from desktop.services.mail.parse import clean_filename
from desktop.services.mail.remote_content import REMOTE_SCHEMES, RemoteContent
from desktop.services.mail.thread_queries import ThreadKey, ThreadRow

__all__ = [
    "CONNECTION_KINDS",
    "DEFAULT_COLOUR",
    "EVENT_KINDS",
    "IMAP_SECURITY_MODES",
    "MIN_PASSWORD_LENGTH",
    "REMOTE_SCHEMES",
    "AccountError",
    "AttachmentInfo",
    "AuditEntry",
    "AuditQuery",
    "ConnectionEntry",
    "CrossOrganizationError",
    "Draft",
    "DraftAttachment",
    "DraftSummary",
    "EgressRow",
    "Failure",
    "FromChange",
    "ImportPreview",
    "ImportProgress",
    "ImportResult",
    "InboxRow",
    "InvalidAddressError",
    "Kind",
    "KnownRecipient",
    "MessageDetail",
    "NoRecipientError",
    "NotFoundError",
    "OpenedMessage",
    "OrganizationWarning",
    "OutboxEntry",
    "OutboxState",
    "Page",
    "PageKey",
    "ProfileDraft",
    "ProfileInfo",
    "QueuedMessage",
    "RemoteContent",
    "SignInThrottledError",
    "SignedInUser",
    "Sort",
    "SupportIdOwner",
    "SyncError",
    "ThreadKey",
    "ThreadRow",
    "UserInfo",
    "WrongPasswordError",
    "clean_filename",
    "describe",
    "validated_draft",
]
