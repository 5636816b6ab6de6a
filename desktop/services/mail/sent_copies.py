"""The copy of each sent message in the profile's Sent folder, saved over its IMAP connection.

The folder is the one the server marks ``\\Sent`` (RFC 6154), else one of the well-known names
(imapclient's list), else a new "Sent". A copy that could not be saved (the IMAP server was
away) stays marked unsaved and is saved after the next delivery; it never holds up sending.
"""

from __future__ import annotations

import imaplib
import logging
from collections.abc import Callable

from imapclient.imapclient import SEEN, SENT
from sqlalchemy import select, update

from desktop.services.authorization import internal
from desktop.services.mail.connection import AuditedClient
from desktop.services.mail.imap_sync import NotConfiguredError
from desktop.services.mail.outbox import OutboxState
from desktop.store.models import OutboxMessage
from desktop.store.session import SessionFactory, unit_of_work

log = logging.getLogger(__name__)
SENT_FALLBACK = "Sent"


@internal("run on the profile's queue after the gated deliver request")
def save_sent_copies(
    session_factory: SessionFactory, profile_id: int, imap: Callable[[], AuditedClient]
) -> int:
    """Append the sent messages not yet copied to the Sent folder; how many were."""
    with unit_of_work(session_factory) as session:
        waiting = list(
            session.execute(
                select(OutboxMessage.id, OutboxMessage.data, OutboxMessage.sent_at)
                .where(
                    OutboxMessage.profile_id == profile_id,
                    OutboxMessage.state == OutboxState.SENT,
                    OutboxMessage.copy_saved.is_(False),
                )
                .order_by(OutboxMessage.id)
            )
        )
    if not waiting:
        return 0
    try:
        client = imap()
        folder = sent_folder(client)
        for entry_id, data, sent_at in waiting:
            client.append(folder, data, flags=(SEEN,), msg_time=sent_at)
            with unit_of_work(session_factory) as session:
                session.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id == entry_id)
                    .values(copy_saved=True)
                )
    except (NotConfiguredError, OSError, EOFError, imaplib.IMAP4.error) as error:
        log.info("sent copies of profile %s wait for the next delivery: %s", profile_id, error)
        return 0
    return len(waiting)


@internal("run on the profile's queue after the gated deliver request")
def skip_sent_copies(session_factory: SessionFactory, profile_id: int) -> None:
    """The server saves its own copy: none is owed, now or if the switch is turned off later."""
    with unit_of_work(session_factory) as session:
        session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.profile_id == profile_id,
                OutboxMessage.state == OutboxState.SENT,
                OutboxMessage.copy_saved.is_(False),
            )
            .values(copy_saved=True)
        )


def sent_folder(client: AuditedClient) -> str:
    found = client.find_special_folder(SENT)
    if found is not None:
        return str(found)
    client.create_folder(SENT_FALLBACK)
    return SENT_FALLBACK
