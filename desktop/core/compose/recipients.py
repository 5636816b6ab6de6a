"""To whom an answer goes: the sender (or Reply-To), and for reply-all everyone else but the user.

Addresses are compared without regard to case, local part included: mail clients and people
write ``Ada@StMary.org`` and ``ada@stmary.org`` for one mailbox, and a reply-all that keeps a
second spelling of the user's own address mails the user (or, worse, another of their accounts).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from email.utils import getaddresses

_SPECIALS = frozenset('()<>[]:;@\\,."')


@dataclass(frozen=True)
class Mailbox:
    name: str
    address: str

    @property
    def key(self) -> str:
        return self.address.casefold()

    @property
    def formatted(self) -> str:
        """``Name <address>`` as a person reads and edits it, or the bare address.

        The name stays in its own letters ("Zoë", not an RFC 2047 ``=?utf-8?…?=`` word), quoted
        only where a comma or another special would split it; encoding for the wire is the
        builder's job. An address with a non-ASCII local part (RFC 6531) is kept as it is.
        """
        if not self.name:
            return self.address
        name = self.name
        if any(special in name for special in _SPECIALS):
            name = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
        return f"{name} <{self.address}>"


@dataclass(frozen=True)
class Recipients:
    to: tuple[str, ...]
    cc: tuple[str, ...] = ()


def mailboxes(*fields: str) -> list[Mailbox]:
    """The mailboxes named in address header values (empty entries dropped)."""
    return [
        Mailbox(name.strip(), address.strip())
        for name, address in getaddresses([field for field in fields if field])
        if address.strip()
    ]


def split_addresses(text: str) -> tuple[str, ...]:
    """What a person typed in a To, Cc or Bcc field, one formatted mailbox per entry.

    Entries that are not addresses at all are kept as typed, so that the check before sending
    can name them instead of dropping them silently.
    """
    entries: list[str] = []
    for part in _split_outside_quotes(text):
        found = mailboxes(part)
        if found and all("@" in box.address for box in found):
            entries.extend(box.formatted for box in found)
        else:
            entries.append(part)
    return tuple(entries)


def reply_recipients(
    sender: str, reply_to: str, to: str, own_addresses: Collection[str]
) -> Recipients:
    """The sender, or the Reply-To when there is one; one's own sent mail goes to its To."""
    own = _keys(own_addresses)
    primary = mailboxes(reply_to) or mailboxes(sender)
    if primary and all(box.key in own for box in primary):
        primary = mailboxes(to)
    return Recipients(_unique(primary, own, set()))


def reply_all_recipients(
    sender: str, reply_to: str, to: str, cc: str, own_addresses: Collection[str]
) -> Recipients:
    """Everyone the original reached, without any address of the user's profiles.

    The sender (or Reply-To) moves to To ahead of the original To; Cc stays Cc; each address
    appears once, in the first place it came, with the name it came with.
    """
    own = _keys(own_addresses)
    primary = mailboxes(reply_to) or mailboxes(sender)
    seen: set[str] = set()
    new_to = _unique([*primary, *mailboxes(to)], own, seen)
    new_cc = _unique(mailboxes(cc), own, seen)
    if not new_to and new_cc:  # everyone left was in Cc: someone must be the addressee
        new_to, new_cc = new_cc[:1], new_cc[1:]
    return Recipients(new_to, new_cc)


def _unique(boxes: Iterable[Mailbox], own: set[str], seen: set[str]) -> tuple[str, ...]:
    kept: list[str] = []
    for box in boxes:
        if box.key in own or box.key in seen:
            continue
        seen.add(box.key)
        kept.append(box.formatted)
    return tuple(kept)


def _keys(addresses: Collection[str]) -> set[str]:
    return {address.strip().casefold() for address in addresses}


def _split_outside_quotes(text: str) -> list[str]:
    """Split at commas and semicolons that are not inside a quoted name or angle brackets."""
    parts: list[str] = []
    current: list[str] = []
    quoted = angled = False
    for char in text:
        if char == '"' and not angled:
            quoted = not quoted
        elif char == "<" and not quoted:
            angled = True
        elif char == ">" and not quoted:
            angled = False
        if char in ",;" and not quoted and not angled:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [part.strip() for part in parts if part.strip()]
