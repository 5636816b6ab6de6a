"""A corpus of real-world References breakage: cycles, missing parents, duplicate IDs.

Shared by the core threading tests and the store's, which must group it the same way.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from desktop.core.conversations import Envelope

START = datetime(2026, 3, 1, 9, tzinfo=UTC)


def mail(key: int, message_id: str | None, references: str, subject: str) -> Envelope:
    return Envelope(key, message_id, references, subject, START + timedelta(hours=key))


CORPUS = [
    # A plain chain, the last reply naming its whole ancestry.
    mail(1, "<a@x>", "", "Lab results"),
    mail(2, "<b@x>", "<a@x>", "Re: Lab results"),
    mail(3, "<c@x>", "<a@x> <b@x>", "Re: Lab results"),
    # Two answers to a message that never arrived: one conversation under a phantom.
    mail(4, "<d@x>", "<gone@x>", "Re: Rota"),
    mail(5, "<e@x>", "<gone@x>", "Re: Rota"),
    # A cycle: each claims the other as its parent.
    mail(6, "<f@x>", "<g@x>", "Loop"),
    mail(7, "<g@x>", "<f@x>", "Re: Loop"),
    # A message that names itself.
    mail(8, "<h@x>", "<h@x>", "Myself"),
    # The same Message-ID twice (a copy in another folder).
    mail(9, "<i@x>", "", "Copied"),
    mail(10, "<i@x>", "", "Copied"),
    # A reply whose client dropped References: found by subject.
    mail(11, "<j@x>", "", "Budget"),
    mail(12, "<k@x>", "", "RE: AW:  budget"),
    # A forward starts its own conversation, and so does an unrelated same-named message.
    mail(13, "<l@x>", "", "Fwd: Budget"),
    mail(14, "<m@x>", "", "Lab results"),
    # No Message-ID, but its references place it.
    mail(15, None, "<a@x>", "Re: Lab results"),
    # References that go through a message of another thread's middle, then disagree: the
    # message's own last reference wins.
    mail(16, "<n@x>", "<b@x> <o@x>", "Other"),
    mail(17, "<o@x>", "<zzz@x>", "Re: Other"),
]
