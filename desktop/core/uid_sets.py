"""IMAP UID sets (RFC 3501 ``sequence-set``) written compactly and read back.

A thousand messages moved at once are usually a few runs of consecutive UIDs: ``1:1000`` is six
characters where the UIDs spelled out are almost four thousand, and a server reads and answers
a short set much faster. A selection with many gaps still makes a long set, so commands take
their UIDs in chunks whose set stays under a length every server accepts.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

SET_LENGTH = 4000
"""Characters of one command's UID set: well under the 8,000-octet command lines RFC 7162
asks servers to accept (Dovecot takes 64 kB), with room for the rest of the command."""


def runs(uids: Iterable[int]) -> list[tuple[int, int]]:
    """The distinct UIDs as ascending runs of consecutive numbers, (first, last) each."""
    found: list[tuple[int, int]] = []
    for uid in sorted(set(uids)):
        if found and uid == found[-1][1] + 1:
            found[-1] = (found[-1][0], uid)
        else:
            found.append((uid, uid))
    return found


def _written(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}:{last}"


def compact(uids: Iterable[int]) -> str:
    """``1:3,7,9:10`` for 1, 2, 3, 7, 9, 10 (in any order, repeats ignored)."""
    return ",".join(_written(first, last) for first, last in runs(uids))


def chunked(uids: Iterable[int], *, length: int = SET_LENGTH, most: int) -> Iterator[list[int]]:
    """The distinct UIDs in ascending chunks of at most ``most``, each chunk's compact set at
    most ``length`` characters (a run is split when it must be)."""
    chunk: list[int] = []
    written = 0
    for low, last in runs(uids):
        first = low
        while first <= last:
            take = min(last, first + most - len(chunk) - 1)
            part = len(_written(first, take)) + (1 if chunk else 0)
            if chunk and written + part > length:
                yield chunk
                chunk, written = [], 0
                continue
            chunk.extend(range(first, take + 1))
            written += part
            first = take + 1
            if len(chunk) == most:
                yield chunk
                chunk, written = [], 0
    if chunk:
        yield chunk


def expand(uid_set: str) -> Iterator[int]:
    """The UIDs of a set as the server wrote it, in its order (``5:3`` is 5, 4, 3)."""
    for part in uid_set.split(","):
        low, _, high = part.partition(":")
        start, end = int(low), int(high or low)
        step = 1 if end >= start else -1
        yield from range(start, end + step, step)
