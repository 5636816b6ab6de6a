"""``In-Reply-To`` and ``References`` of an answer (RFC 5322 section 3.6.4).

The answer's References are the original's References (or, without them, its single
In-Reply-To) followed by the original's Message-ID. Long threads would make the header grow
without end, and some servers refuse header lines of more than a few kilobytes, so a long list
keeps its first identifier (the thread's root, which threading clients need most) and the most
recent ones, as Thunderbird and mutt do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_REFERENCES = 20
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")


@dataclass(frozen=True)
class ThreadHeaders:
    in_reply_to: str | None
    references: tuple[str, ...]


def message_ids(value: str) -> list[str]:
    """The ``<id>`` tokens of a header value, in order, each once."""
    return list(dict.fromkeys(_MESSAGE_ID.findall(value or "")))


def reply_thread(
    message_id: str | None, references: str = "", in_reply_to: str = ""
) -> ThreadHeaders:
    """The threading headers of an answer to a message with these headers."""
    earlier = message_ids(references)
    if not earlier:
        parent = message_ids(in_reply_to)
        earlier = parent if len(parent) == 1 else []
    own = message_ids(message_id or "")
    if not own and message_id and message_id.strip():
        own = [f"<{message_id.strip().strip('<>')}>"]
    chain = list(dict.fromkeys([*earlier, *own]))
    return ThreadHeaders(own[0] if own else None, trim_references(chain))


def trim_references(chain: list[str], limit: int = MAX_REFERENCES) -> tuple[str, ...]:
    """At most ``limit`` identifiers: the root and the newest ``limit - 1``."""
    if len(chain) <= limit:
        return tuple(chain)
    return (chain[0], *chain[len(chain) - (limit - 1) :])
