"""A draft as the message kept in the server's Drafts folder, built by the sending builder.

The copy is built by :func:`~desktop.services.mail.building.build_outgoing`, so it has the same
headers, body and attachments the sent message would have, and other mail clients of the
account (a phone, webmail) show the draft as it will go. Two differences, because a draft may
be unfinished:

* Recipients that are not addresses (yet) are left out of the copy; the store keeps them as
  typed, and the check before sending still names them. A draft with no recipient at all is
  copied too.
* Bcc is never on the server. Some clients keep a ``Bcc`` header in their draft copies; this
  one does not, because the Drafts folder is read by every client of the account and whoever
  runs the server, and a blind copy must stay blind until it is sent. Reopening the draft here
  restores its Bcc from the store.

A reply moved to another organization's profile and not yet confirmed is not copied at all
(:func:`may_be_copied`): its quoted original would reach the other employer's server, which is
the leak the warning exists to stop.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from datetime import datetime
from email.utils import getaddresses

from desktop.core.compose.identity import SenderProfile, organization_warning
from desktop.services.mail.building import build_outgoing
from desktop.services.mail.draft import Draft, InvalidAddressError, OutgoingMessage


def may_be_copied(confirmed: bool, sender: SenderProfile, origin: SenderProfile | None) -> bool:
    """False for an answer taken to another organization without the person's confirmation."""
    return confirmed or organization_warning(origin, sender) is None


def draft_copy(
    draft: Draft, sender: SenderProfile, display_name: str, *, saved_at: datetime
) -> OutgoingMessage:
    """The copy to append; its envelope means nothing and is not used.

    The builder wants one recipient at least: the profile's own address stands in the Bcc of
    the envelope, which the builder never writes as a header.
    """
    copy = replace(draft, bcc=(sender.email,))
    try:
        return build_outgoing(copy, sender, display_name, now=saved_at)
    except InvalidAddressError as error:
        bad = set(error.addresses)
        copy = replace(copy, to=_kept(copy.to, bad), cc=_kept(copy.cc, bad))
    return build_outgoing(copy, sender, display_name, now=saved_at)


def _kept(entries: tuple[str, ...], bad: Collection[str]) -> tuple[str, ...]:
    """The entries the builder did not name as bad (it names an entry, or one of its specs)."""
    return tuple(
        entry
        for entry in entries
        if entry.strip() not in bad and not any(spec in bad for _, spec in getaddresses([entry]))
    )
