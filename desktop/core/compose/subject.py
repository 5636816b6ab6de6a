"""``Re: `` and ``Fwd: `` without piling up, whatever language the earlier clients spoke.

Clients localise the prefix (Outlook writes ``AW:`` in German, ``SV:`` in Swedish), count it
(``Re[2]:``, ``Re(3):``) or shout it (``RE:``); answering any of them adds one plain ``Re: ``
in place of the whole run of reply prefixes in front. A forward prefix inside a reply (``Re:
Fwd: ...``) is kept: it tells that the thread began with a forward.
"""

from __future__ import annotations

import re

_COUNT = r"(?:\s*(?:\[\d+\]|\(\d+\)))?"
_REPLY = re.compile(rf"^\s*(?:re|aw|sv|antw|odp|vs){_COUNT}\s*(?::|\uff1a)\s*", re.IGNORECASE)
_FORWARD = re.compile(rf"^\s*(?:fwd?|wg|tr|rv|enc){_COUNT}\s*(?::|\uff1a)\s*", re.IGNORECASE)


def reply_subject(subject: str) -> str:
    return _prefixed("Re:", _strip(_one_line(subject), _REPLY))


def forward_subject(subject: str) -> str:
    return _prefixed("Fwd:", _strip(_one_line(subject), _FORWARD))


def _strip(subject: str, prefix: re.Pattern[str]) -> str:
    while (match := prefix.match(subject)) is not None:
        subject = subject[match.end() :]
    return subject.strip()


def _prefixed(prefix: str, rest: str) -> str:
    return f"{prefix} {rest}" if rest else prefix


def _one_line(subject: str) -> str:
    return " ".join(subject.split())
