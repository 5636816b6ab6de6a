"""Conversations of the signed-in person, behind the same role check as the plain inbox.

:class:`~desktop.services.mail.thread_queries.ThreadList` answers for a user id and trusts its
caller; the CLI and the GUI come in here, so that reading conversations is allowed by the role
of the active profile, as reading messages is (:class:`~desktop.services.mail.mailbox.Mailbox`).
"""

from __future__ import annotations

from collections.abc import Sequence

from desktop.core.roles import Action
from desktop.services.authorization import Authorizer, SignedInUser, gated
from desktop.services.mail.inbox import DEFAULT_PAGE, InboxRow
from desktop.services.mail.thread_queries import ThreadKey, ThreadList, ThreadRow
from desktop.store.session import SessionFactory

READ = Action.READ_OWN_MAIL


class Threads:
    def __init__(self, session_factory: SessionFactory, authorizer: Authorizer) -> None:
        self._authorizer = authorizer
        self._list = ThreadList(session_factory)

    @gated(READ, target="conversations")
    def page(
        self,
        actor: SignedInUser,
        profile_ids: Sequence[int] | None = None,
        after: ThreadKey | None = None,
        limit: int = DEFAULT_PAGE,
    ) -> list[ThreadRow]:
        """``after`` is the last row's ``key``: pages continue by keyset, newest first."""
        return self._list.page(actor.user_id, profile_ids, after, limit)

    @gated(READ, target="conversation {thread_id}")
    def messages(self, actor: SignedInUser, thread_id: int) -> list[InboxRow]:
        """The conversation's messages, oldest first, as the reader lists them."""
        return self._list.messages(actor.user_id, thread_id)
