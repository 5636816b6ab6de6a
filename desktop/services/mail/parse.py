"""Turning raw RFC 5322 bytes into what the store keeps, whatever state the mail is in.

Policy choice, measured here on a small multi-header message: ``compat32`` parses ~31,000 msg/s,
the modern ``email.policy.default`` ~930 msg/s, and ``compat32`` with the modern header parser
applied to only four headers still ~2,000 msg/s. ``compat32`` plus :func:`email.header.
decode_header` (only on values that contain an encoded word) gives the same text on every case of
the awkward-mail tests.

Even ``compat32`` was most of an import's time (its feed parser handles every line in Python, and
base64 attachments have thousands of lines), so well-formed mail is read by a scanner of its own
(:func:`scan_message`): the header block and the MIME tree are cut with ``bytes.find`` and regular
expressions, and only the headers the store keeps are looked at. It gives exactly what the
stdlib parser gives (a test compares the two on every message of the corpus) because it only
accepts mail whose reading is unambiguous, and hands anything else (bare CR line ends, a header
line that is not one, ``message/*`` parts, a missing boundary, uuencode...) to the stdlib parser.

Awkward mail still lands: 8-bit header bytes are read as UTF-8, else Windows-1252; unknown or
lying charsets fall back instead of failing; a missing or unreadable date takes the envelope or
arrival time and is marked guessed; broken base64 decodes as far as it can. Only when nothing
sensible can be extracted is the message kept raw with the reason (``parse_error``).
"""

from __future__ import annotations

import binascii
import hashlib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from email import header as email_header
from email import policy as email_policy
from email.errors import HeaderParseError
from email.message import Message
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from functools import lru_cache, partial

from desktop.core.compose.thread_headers import message_ids

