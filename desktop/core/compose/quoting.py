"""The text an answer starts with: the signature, then the quoted or forwarded original.

The signature sits above the quote, where the person writes (top posting, as the mail clients
people use at work do), behind the standard ``-- `` line (RFC 3676 section 4.3) so that
receiving clients can recognise and fold it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

SIGNATURE_SEPARATOR = "-- "


def signature_block(signature: str) -> str:
    """``-- `` and the signature, or nothing when there is no signature."""
    text = signature.strip("\n")
    if not text.strip():
        return ""
    lines = text.splitlines()
    if lines[0].rstrip() == "--":
        lines = lines[1:]
    return "\n".join([SIGNATURE_SEPARATOR, *lines])


def new_body(signature: str) -> str:
    """A new message's body: room to write, then the signature."""
    block = signature_block(signature)
    return f"\n\n{block}\n" if block else ""


def attribution(date: datetime, name: str) -> str:
    """``On Tue, 3 Feb 2026 at 09:15, Ada Lovelace wrote:`` in the date's own time zone."""
    when = f"{date:%a}, {date.day} {date:%b %Y} at {date:%H:%M}"
    return f"On {when}, {name} wrote:"


def quoted(text: str) -> str:
    """Each line behind ``> `` (``>`` alone before an empty or already quoted line)."""
    lines = text.replace("\r\n", "\n").rstrip("\n").split("\n")
    return "\n".join(
        f">{line}" if not line or line.startswith(">") else f"> {line}" for line in lines
    )


def reply_body(original_text: str, date: datetime, name: str, signature: str) -> str:
    """Room to write, the signature, then the original under its attribution line."""
    parts = ["", ""]
    block = signature_block(signature)
    if block:
        parts += [block, ""]
    parts += [attribution(date, name), quoted(original_text), ""]
    return "\n".join(parts)


def forward_body(headers: Sequence[tuple[str, str]], original_text: str, signature: str) -> str:
    """Room to write, the signature, then the original under a block of its headers.

    ``headers`` are (name, value) pairs such as Subject, Date, From, To and Cc; empty values
    are left out.
    """
    parts = ["", ""]
    block = signature_block(signature)
    if block:
        parts += [block, ""]
    parts.append("-------- Forwarded Message --------")
    parts += [f"{name}: {value}" for name, value in headers if value]
    parts += ["", original_text.replace("\r\n", "\n").rstrip("\n"), ""]
    return "\n".join(parts)


def swap_signature(body: str, old: str, new: str) -> str:
    """The body with ``old``'s signature block replaced by ``new``'s, when it is still there.

    Changing From should change the signature with it; a block the person has edited is theirs
    and is left alone.
    """
    old_block, new_block = signature_block(old), signature_block(new)
    if old_block and old_block in body:
        return body.replace(old_block, new_block, 1)
    return body
