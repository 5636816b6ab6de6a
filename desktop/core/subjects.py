"""The subject a conversation goes by, with the prefixes that mail clients add taken off.

Threading falls back on subjects only for replies whose References lead nowhere (a client that
drops the header, a parent that never arrived), so it needs two answers from a subject: its key
(what is left without "Re:", "Fwd:", "AW:", "SV:", "[list]" and the like, case folded, spaces
collapsed) and whether the message says it answers something. A forward starts a conversation of
its own: "Fwd:" is taken off the key but does not make a message a reply.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Answers in the languages mail clients localise them to: English, German (AW, Antw), Nordic
# (SV, VS), Dutch (Antw), Polish (Odp), Turkish (Ynt), Italian (R, RIF), French (Réf), Spanish
# and Portuguese (Res).
REPLY_PREFIXES = frozenset({"re", "aw", "antw", "sv", "vs", "odp", "ynt", "r", "rif", "réf", "res"})
# Forwards: English, German (WG), French (TR), Spanish (RV, Enc), Polish (PD), Dutch (Doorst).
FORWARD_PREFIXES = frozenset({"fwd", "fw", "wg", "tr", "rv", "enc", "pd", "doorst"})
# A word and a colon (ASCII or full-width), with an optional count ("Re[2]:"), or a list tag.
_PREFIX = re.compile(
    r"^\s*(?:(?P<word>[^\W\d_]{1,6})\s*(?:\[\d+\]|\(\d+\))?\s*[:\uff1a]|\[[^\]]*\])"
)
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class SubjectKey:
    key: str
    is_reply: bool


def subject_key(subject: str) -> SubjectKey:
    """The key of ``subject`` and whether a reply prefix stood before it.

    A bracketed list tag ("[staff]") anywhere among the prefixes is dropped too, since lists add
    it in front of a "Re:" as often as behind it.
    """
    rest = subject or ""
    is_reply = False
    while True:
        found = _PREFIX.match(rest)
        if found is None:
            break
        word = (found.group("word") or "").casefold()
        if word and word not in REPLY_PREFIXES and word not in FORWARD_PREFIXES:
            break
        is_reply = is_reply or word in REPLY_PREFIXES
        rest = rest[found.end() :]
    return SubjectKey(_SPACES.sub(" ", rest).strip().casefold(), is_reply)