_PARSER = BytesParser(policy=email_policy.compat32)
_HEADERS_ONLY = BytesParser(policy=email_policy.compat32)
_BASE64_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_NOT_BASE64 = bytes(set(range(256)) - set(_BASE64_ALPHABET))
_CHARSET = re.compile(r"""charset\s*=\s*["']?([^"';\s]+)""", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_FOLDING = re.compile(r"\s*[\r\n]+\s*")
_FILENAME_FORBIDDEN = re.compile(r'[<>:"|?*\\/]')
_HASH_PIECE = 2047  # hashlib keeps the GIL below 2,048 bytes (HASHLIB_GIL_MINSIZE)
_HASH_RELEASING_SIZE = 256 * 1024
_MONTH_NUMBERS = {
    name: number
    for number, name in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}
# The Date form nearly every client writes (RFC 5322 3.3): "Sat, 01 Jan 2022 09:30:00 +0100",
# maybe with a zone comment. Anything else goes to the stdlib's parser.
_COMMON_DATE = re.compile(
    r"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?(\d{1,2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov"
    r"|Dec) ([1-9]\d{3}) (\d\d):(\d\d):(\d\d) ([+-])(\d\d)(\d\d)(?: \([^()]*\))?"
)
MAX_FILENAME = 200
UNPARSEABLE_SUBJECT = "(message could not be read)"


@dataclass(frozen=True)
class ParsedAttachment:
    filename_sent: str = field(repr=False)
    filename: str = field(repr=False)
    content_type: str
    content: bytes = field(repr=False)


@dataclass
class ParsedMessage:
    """Everything the store keeps of one message; ``raw`` is set only when parsing failed.

    The content is left out of the repr, which a traceback (so the log) may show.
    """

    message_id: str | None
    sender: str = field(repr=False)
    to_addrs: str = field(repr=False)
    cc_addrs: str = field(repr=False)
    subject: str = field(repr=False)
    date: datetime
    date_guessed: bool
    text: str = field(repr=False)
    html: str | None = field(repr=False)
    size: int
    content_hash: str
    attachments: list[ParsedAttachment] = field(default_factory=list, repr=False)
    reply_to: str = field(default="", repr=False)
    references: str = ""
    parse_error: str | None = field(default=None, repr=False)
    raw: bytes | None = None


def content_hash(raw: bytes) -> str:
    """SHA-256 of the message, fed in pieces too small for hashlib to release the GIL.

    hashlib lets go of the GIL for anything of 2 kB and more, and taking it back while the
    fetching and writing threads run Python waited up to a switch interval (5 ms): on a first
    sync of 20,000 messages that wait was most of the parsing thread's time. Hashing a
    message of a few kilobytes takes microseconds, far less than the wait; only a big one is
    worth handing the GIL over for.
    """
    if len(raw) >= _HASH_RELEASING_SIZE:
        return hashlib.sha256(raw).hexdigest()
    digest = hashlib.sha256()
    view = memoryview(raw)
    for start in range(0, len(raw), _HASH_PIECE):
        digest.update(view[start : start + _HASH_PIECE])
    return digest.hexdigest()


def parse_message(raw: bytes, fallback_date: datetime | None = None) -> ParsedMessage:
    """Parse a whole message; never raises for bad mail (the reason lands in ``parse_error``).

    ``fallback_date`` is the envelope or arrival time (mbox ``From`` line, Maildir delivery
    time, IMAP INTERNALDATE); without one the current time is used. Either way it is marked
    guessed.
    """
    digest = content_hash(raw)
    try:
        scanned = scan_message(raw, fallback_date, digest)
    except Exception:  # whatever the scanner trips on, the stdlib parser decides
        scanned = None
    return scanned if scanned is not None else parse_with_stdlib(raw, fallback_date, digest)


def parse_with_stdlib(
    raw: bytes, fallback_date: datetime | None = None, digest: str | None = None
) -> ParsedMessage:
    """:func:`parse_message` through the stdlib parser alone: the reading the scanner must match."""
    digest = digest or content_hash(raw)
    try:
        message = _PARSER.parsebytes(raw)
        if not message.keys():
            raise ValueError("no header section found")
        parsed = _from_headers(_first_values(message), len(raw), digest, fallback_date)
        parsed.text, parsed.html, parsed.attachments = _body_parts(message)
    except Exception as error:  # a bad message must be kept, never lost
        return unparseable(raw, f"{type(error).__name__}: {error}", fallback_date)
    return parsed


def parse_headers(
    raw_headers: bytes, size: int, fallback_date: datetime | None = None
) -> ParsedMessage:
    """Parse a header block only, for showing a message before its body has been fetched."""
    if _plain_breaks(raw_headers):
        try:
            headers, _body = _split_headers(raw_headers, 0)
        except _NotPlain:
            headers = {}
        if headers:
            return _from_headers(headers, size, "", fallback_date)
    try:
        message = _HEADERS_ONLY.parsebytes(raw_headers, headersonly=True)
        return _from_headers(_first_values(message), size, "", fallback_date)
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


def _first_values(message: Message) -> dict[str, str]:
    """Each header's value by lower-case name; the first of duplicated headers wins: it is the
    one the sender's client wrote."""
    headers: dict[str, str] = {}
    for name, value in message.raw_items():
        headers.setdefault(name.lower(), value)
    return headers


def _from_headers(
    headers: dict[str, str], size: int, digest: str, fallback_date: datetime | None
) -> ParsedMessage:
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
        reply_to=decode_header_value(headers.get("reply-to", "")),
        references=_references(headers),
    )


def _references(headers: dict[str, str]) -> str:
    """The thread an answer must join (RFC 5322 3.6.4): References, or a lone In-Reply-To."""
    found = message_ids(decode_header_value(headers.get("references", "")))
    if not found:
        parent = message_ids(decode_header_value(headers.get("in-reply-to", "")))
        found = parent if len(parent) == 1 else []
    return " ".join(found)


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


@lru_cache(maxsize=4096)
def _decode_encoded_words(value: str) -> str:
    """Cached: a mailbox holds the same encoded sender over and over, and the stdlib's decoding
    of one (about 20 us) was the largest part of reading such a message's headers."""
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


