"""What the main window needs from a signed-in session, as one small interface.

Every method here may block (database, keyring, network): the window calls them only through
:class:`desktop.gui.session.workers.Workers`, never on the GUI thread. The production implementation
wraps the services; keeping the interface this narrow is what lets widgets hold no business rules.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

from desktop.core.roles import Action
from desktop.gui.session.viewdata import InboxQuery, ProfileCard
from desktop.services.accounts import SupportIdOwner
from desktop.services.audit import AuditEntry, AuditQuery, ConnectionEntry, Page
from desktop.services.mail.actions import ActionResult
from desktop.services.mail.draft import (
    Draft,
    DraftAttachment,
    DraftSummary,
    FromChange,
    KnownRecipient,
)
from desktop.services.mail.draft_sending import QueuedMessage
from desktop.services.mail.folder_tree import ProfileFolders
from desktop.services.mail.import_preview import ImportPreview
from desktop.services.mail.importer import ImportProgress, ImportResult
from desktop.services.mail.inbox import FlagChange, InboxRow, MessageDetail, OpenedMessage, PageKey
from desktop.services.mail.outbox import OutboxEntry
from desktop.services.mail.profile_copy import CopyPlan
from desktop.services.mail.remote_content import RemoteContent
from desktop.services.mail.thread_queries import ThreadKey, ThreadRow


class Workspace(Protocol):
    @property
    def user_name(self) -> str: ...

    @property
    def user_login(self) -> str: ...

    def profiles(self) -> Sequence[ProfileCard]: ...

    def allows(self, action: Action, profile: ProfileCard) -> bool:
        """Pure and fast (a table look-up), so it may run on the GUI thread."""
        ...

    def use_profile(self, profile_id: int) -> None:
        """Pure and fast, on the GUI thread: every call made after it acts as that profile."""
        ...

    def activate_profile(self, profile_id: int) -> None:
        """Blocking, on a worker: checks the switch against the store and audits it."""
        ...

    def inbox_page(
        self, query: InboxQuery, after: PageKey | None, limit: int
    ) -> Sequence[InboxRow]: ...

    def thread_page(
        self, query: InboxQuery, after: ThreadKey | None, limit: int
    ) -> Sequence[ThreadRow]:
        """Conversations instead of messages, newest latest message first (search aside)."""
        ...

    def thread_messages(self, thread_id: int) -> Sequence[InboxRow]:
        """The messages of one conversation, oldest first, as the reader lists them."""
        ...

    def open_message(self, message_id: int) -> OpenedMessage:
        """The message, marked read in the same call; ``newly_seen`` says if it was unread."""
        ...

    def push_flags(self, message: MessageDetail) -> None:
        """Network: tells the server that ``message`` was read (else the next sync does)."""
        ...

    def attachment_content(self, attachment_id: int) -> bytes: ...

    def remote_content(self, message_id: int, urls: Sequence[str]) -> RemoteContent:
        """Only after the user clicked "Load remote content" for this message."""
        ...

    def look_up_support_id(self, value: int) -> SupportIdOwner:
        """Admins only; the service refuses and records anyone else."""
        ...

    def preview_message(self, message_id: int) -> OpenedMessage:
        """The message, left unread: the reader marks it read once it has stayed open a while."""
        ...

    def mark_seen(self, message_id: int, seen: bool) -> FlagChange:
        """Marks the message read or unread and tells its server (when it has one) at once;
        ``changed`` says whether it was not so already."""
        ...

    def folder_tree(self) -> list[ProfileFolders]:
        """Each profile's folders with their unread and total counts, in one query."""
        ...

    def inbox_count(self, query: InboxQuery) -> int:
        """How many messages ``query`` matches (its order aside), for "12 messages match"."""
        ...

    def preview_import(self, paths: Sequence[Path]) -> ImportPreview:
        """Reads the first messages' headers only: which of the user's profiles they name."""
        ...

    def import_mail(
        self,
        profile_id: int,
        paths: Sequence[Path],
        progress: Callable[[ImportProgress], None],
        cancel: threading.Event,
    ) -> ImportResult:
        """Long: reports ``progress`` on its own thread and stops between messages on ``cancel``."""

    def audit_events(self, query: AuditQuery, *, everyone: bool) -> Page[AuditEntry]:
        """The newest events matching ``query`` and how many match: the user's own, or with
        ``everyone`` every user's (an admin profile only; refused and audited otherwise)."""
        ...

    def audit_connections(self, query: AuditQuery, *, everyone: bool) -> Page[ConnectionEntry]:
        """Connections to servers, for the user's own profiles or (admins) every profile."""
        ...

    def list_outbox(self) -> Sequence[OutboxEntry]:
        """What has not left yet, oldest first: queued, sending, failed, may have been sent."""
        ...

    def retry_outbox(self, entry_id: int) -> None:
        """A failed message goes back to the queue."""
        ...

    def send_outbox_again(self, entry_id: int) -> None:
        """A message that may have been sent is sent again, as the person decided."""
        ...

    def mark_outbox_sent(self, entry_id: int) -> None:
        """The person found the message at the recipient: it counts as sent."""
        ...

    def discard_outbox(self, entry_id: int) -> None:
        """The message is dropped from the outbox without being sent."""
        ...

    def new_message(self, profile_id: int | None) -> Draft:
        """A blank message from ``profile_id`` (None: the active profile), signature included."""
        ...

    def reply(self, message_id: int, *, reply_all: bool) -> Draft:
        """An answer from the profile that received the message, whatever profile is active."""
        ...

    def forward(self, message_id: int, *, as_attachment: bool) -> Draft: ...

    def change_from(self, draft: Draft, profile_id: int) -> FromChange:
        """The draft from another profile; a warning when that leaves the original's
        organization, for the person to confirm."""
        ...

    def save_draft(self, draft: Draft) -> DraftSummary: ...

    def list_drafts(self) -> Sequence[DraftSummary]: ...

    def open_draft(self, key: str) -> Draft: ...

    def delete_draft(self, key: str) -> bool: ...

    def send_draft(self, draft: Draft) -> QueuedMessage:
        """Checked, built and queued in the outbox (committed); delivery is the next step."""
        ...

    def complete_addresses(self, prefix: str) -> Sequence[KnownRecipient]: ...

    def read_attachment(self, path: Path) -> DraftAttachment:
        """The file's bytes and type, read off the GUI thread (a file may be large or remote)."""
        ...

    def move_messages(self, message_ids: Sequence[int], folder: str) -> ActionResult:
        """To ``folder`` of each message's own profile; the profile's queue tells its server."""
        ...

    def archive_messages(self, message_ids: Sequence[int]) -> ActionResult: ...

    def copy_plan(self, message_ids: Sequence[int], profile_id: int, folder: str) -> CopyPlan:
        """What a copy into another profile's folder would do; refused here if it may not."""
        ...

    def copy_messages(
        self, message_ids: Sequence[int], profile_id: int, folder: str
    ) -> ActionResult:
        """The copy, once the person confirmed :meth:`copy_plan`'s question."""
        ...

    def delete_messages(self, message_ids: Sequence[int], *, permanent: bool) -> ActionResult:
        """To the Trash; what is in the Trash already goes for good only with ``permanent``."""
        ...

    def permanent_count(self, message_ids: Sequence[int]) -> int:
        """How many of these a delete would destroy for good (they are in the Trash)."""
        ...

    def set_message_flags(
        self, message_ids: Sequence[int], *, seen: bool | None, flagged: bool | None
    ) -> ActionResult: ...

    def undo_mail_action(self) -> ActionResult:
        """Moves the messages of the last move, archive or delete back where they were."""
        ...

    def sign_in_again(self, profile_id: int, cancel: threading.Event) -> bool:
        """An OAuth2 profile's browser sign-in, waited for; False when it was cancelled."""
        ...
