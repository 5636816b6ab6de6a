"""A draft turned into the message to queue: checked addresses, headers, body, attachments.

Built with the stdlib ``email`` package (``EmailMessage``, default policy), which folds and
encodes headers, picks transfer encodings and writes RFC 2231 parameters for file names that
are not ASCII. Bcc is never a header: it only joins the envelope, so no recipient can read who
else was sent a copy (RFC 5322 section 3.6.3 allows either; the leak is the worse failure).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default as default_policy
from email.utils import format_datetime, getaddresses, localtime, make_msgid

from email_validator import EmailNotValidError, validate_email

from desktop.core.compose.identity import SenderProfile
from desktop.services.mail.draft import (
    RFC822,
    Draft,
    InvalidAddressError,
    NoRecipientError,
    OutgoingMessage,
)
from desktop.services.mail.html_body import plain_text, sanitized


def build_outgoing(
    draft: Draft, sender: SenderProfile, display_name: str, *, now: datetime | None = None
) -> OutgoingMessage:
    """The message and its envelope; :class:`InvalidAddressError` names every bad address."""
    bad: list[str] = []
    to, cc, bcc = (_checked(entries, bad) for entries in (draft.to, draft.cc, draft.bcc))
    if bad:
        raise InvalidAddressError(tuple(bad))
    if not (to or cc or bcc):
        raise NoRecipientError
    message = EmailMessage(policy=default_policy)
    message["From"] = Address(display_name, addr_spec=sender.email)
    if to:
        message["To"] = tuple(address for address, _ in to)
    if cc:
        message["Cc"] = tuple(address for address, _ in cc)
    message["Subject"] = " ".join(draft.subject.split())
    message["Date"] = format_datetime(now.astimezone() if now is not None else localtime())
    message_id = make_msgid(domain=_domain(sender.email))
    message["Message-ID"] = message_id
    if draft.in_reply_to:
        message["In-Reply-To"] = draft.in_reply_to
    if draft.references:
        message["References"] = " ".join(draft.references)
    _set_body(message, draft)
    for attachment in draft.attachments:
        if attachment.content_type == RFC822:
            attached = BytesParser(policy=default_policy).parsebytes(attachment.content)
            message.add_attachment(attached, filename=attachment.filename)
        else:
            maintype, _, subtype = attachment.content_type.partition("/")
            message.add_attachment(
                attachment.content,
                maintype=maintype or "application",
                subtype=subtype or "octet-stream",
                filename=attachment.filename,
            )
    envelope = dict.fromkeys(spec.casefold() for _, spec in (*to, *cc, *bcc))
    return OutgoingMessage(message, sender.email, tuple(envelope), message_id)


def _checked(entries: Iterable[str], bad: list[str]) -> list[tuple[Address, str]]:
    """Each entry's mailboxes as header addresses with their envelope form; bad ones to ``bad``.

    Syntax only (``email-validator`` without DNS, any domain): whether a mailbox exists is the
    receiving server's answer, and a local or test domain is a legitimate place to send.
    """
    found: list[tuple[Address, str]] = []
    for entry in entries:
        if not entry.strip():
            continue
        boxes = [(name, spec) for name, spec in getaddresses([entry]) if spec]
        if not boxes:
            bad.append(entry.strip())
        for name, spec in boxes:
            try:
                valid = validate_email(spec, check_deliverability=False, globally_deliverable=False)
            except EmailNotValidError:
                bad.append(entry.strip() if len(boxes) == 1 else spec)
                continue
            local, _, domain = valid.normalized.rpartition("@")
            address = Address(name, username=local, domain=domain)
            found.append((address, valid.ascii_email or valid.normalized))
    return found


def _set_body(message: EmailMessage, draft: Draft) -> None:
    body = draft.body.replace("\r\n", "\n")
    if not draft.html:
        message.set_content(body)
        return
    html = sanitized(body)
    message.set_content(plain_text(html))
    message.add_alternative(html, subtype="html")


def _domain(address: str) -> str:
    domain = address.rpartition("@")[2].strip() or "localhost"
    try:
        return domain.encode("idna").decode("ascii")
    except UnicodeError:
        return domain