def parse_date(value: str) -> datetime:
    """:func:`email.utils.parsedate_to_datetime`, read without it for the common form.

    The stdlib's parser (tokenising in Python for every form mail has ever had) was a fifth of
    the time a message took to parse; the common form gives the same datetime (naive for
    ``-0000``, as RFC 5322 means an unknown origin) and the same errors.
    """
    found = _COMMON_DATE.fullmatch(value)
    if found is None:
        return parsedate_to_datetime(value)
    day, month, year, hour, minute, second, sign, zone_hours, zone_minutes = found.groups()
    offset = int(zone_hours) * 3600 + int(zone_minutes) * 60
    moment = (int(year), _MONTH_NUMBERS[month], int(day), int(hour), int(minute), int(second))
    if sign == "-" and offset == 0:
        return datetime(*moment)
    return datetime(*moment, tzinfo=_zone(-offset if sign == "-" else offset))


@lru_cache(maxsize=64)
def _zone(offset: int) -> timezone:
    return timezone(timedelta(seconds=offset))


def _date(value: str | None, fallback: datetime | None) -> tuple[datetime, bool]:
    if value:
        try:
            parsed = parse_date(decode_header_value(value))
        except (TypeError, ValueError, IndexError, OverflowError):
            parsed = None
        if parsed is not None and 1970 <= parsed.year <= 2200:
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=UTC)  # "-0000": UTC, origin unknown (RFC 5322)
            return parsed.astimezone(UTC), False
    return (fallback or datetime.now(UTC)).astimezone(UTC), True


class _Leaves:
    """The text, HTML and attachments gathered from a message's leaf parts, in walk order."""

    def __init__(self) -> None:
        self.text: str | None = None
        self.html: str | None = None
        self.attachments: list[ParsedAttachment] = []

    def add(
        self,
        headers: dict[str, str],
        filename: Callable[[], str],
        payload: Callable[[], bytes],
    ) -> None:
        """Sort one leaf part; ``filename`` and ``payload`` are asked for only when needed."""
        content_type = _content_type(headers.get("content-type", ""))
        disposition = headers.get("content-disposition", "")
        may_have_name = bool(disposition) or "name" in headers.get("content-type", "").lower()
        filename_sent = filename() if may_have_name else ""
        is_attachment = disposition.split(";")[0].strip().lower() == "attachment" or bool(
            filename_sent
        )
        if not is_attachment and content_type == "text/plain" and self.text is None:
            self.text = _part_text(payload(), headers)
        elif not is_attachment and content_type == "text/html" and self.html is None:
            self.html = _part_text(payload(), headers)
        elif is_attachment or not content_type.startswith("text/"):
            self.attachments.append(
                ParsedAttachment(
                    filename_sent=filename_sent,
                    filename=clean_filename(filename_sent, content_type),
                    content_type=content_type[:255],
                    content=payload(),
                )
            )


def _body_parts(message: Message) -> tuple[str, str | None, list[ParsedAttachment]]:
    leaves = _Leaves()
    for part in message.walk():
        if part.is_multipart():
            continue
        # One pass over the part's headers: Message.get() rescans them on every call.
        headers = {name.lower(): value for name, value in reversed(list(part.raw_items()))}
        leaves.add(headers, partial(_filename, part), partial(_payload_bytes, part, headers))
    return leaves.text or "", leaves.html, leaves.attachments


# What the scanner leaves to the stdlib parser: line breaks other than LF and CRLF (the stdlib
# also breaks lines at a lone CR, VT, FF and \x1c-\x1e).
_ODD_BREAKS = (b"\x0b", b"\x0c", b"\x1c", b"\x1d", b"\x1e")
# One header with its continuation lines (name, value); a name as the stdlib's feed parser
# accepts one. The whole block must be such headers and nothing else.
_HEADERS = re.compile(rb"([\x21-\x39\x3b-\x7e]+):[ \t]*([^\n]*(?:\n[ \t][^\n]*)*)(?:\n|\Z)")
_HEADER_BLOCK = re.compile(rb"(?:[\x21-\x39\x3b-\x7e]+:[^\n]*(?:\n[ \t][^\n]*)*(?:\n|\Z))*")
# What may follow ``--boundary`` on a boundary line: ``--`` when it closes, then blanks.
_BOUNDARY_TAIL = re.compile(rb"(--)?[ \t]*\r?(?:\n|\Z)")
_MAX_DEPTH = 20


