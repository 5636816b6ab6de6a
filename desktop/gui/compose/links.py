"""A new message as a ``mailto:`` link asked for, and what the window says about it.

The link fills the recipients, subject and text; the From stays the active profile's, and the
window says so when another profile could send instead, because the page that made the link
cannot know which of the person's accounts it meant. Files a link asks to attach are never
attached: any page could otherwise send the person's files away with one click on Send.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QCoreApplication

from desktop.core.compose.mailto import MailtoRequest
from desktop.gui.session.records import Draft


def drafted_from(draft: Draft, request: MailtoRequest) -> Draft:
    """The link's text goes above the signature, where the person writes."""
    return replace(
        draft,
        to=request.to,
        cc=request.cc,
        bcc=request.bcc,
        subject=request.subject,
        body=request.body + draft.body,
        in_reply_to=request.in_reply_to,
        references=(request.in_reply_to,) if request.in_reply_to else (),
    )


def link_note(request: MailtoRequest, sender: str | None, choices: int) -> str:
    """Empty when there is nothing to explain: one profile can send and nothing was dropped."""
    tr = QCoreApplication.translate
    lines = []
    if sender is not None and choices > 1:
        lines.append(
            tr(
                "ComposeLink",
                "This message is from {sender} because it is the active profile. "
                "Choose another profile under From if it should go out from a different account.",
            ).format(sender=sender)
        )
    if request.asked_for_attachments:
        lines.append(
            tr(
                "ComposeLink",
                "The link asked to attach files. Switchboard never attaches files from a link; "
                "attach them yourself if you mean to send them.",
            )
        )
    return "\n\n".join(lines)
