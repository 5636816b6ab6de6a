"""Reading one attachment's bytes for the signed-in user, so the GUI can save it where asked.

Ownership is checked through the message's profile: an attachment id typed or guessed by another
user of the same machine gives nothing (the same "there is no attachment" as a wrong id, so it
does not even tell that the attachment exists).
"""

from __future__ import annotations

from sqlalchemy import select

from desktop.core.roles import Action
from desktop.services.authorization import Authorizer, SignedInUser, gated
from desktop.services.errors import NotFoundError
from desktop.store.models import Attachment, Message, Profile
from desktop.store.session import SessionFactory, unit_of_work


@gated(Action.READ_OWN_MAIL, target="attachment {attachment_id}")
def read_attachment(
    session_factory: SessionFactory,
    authorizer: Authorizer,
    actor: SignedInUser,
    attachment_id: int,
) -> bytes:
    with unit_of_work(session_factory) as session:
        content = session.scalar(
            select(Attachment.content)
            .join(Message, Attachment.message_id == Message.id)
            .join(Profile, Message.profile_id == Profile.id)
            .where(Attachment.id == attachment_id, Profile.user_id == actor.user_id)
        )
    if content is None:
        raise NotFoundError(f"there is no attachment {attachment_id}")
    return content
