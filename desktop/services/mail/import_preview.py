"""A quick look at whom mail to be imported is addressed to, before it is imported.

People keep mail of several jobs in one export; importing the clinic's mail into the hospital's
profile mixes the two, and the import cannot be undone message by message. So before importing,
the window asks which of the user's own addresses the mail names. The look reads only headers,
and only the first :data:`PREVIEW_LIMIT` messages of each source: a pointer for the person, not
a census, it must answer in well under a second on a file of any size.
"""

from __future__ import annotations

import itertools
import mmap
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.message import Message
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import getaddresses
from pathlib import Path

from desktop.services.mail.importer import check_source, from_lines, is_mbox, maildir_files

PREVIEW_LIMIT = 500
HEADER_BYTES = 64 * 1024
"""Headers longer than this are cut: a longer block is not a header anyone wrote."""
_RECIPIENT_HEADERS = ("to", "cc", "delivered-to")


@dataclass(frozen=True)
class ImportPreview:
    """Whom the messages looked at name: for each set of the user's profiles, how many messages.

    Keeping the sets (rather than a count per profile) lets the window answer for any target it
    is switched to without reading the files again: mail that names the target too is not
    mail of another profile.
    """

    examined: int
    cut_short: bool
    """Some source has more messages than were looked at."""
    addressed: Mapping[frozenset[int], int]
    sources: int = 1
    limit: int = PREVIEW_LIMIT
    """At most this many messages of each source were looked at."""

    def addressed_elsewhere(self, target_id: int) -> dict[int, int]:
        """Messages naming each other profile of the user but not ``target_id``, by profile."""
        counts: Counter[int] = Counter()
        for profiles, number in self.addressed.items():
            if target_id not in profiles:
                counts.update(dict.fromkeys(profiles, number))
        return dict(counts)


def preview_paths(
    paths: Sequence[Path], addresses: Mapping[str, int], limit: int = PREVIEW_LIMIT
) -> ImportPreview:
    """Count the messages whose To, Cc or Delivered-To name one of ``addresses`` (lower case,
    to a profile id), reading the headers of at most ``limit`` messages of each path."""
    parser = BytesHeaderParser(policy=compat32)
    addressed: Counter[frozenset[int]] = Counter()
    examined = 0
    cut_short = False
    for path in paths:
        check_source(path)
        blocks = _headers(path, limit + 1)
        cut_short = cut_short or len(blocks) > limit
        for block in blocks[:limit]:
            examined += 1
            named = _named_profiles(parser.parsebytes(block), addresses)
            if named:
                addressed[named] += 1
    return ImportPreview(examined, cut_short, dict(addressed), len(paths), limit)


def _named_profiles(headers: Message, addresses: Mapping[str, int]) -> frozenset[int]:
    values = [str(value) for name in _RECIPIENT_HEADERS for value in headers.get_all(name, [])]
    return frozenset(
        addresses[email.lower()]
        for _name, email in getaddresses(values)
        if email.lower() in addresses
    )


def _headers(path: Path, limit: int) -> list[bytes]:
    """The header blocks of the first ``limit`` messages of ``path`` (an empty file has none)."""
    if path.is_dir():
        return [_read_head(file) for file in maildir_files(path)[:limit]]
    if path.stat().st_size == 0:
        return []
    if is_mbox(path):
        return _mbox_headers(path, limit)
    return [_read_head(path)]


def _read_head(file: Path) -> bytes:
    with file.open("rb") as handle:
        return _header_block(handle.read(HEADER_BYTES))


def _mbox_headers(path: Path, limit: int) -> list[bytes]:
    """The ``From `` lines are found lazily, so a preview of a large file stops reading where
    its last message looked at ends."""
    with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        starts = list(itertools.islice(from_lines(data), limit))
        next_start = data.find(b"\nFrom ", starts[-1] + 1) + 1 if starts else 0
        ends = [*starts[1:], next_start or len(data)]
        blocks = []
        for begin, end in zip(starts, ends, strict=True):
            line_end = data.find(b"\n", begin, end)
            if line_end >= 0:
                blocks.append(
                    _header_block(data[line_end + 1 : min(end, line_end + 1 + HEADER_BYTES)])
                )
        return blocks


def _header_block(head: bytes) -> bytes:
    cut = [at for at in (head.find(b"\n\n"), head.find(b"\r\n\r\n")) if at >= 0]
    return head[: min(cut)] + b"\n" if cut else head