class _NotPlain(Exception):
    """Mail the scanner does not read exactly as the stdlib would: the stdlib parser takes it."""


def scan_message(
    raw: bytes, fallback_date: datetime | None = None, digest: str | None = None
) -> ParsedMessage | None:
    """Read well-formed mail exactly as :func:`parse_with_stdlib` would (2.3x as fast on the
    benchmark's mixed mail, 11,400 against 4,900 msg/s); None for mail it leaves to the stdlib."""
    if not _plain_breaks(raw):
        return None
    try:
        headers, body = _split_headers(raw, 0)
        if not headers:
            return None
        leaves = _Leaves()
        _scan_entity(raw, headers, (body, len(raw)), leaves, 0)
    except _NotPlain:
        return None
    parsed = _from_headers(headers, len(raw), digest or content_hash(raw), fallback_date)
    parsed.text, parsed.html, parsed.attachments = (
        leaves.text or "",
        leaves.html,
        leaves.attachments,
    )
    return parsed


def _plain_breaks(raw: bytes) -> bool:
    """Whether every line ends in LF or CRLF and none is an mbox envelope line.

    A loop rather than ``any()`` over a generator: that cost more than the five scans it made,
    and this runs once for every message a sync or an import reads.
    """
    if raw.startswith(b"From "):
        return False
    for odd in _ODD_BREAKS:
        if odd in raw:
            return False
    return b"\r" not in raw or raw.count(b"\r") == raw.count(b"\r\n")


def _split_headers(raw: bytes, start: int) -> tuple[dict[str, str], int]:
    """The headers of the entity at ``start`` (first value per lower-case name, as the stdlib's
    ``compat32`` keeps it) and where its body begins."""
    if raw.startswith(b"\n", start) or raw.startswith(b"\r\n", start):
        return {}, raw.index(b"\n", start) + 1
    block_end, body = _blank_line(raw, start)
    if _HEADER_BLOCK.fullmatch(raw, start, block_end) is None:
        raise _NotPlain("a header line that is not one")
    headers: dict[str, str] = {}
    for name, value in _HEADERS.findall(raw, start, block_end):
        key = name.decode("ascii").lower()
        if key not in headers:
            headers[key] = value.rstrip(b"\r\n").decode("ascii", "surrogateescape")
    return headers, body


def _blank_line(raw: bytes, start: int) -> tuple[int, int]:
    """Where the header block from ``start`` ends (at the LF ending its last line, a CR before
    it kept) and where the body begins (after the empty line)."""
    lf = raw.find(b"\n\n", start)
    crlf = raw.find(b"\n\r\n", start, lf + 2 if lf >= 0 else len(raw))
    if lf < 0 and crlf < 0:
        raise _NotPlain("no blank line after the headers")
    if crlf < 0 or 0 <= lf < crlf:
        return lf, lf + 2
    return crlf, crlf + 3


def _scan_entity(
    raw: bytes, headers: dict[str, str], span: tuple[int, int], leaves: _Leaves, depth: int
) -> None:
    """Gather the leaves of the entity whose body is ``raw[span]``, in ``walk()`` order."""
    body, end = span
    if not headers.get("content-type", "").isascii():
        raise _NotPlain("an 8-bit content type")
    content_type = _content_type(headers.get("content-type", ""))
    if content_type.startswith("message/") or content_type == "multipart/digest":
        raise _NotPlain("a nested message")
    if not content_type.startswith("multipart/"):
        payload = partial(_scanned_payload, raw[body:end], headers)
        leaves.add(headers, partial(_scanned_filename, headers), payload)
        return
    if depth >= _MAX_DEPTH:
        raise _NotPlain("nested too deep")
    for start, stop in _part_spans(raw, _boundary(headers), body, end):
        part_headers, part_body = _split_headers(raw, start)
        if part_body > stop:
            raise _NotPlain("a part without a body")
        # The line end before a boundary belongs to the boundary, not to the part.
        part_end = stop
        if part_end > part_body and raw[part_end - 1] == 0x0A:
            part_end -= 2 if part_end - 1 > part_body and raw[part_end - 2] == 0x0D else 1
        _scan_entity(raw, part_headers, (part_body, part_end), leaves, depth + 1)


