"""Sending a draft: built, checked, put in the outbox, and the draft removed, in that order.

The window and the command line send the same way through this one entry point, so neither can
queue a message that skipped the checks of :meth:`Composer.build` (addresses, the organization
confirmation) or leave the draft behind to be sent twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from desktop.core.roles import Action
from desktop.services.authorization import Authorizer, SignedInUser, gated
from desktop.services.mail.compose import Composer
from desktop.services.mail.draft import Draft
from desktop.services.mail.outbox import Outbox


@dataclass(frozen=True)
class QueuedMessage:
    entry_id: int
    profile_id: int
    message_id: str


class DraftSender:
    def __init__(self, composer: Composer, outbox: Outbox, authorizer: Authorizer) -> None:
        self._composer = composer
        self._outbox = outbox
        self._authorizer = authorizer

    @gated(Action.SEND_OWN_MAIL, target="message to send")
    def send(self, actor: SignedInUser, draft: Draft) -> QueuedMessage:
        """Queue the draft in the outbox (committed before any network) and drop the draft.

        Raises what :meth:`Composer.build` raises, before anything is stored. Delivery is the
        caller's next step, on the profile's queue.
        """
        built = self._composer.build(actor, draft)
        entry_id = self._outbox.queue_message(
            actor, draft.from_profile_id, built.message, built.envelope_recipients
        )
        self._composer.delete_draft(actor, draft.key)
        return QueuedMessage(entry_id, draft.from_profile_id, built.message_id)
