"""What a ``mailto:`` link (RFC 6068) asks to write: recipients, subject and body, nothing more.

A link comes from any web page or document, so it is read as a request a stranger made: only
To, Cc, Bcc, Subject, Body and In-Reply-To are taken. Every other header (From, Reply-To,
Attach, X-...) is dropped and named in ``ignored``, so the window can say that a link's files
were not attached; RFC 6068 section 7 asks for exactly this caution. Line breaks are kept only
in the body, where they belong: a subject or an address with one would be a header injection.

``+`` stays a plus (RFC 6068 section 5: it is not a space in mailto), percent-escapes are UTF-8
(section 2), and commas separate addresses before decoding, so a quoted local part holding an
escaped ``%2C`` keeps it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from urllib.parse import unquote

SCHEME = "mailto:"
ATTACHMENT_HEADERS = frozenset({"attach", "attachment", "attachments", "file"})
_ADDRESS_HEADERS = ("to", "cc", "bcc")
_LINE_BREAKS = re.compile(r"[\r\n]+")
_MESSAGE_ID = re.compile(r"^<[^<>\s]+@[^<>\s]+>$")


class NotAMailtoLink(ValueError):
    """The text is not a ``mailto:`` link (another scheme, or no scheme at all)."""


@dataclass(frozen=True)
class MailtoRequest:
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    bcc: tuple[str, ...] = ()
    subject: str = ""
    body: str = ""
    in_reply_to: str | None = None
    ignored: tuple[str, ...] = ()
    """Header names the link carried that were not taken, lower case, in link order."""

    @property
    def asked_for_attachments(self) -> bool:
        return any(name in ATTACHMENT_HEADERS for name in self.ignored)


def is_mailto(text: str) -> bool:
    return text[: len(SCHEME)].lower() == SCHEME


def parse_mailto(link: str) -> MailtoRequest:
    """Raises :class:`NotAMailtoLink` for anything but a ``mailto:`` link."""
    if not is_mailto(link):
        raise NotAMailtoLink(f"{link[:40]!r} is not a mailto: link")
    rest = link[len(SCHEME) :].split("#", 1)[0]
    path, _, query = rest.partition("?")
    addresses: dict[str, list[str]] = {name: [] for name in _ADDRESS_HEADERS}
    addresses["to"].extend(_addresses(path))
    single: dict[str, str] = {}
    ignored: list[str] = []
    for field in query.split("&") if query else ():
        raw_name, _, raw_value = field.partition("=")
        name = _decoded(raw_name).strip().lower()
        if name in addresses:
            addresses[name].extend(_addresses(raw_value))
        elif name in ("subject", "body", "in-reply-to"):
            single.setdefault(name, _decoded(raw_value))  # the first one counts, as in a header
        elif name and name not in ignored:
            ignored.append(name)
    return MailtoRequest(
        to=tuple(addresses["to"]),
        cc=tuple(addresses["cc"]),
        bcc=tuple(addresses["bcc"]),
        subject=_one_line(_unfolded_words(single.get("subject", ""))),
        body=single.get("body", "").replace("\r\n", "\n").replace("\r", "\n"),
        in_reply_to=_message_id(single.get("in-reply-to", "")),
        ignored=tuple(ignored),
    )


def _decoded(text: str) -> str:
    """Percent-escapes as UTF-8; a byte that is not UTF-8 shows as U+FFFD instead of failing."""
    return unquote(text, encoding="utf-8", errors="replace")


def _addresses(raw: str) -> list[str]:
    """Split on the link's own commas, then decode; an entry with a line break is dropped."""
    found = []
    for piece in raw.split(","):
        address = _decoded(piece).strip()
        if address and not _LINE_BREAKS.search(address):
            found.append(address)
    return found


def _one_line(text: str) -> str:
    return _LINE_BREAKS.sub(" ", text).strip()


def _unfolded_words(subject: str) -> str:
    """RFC 6068 section 6.2 allows RFC 2047 encoded words in a subject: shown decoded."""
    if "=?" not in subject:
        return subject
    try:
        return str(make_header(decode_header(subject)))
    except (HeaderParseError, LookupError, UnicodeDecodeError):
        return subject


def _message_id(text: str) -> str | None:
    """Kept only when it is one ``<id@host>``, so the draft threads under the right message."""
    text = text.strip()
    return text if _MESSAGE_ID.match(text) else None
