"""The workspace of a signed-in user over the real services: the GUI's only door to the store.

Each method is one service call (or two); mail comes back as the mail service returns it. They all
block and are called from workers; the signed-in identity is swapped atomically when the user
switches profile, so a call made afterwards always runs with the new profile's privileges.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path

from desktop.core.roles import Action, Role, is_allowed
from desktop.gui.session.oauth_access import OAuthAccess
from desktop.gui.session.viewdata import InboxQuery, ProfileCard
from desktop.services.accounts import ProfileInfo, SupportIdOwner
from desktop.services.attachment_content import read_attachment
from desktop.services.audit import AuditEntry, AuditQuery, ConnectionEntry, Page
from desktop.services.authorization import SignedInUser
from desktop.services.container import Services
from desktop.services.errors import NotFoundError
from desktop.services.mail.actions import ActionResult
from desktop.services.mail.draft import (
    Draft,
    DraftAttachment,
    DraftSummary,
    FromChange,
    KnownRecipient,
    attachment_from_file,
)
from desktop.services.mail.draft_sending import QueuedMessage
from desktop.services.mail.folder_tree import ProfileFolders
from desktop.services.mail.import_preview import ImportPreview
from desktop.services.mail.importer import ImportResult, ProgressCallback
from desktop.services.mail.inbox import FlagChange, InboxRow, MessageDetail, OpenedMessage, PageKey
from desktop.services.mail.outbox import OutboxEntry
from desktop.services.mail.profile_copy import CopyPlan
from desktop.services.mail.remote_content import RemoteContent
from desktop.services.mail.thread_queries import ThreadKey, ThreadRow
from desktop.store.models.mail import IMPORTED_FOLDER

log = logging.getLogger(__name__)


def profile_card(profile: ProfileInfo, unread: int = 0) -> ProfileCard:
    return ProfileCard(
        id=profile.id,
        organization=profile.organization,
        title=profile.title,
        email=profile.email,
        role=str(profile.role),
        colour=profile.colour,
        support_id=profile.support_id,
        unread=unread,
        mail_server=profile.imap_host or "",
    )


class ServicesWorkspace:
    def __init__(self, services: Services, actor: SignedInUser) -> None:
        self._services = services
        self._actor = actor
        self._mailbox = services.mailbox

    @property
    def actor(self) -> SignedInUser:
        return self._actor

    @property
    def services(self) -> Services:
        return self._services

    @property
    def user_name(self) -> str:
        return self._actor.display_name

    @property
    def user_login(self) -> str:
        return self._actor.login

    def profiles(self) -> Sequence[ProfileCard]:
        unread = self._mailbox.unread_counts(self._actor)
        return [
            profile_card(p, unread.get(p.id, 0))
            for p in self._services.accounts.list_profiles(self._actor)
        ]

    def allows(self, action: Action, profile: ProfileCard) -> bool:
        return is_allowed(Role(profile.role), action)

    def use_profile(self, profile_id: int) -> None:
        """Swaps the identity at once, so no call submitted afterwards runs as the old profile.

        The id comes from this user's own profile list; :meth:`activate_profile` (and every
        service call, which checks the active profile itself) still verifies it in the store.
        """
        self._actor = self._actor.with_active_profile(profile_id)

    def activate_profile(self, profile_id: int) -> None:
        self._services.accounts.switch_profile(self._actor, profile_id)

    def thread_page(
        self, query: InboxQuery, after: ThreadKey | None, limit: int
    ) -> Sequence[ThreadRow]:
        profile_ids = sorted(query.profile_ids) if query.profile_ids is not None else None
        return self._services.threads.page(self._actor, profile_ids, after, limit)

    def thread_messages(self, thread_id: int) -> Sequence[InboxRow]:
        return self._services.threads.messages(self._actor, thread_id)

    def inbox_page(
        self, query: InboxQuery, after: PageKey | None, limit: int
    ) -> Sequence[InboxRow]:
        return self._mailbox.page(
            self._actor,
            profile_ids=sorted(query.profile_ids) if query.profile_ids is not None else None,
            search=query.search or None,
            after=after,
            limit=limit,
            sort=query.sort,
            view=query.view,
        )

    def open_message(self, message_id: int) -> OpenedMessage:
        """Shows and marks read in one transaction; the window adjusts the unread count itself."""
        opened = self._mailbox.open(self._actor, message_id)
        if opened is None:
            raise NotFoundError(f"there is no message {message_id}")
        return opened

    def push_flags(self, message: MessageDetail) -> None:
        """Tells the server now, rather than at the next sync, that ``message`` was read."""
        if message.folder == IMPORTED_FOLDER:
            return
        # Queued behind the profile's running sync, on its connection; if the push fails, the
        # flag stays marked for the next sync, which pushes it or reports the problem.
        self._services.mail_sync.push_flags(self._actor, message.profile_id)

    def attachment_content(self, attachment_id: int) -> bytes:
        services = self._services
        return read_attachment(
            services.session_factory, services.authorizer, self._actor, attachment_id
        )

    def remote_content(self, message_id: int, urls: Sequence[str]) -> RemoteContent:
        return self._services.remote_content.fetch(self._actor, message_id, urls)

    def preview_import(self, paths: Sequence[Path]) -> ImportPreview:
        return self._mailbox.preview_import(self._actor, paths)

    def import_mail(
        self,
        profile_id: int,
        paths: Sequence[Path],
        progress: ProgressCallback,
        cancel: threading.Event,
    ) -> ImportResult:
        return self._mailbox.import_files(self._actor, profile_id, paths, progress, cancel)

    def look_up_support_id(self, value: int) -> SupportIdOwner:
        return self._services.accounts.look_up_support_id(self._actor, value)

    def preview_message(self, message_id: int) -> OpenedMessage:
        opened = self._mailbox.open(self._actor, message_id, mark_read=False)
        if opened is None:
            raise NotFoundError(f"there is no message {message_id}")
        return opened

    def mark_seen(self, message_id: int, seen: bool) -> FlagChange:
        """Also queues the flag for the server at once, as :meth:`push_flags` does."""
        change = self._mailbox.mark_seen(self._actor, message_id, seen)
        if change is None:
            raise NotFoundError(f"there is no message {message_id}")
        if change.changed and change.on_server:
            self._services.mail_sync.push_flags(self._actor, change.profile_id)
        return change

    def inbox_count(self, query: InboxQuery) -> int:
        return self._mailbox.count(
            self._actor,
            profile_ids=sorted(query.profile_ids) if query.profile_ids is not None else None,
            search=query.search or None,
            view=query.view,
        )

    def folder_tree(self) -> list[ProfileFolders]:
        return self._mailbox.folder_tree(self._actor)

    def audit_events(self, query: AuditQuery, *, everyone: bool) -> Page[AuditEntry]:
        return self._services.audit.find_events(self._actor, query, everyone=everyone)

    def audit_connections(self, query: AuditQuery, *, everyone: bool) -> Page[ConnectionEntry]:
        return self._services.audit.find_connections(self._actor, query, everyone=everyone)

    def list_outbox(self) -> Sequence[OutboxEntry]:
        return self._services.outbox.list_outbox(self._actor, include_sent=False)

    def retry_outbox(self, entry_id: int) -> None:
        self._services.outbox.retry(self._actor, entry_id)

    def send_outbox_again(self, entry_id: int) -> None:
        self._services.outbox.send_again(self._actor, entry_id)

    def mark_outbox_sent(self, entry_id: int) -> None:
        self._services.outbox.mark_sent(self._actor, entry_id)

    def discard_outbox(self, entry_id: int) -> None:
        self._services.outbox.discard(self._actor, entry_id)

    def new_message(self, profile_id: int | None) -> Draft:
        return self._services.composer.new_message(self._actor, profile_id)

    def reply(self, message_id: int, *, reply_all: bool) -> Draft:
        return self._services.composer.reply(self._actor, message_id, reply_all=reply_all)

    def forward(self, message_id: int, *, as_attachment: bool) -> Draft:
        return self._services.composer.forward(self._actor, message_id, as_attachment=as_attachment)

    def change_from(self, draft: Draft, profile_id: int) -> FromChange:
        return self._services.composer.change_from(self._actor, draft, profile_id)

    def save_draft(self, draft: Draft) -> DraftSummary:
        return self._services.composer.save_draft(self._actor, draft)

    def list_drafts(self) -> Sequence[DraftSummary]:
        return self._services.composer.list_drafts(self._actor)

    def open_draft(self, key: str) -> Draft:
        return self._services.composer.open_draft(self._actor, key)

    def delete_draft(self, key: str) -> bool:
        return self._services.composer.delete_draft(self._actor, key)

    def send_draft(self, draft: Draft) -> QueuedMessage:
        return self._services.draft_sender.send(self._actor, draft)

    def complete_addresses(self, prefix: str) -> Sequence[KnownRecipient]:
        return self._services.composer.complete_addresses(self._actor, prefix)

    def read_attachment(self, path: Path) -> DraftAttachment:
        return attachment_from_file(path)

    def move_messages(self, message_ids: Sequence[int], folder: str) -> ActionResult:
        return self._services.mail_actions.move(self._actor, message_ids, folder)

    def archive_messages(self, message_ids: Sequence[int]) -> ActionResult:
        return self._services.mail_actions.archive(self._actor, message_ids)

    def copy_plan(self, message_ids: Sequence[int], profile_id: int, folder: str) -> CopyPlan:
        return self._services.profile_copy.copy_plan(self._actor, message_ids, profile_id, folder)

    def copy_messages(
        self, message_ids: Sequence[int], profile_id: int, folder: str
    ) -> ActionResult:
        return self._services.profile_copy.copy_to_profile(
            self._actor, message_ids, profile_id, folder, confirmed=True
        )

    def delete_messages(self, message_ids: Sequence[int], *, permanent: bool) -> ActionResult:
        return self._services.mail_actions.delete(self._actor, message_ids, permanent=permanent)

    def permanent_count(self, message_ids: Sequence[int]) -> int:
        return self._services.mail_actions.permanent_count(self._actor, message_ids)

    def set_message_flags(
        self, message_ids: Sequence[int], *, seen: bool | None, flagged: bool | None
    ) -> ActionResult:
        return self._services.mail_actions.set_flags(
            self._actor, message_ids, seen=seen, flagged=flagged
        )

    def undo_mail_action(self) -> ActionResult:
        return self._services.mail_actions.undo(self._actor)

    def sign_in_again(self, profile_id: int, cancel: threading.Event) -> bool:
        return OAuthAccess(self._services, self._actor).sign_in(profile_id, cancel) is not None
