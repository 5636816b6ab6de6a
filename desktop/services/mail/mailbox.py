"""The signed-in person's mail, behind the role check that every service call makes.

:class:`~desktop.services.mail.inbox.Inbox` answers for a user id and trusts its caller; the CLI
and the GUI come in here instead, so that reading and importing mail, like every other action,
is allowed by the role of the *active* profile (a user with no profile yet is refused, and the
refusal is audited), and a profile id from outside must belong to the signed-in user.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from desktop.core.roles import Action
from desktop.services.audit import AuditService
from desktop.services.authorization import SignedInUser, require
from desktop.services.errors import NotFoundError
from desktop.services.mail.importer import ImportResult, ProgressCallback, import_paths
from desktop.services.mail.inbox import DEFAULT_PAGE, Inbox, InboxRow, MessageDetail
from desktop.store.models import Profile
from desktop.store.session import SessionFactory, unit_of_work


class Mailbox:
    def __init__(self, session_factory: SessionFactory, audit: AuditService) -> None:
        self._session_factory = session_factory
        self._audit = audit
        self._inbox = Inbox(session_factory)

    def page(
        self,
        actor: SignedInUser,
        profile_ids: Sequence[int] | None = None,
        search: str | None = None,
        after: tuple[datetime, int] | None = None,
        limit: int = DEFAULT_PAGE,
    ) -> list[InboxRow]:
        self._require_read(actor, "unified inbox")
        return self._inbox.page(actor.user_id, profile_ids, search, after, limit)

    def count(
        self,
        actor: SignedInUser,
        profile_ids: Sequence[int] | None = None,
        search: str | None = None,
    ) -> int:
        self._require_read(actor, "unified inbox")
        return self._inbox.count(actor.user_id, profile_ids, search)

    def unread_counts(self, actor: SignedInUser) -> dict[int, int]:
        self._require_read(actor, "unread counts")
        return self._inbox.unread_counts(actor.user_id)

    def get(self, actor: SignedInUser, message_id: int) -> MessageDetail | None:
        self._require_read(actor, f"message {message_id}")
        return self._inbox.get(actor.user_id, message_id)

    def open(self, actor: SignedInUser, message_id: int) -> MessageDetail | None:
        """Read a message and mark it seen (the next sync, or a flag push, tells the server)."""
        self._require_read(actor, f"message {message_id}")
        return self._inbox.open(actor.user_id, message_id)

    def mark_seen(self, actor: SignedInUser, message_id: int, seen: bool = True) -> bool:
        self._require_read(actor, f"message {message_id}")
        return self._inbox.mark_seen(actor.user_id, message_id, seen)

    def set_flagged(self, actor: SignedInUser, message_id: int, flagged: bool = True) -> bool:
        self._require_read(actor, f"message {message_id}")
        return self._inbox.set_flagged(actor.user_id, message_id, flagged)

    def require_own_profile(self, actor: SignedInUser, profile_id: int) -> None:
        """Refuse (and audit) mail work on a profile the actor may not read, or does not own."""
        self._require_read(actor, f"profile {profile_id}")
        with unit_of_work(self._session_factory) as session:
            owner = session.scalar(select(Profile.user_id).where(Profile.id == profile_id))
        if owner != actor.user_id:
            self._audit.record_denial(
                user_id=actor.user_id,
                profile_id=actor.active_profile_id,
                action=Action.READ_OWN_MAIL.value,
                target=f"profile {profile_id}",
            )
            raise NotFoundError(f"{actor.login} has no profile {profile_id}")

    def import_files(
        self,
        actor: SignedInUser,
        profile_id: int,
        paths: Sequence[Path],
        progress: ProgressCallback | None = None,
    ) -> ImportResult:
        self.require_own_profile(actor, profile_id)
        return import_paths(self._session_factory, profile_id, paths, progress)

    def _require_read(self, actor: SignedInUser, target: str) -> None:
        require(self._session_factory, self._audit, actor, Action.READ_OWN_MAIL, target)
