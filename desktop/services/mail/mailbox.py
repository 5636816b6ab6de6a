"""The signed-in person's mail, behind the role check that every service call makes.

:class:`~desktop.services.mail.inbox.Inbox` answers for a user id and trusts its caller; the CLI
and the GUI come in here instead, so that reading and importing mail, like every other action,
is allowed by the role of the *active* profile (a user with no profile yet is refused, and the
refusal is audited), and a profile id from outside must belong to the signed-in user.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select

from desktop.core.mail_views import INBOX_VIEW, MailView
from desktop.core.roles import Action
from desktop.services.authorization import Authorizer, SignedInUser, gated, role_check
from desktop.services.mail.folder_tree import ProfileFolders, folder_tree
from desktop.services.mail.inbox import (
    DEFAULT_PAGE,
    FlagChange,
    Inbox,
    InboxRow,
    MessageDetail,
    OpenedMessage,
    PageKey,
    Sort,
)
from desktop.store.models import Profile
from desktop.store.session import SessionFactory, read_only

if TYPE_CHECKING:  # the importer loads the mail parser, which reading the inbox never needs
    from desktop.services.mail.import_preview import ImportPreview
    from desktop.services.mail.importer import ImportResult, ProgressCallback

READ = Action.READ_OWN_MAIL


class Mailbox:
    def __init__(self, session_factory: SessionFactory, authorizer: Authorizer) -> None:
        self._session_factory = session_factory
        self._authorizer = authorizer
        self._inbox = Inbox(session_factory)

    @gated(READ, target="unified inbox")
    def page(
        self,
        actor: SignedInUser,
        profile_ids: Sequence[int] | None = None,
        search: str | None = None,
        after: PageKey | None = None,
        limit: int = DEFAULT_PAGE,
        *,
        sort: Sort = Sort.NEWEST,
        view: MailView = INBOX_VIEW,
    ) -> list[InboxRow]:
        """``after`` is the last row's ``key_for(sort)``: pages continue by keyset in any order."""
        return self._inbox.page(
            actor.user_id, profile_ids, search, after, limit, sort=sort, view=view
        )

    @gated(READ, target="unified inbox")
    def count(
        self,
        actor: SignedInUser,
        profile_ids: Sequence[int] | None = None,
        search: str | None = None,
        *,
        view: MailView = INBOX_VIEW,
    ) -> int:
        return self._inbox.count(actor.user_id, profile_ids, search, view=view)

    @gated(READ, target="unread counts")
    def unread_counts(self, actor: SignedInUser) -> dict[int, int]:
        return self._inbox.unread_counts(actor.user_id)

    @gated(READ, target="folder list")
    def folder_tree(self, actor: SignedInUser) -> list[ProfileFolders]:
        """Each profile's folders with total and unread counts (see ``folder_tree``)."""
        with read_only(self._session_factory) as session:
            return folder_tree(session, actor.user_id)

    @gated(READ, target="message {message_id}")
    def get(self, actor: SignedInUser, message_id: int) -> MessageDetail | None:
        return self._inbox.get(actor.user_id, message_id)

    @gated(READ, target="message {message_id}", role_in_body=True)
    def open(
        self, actor: SignedInUser, message_id: int, *, mark_read: bool = True
    ) -> OpenedMessage | None:
        """Read a message and mark it seen (the next sync, or a flag push, tells the server).

        One transaction: the role is read in the message's own SELECT (see ``RoleCheck``).
        ``mark_read=False`` leaves it unread, for a reader that marks it once it stayed open.
        """
        return self._inbox.open(actor.user_id, message_id, role_check(), mark_read=mark_read)

    @gated(READ, target="message {message_id}")
    def mark_seen(
        self, actor: SignedInUser, message_id: int, seen: bool = True
    ) -> FlagChange | None:
        """Mark read or unread; says whether that changed anything (None: not the actor's)."""
        return self._inbox.mark_seen(actor.user_id, message_id, seen)

    @gated(READ, target="message {message_id}")
    def set_flagged(
        self, actor: SignedInUser, message_id: int, flagged: bool = True
    ) -> FlagChange | None:
        return self._inbox.set_flagged(actor.user_id, message_id, flagged)

    @gated(READ, profile="profile_id")
    def require_own_profile(self, actor: SignedInUser, profile_id: int) -> None:
        """Refuse (and audit) mail work on a profile the actor may not read, or does not own."""

    @gated(READ, profile="profile_id")
    def import_files(
        self,
        actor: SignedInUser,
        profile_id: int,
        paths: Sequence[Path],
        progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> ImportResult:
        from desktop.services.mail.importer import import_paths

        return import_paths(self._session_factory, profile_id, paths, progress, cancel=cancel)

    @gated(READ, target="mail to import")
    def preview_import(self, actor: SignedInUser, paths: Sequence[Path]) -> ImportPreview:
        """Which of the actor's own profiles the first messages of ``paths`` are addressed to.

        Only the actor's profiles are matched: whom else the mail names is not the question.
        """
        from desktop.services.mail.import_preview import preview_paths

        with read_only(self._session_factory) as session:
            rows = session.execute(
                select(Profile.email, Profile.id).where(Profile.user_id == actor.user_id)
            )
            addresses = {email.lower(): profile_id for email, profile_id in rows}
        return preview_paths(paths, addresses)