def _boundary(headers: dict[str, str]) -> str:
    container = Message()
    container["Content-Type"] = headers["content-type"]
    boundary = container.get_boundary()
    if not boundary or not boundary.isascii():
        raise _NotPlain("no usable boundary")
    return boundary


def _part_spans(raw: bytes, boundary: str, body: int, end: int) -> list[tuple[int, int]]:
    """Where each part of a multipart body lies, from its first line up to its boundary line.

    Only the unambiguous layout is accepted: a first boundary, parts each with a line of its
    own, and a closing boundary; what follows it is the epilogue, which ``walk()`` never visits.
    """
    delimiter = b"--" + boundary.encode("ascii")
    spans: list[tuple[int, int]] = []
    start: int | None = None
    line = body
    while True:
        line = _line_starting(raw, delimiter, line, end)
        tail = _BOUNDARY_TAIL.match(raw, line + len(delimiter), end)
        if tail is None:  # a line that merely starts like the boundary
            line += len(delimiter)
            continue
        if start is not None:
            if line <= start:
                raise _NotPlain("two boundaries in a row")
            spans.append((start, line))
        if tail.group(1):
            if not spans:
                raise _NotPlain("a multipart without parts")
            return spans
        start = line = tail.end()


def _line_starting(raw: bytes, prefix: bytes, start: int, end: int) -> int:
    """The first line from ``start`` on that begins with ``prefix``, if ``start`` begins a line."""
    if raw.startswith(prefix, start, end) and (start == 0 or raw[start - 1] == 0x0A):
        return start
    found = raw.find(b"\n" + prefix, start, end)
    if found < 0:
        raise _NotPlain("no closing boundary")
    return found + 1


def _scanned_filename(headers: dict[str, str]) -> str:
    """The sent file name, read by the stdlib from these two headers alone (RFC 2231 and all)."""
    carrier = Message()
    for name in ("content-type", "content-disposition"):
        if name in headers:
            if not headers[name].isascii():
                raise _NotPlain("an 8-bit parameter header")
            carrier[name] = headers[name]
    return _filename(carrier)


def _scanned_payload(payload: bytes, headers: dict[str, str]) -> bytes:
    """The decoded bytes of a leaf, as ``_payload_bytes`` gets them from a stdlib part."""
    encoding = headers.get("content-transfer-encoding", "")
    if not encoding.isascii():
        raise _NotPlain("an 8-bit transfer encoding")
    if encoding.strip().lower() == "base64":
        if not payload.isascii():
            raise _NotPlain("8-bit bytes in base64")
        return lenient_base64(payload)
    encoding = encoding.lower()
    if encoding == "quoted-printable":
        return binascii.a2b_qp(payload)
    if encoding in {"x-uuencode", "uuencode", "uue", "x-uue"}:
        raise _NotPlain("uuencode")
    return payload


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


def lenient_base64(text: str | bytes) -> bytes:
    """Decode what can be decoded: stray characters are dropped, a cut-off tail is padded.

    The stdlib hands back the undecoded text when base64 is broken; a lab report whose last line
    lost its padding should still read as a lab report.
    """
    data = text.encode("ascii", "ignore") if isinstance(text, str) else text
    clean = data.translate(None, _NOT_BASE64)
    whole = len(clean) - len(clean) % 4
    decoded = binascii.a2b_base64(clean[:whole])
    tail = clean[whole:]
    if len(tail) >= 2:
        decoded += binascii.a2b_base64(tail + b"=" * (4 - len(tail)))
    return decoded


def _part_text(payload: bytes, headers: dict[str, str]) -> str:
    match = _CHARSET.search(headers.get("content-type", ""))
    return decode_bytes(payload, match.group(1) if match else None)


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
