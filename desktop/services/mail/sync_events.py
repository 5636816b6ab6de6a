"""What a profile's queue reports to listeners, and how long it waits before trying again.

Plain values, so the window's adapter can pass them across threads as they are.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from desktop.services.mail.imap_sync import SyncResult


class SyncState(enum.StrEnum):
    RUNNING = "running"
    RETRYING = "retrying"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class StateChanged:
    profile_id: int
    state: SyncState


@dataclass(frozen=True)
class Progressed:
    profile_id: int
    done: int
    total: int


@dataclass(frozen=True)
class Finished:
    profile_id: int
    result: SyncResult


@dataclass(frozen=True)
class Failed:
    profile_id: int
    reason: str
    permanent: bool
    sign_in: bool = False
    """Only the person can end it, by signing the profile in again with its provider."""


@dataclass(frozen=True)
class FlagsPushed:
    profile_id: int
    count: int


@dataclass(frozen=True)
class DeliveryReport:
    """One pass over a profile's outbox: how many left, failed for good, or wait for a retry."""

    sent: int = 0
    failed: int = 0
    waiting: int = 0
    reason: str = ""
    """Why messages still wait (the server was unreachable, or asked to try later)."""


@dataclass(frozen=True)
class Delivered:
    profile_id: int
    report: DeliveryReport


@dataclass(frozen=True)
class Watching:
    """The profile's INBOX is (or is no longer) in IMAP IDLE; ``reason`` says why it is not."""

    profile_id: int
    watching: bool
    reason: str = ""


@dataclass(frozen=True)
class ActionsApplied:
    """The server was told of moves and deletes made here (or could not be, ``failed``).

    ``moved`` reached their folder on the server (copies from another profile too); ``gone``
    were expunged there, or were no longer there to act on (another client removed them). On
    failure the store keeps showing what the person did and the actions wait; ``failed`` says
    why in words for a status line, ``retrying`` whether the queue tries again by itself.
    """

    profile_id: int
    moved: int = 0
    gone: int = 0
    failed: str = ""
    retrying: bool = False


SyncEvent = (
    StateChanged
    | Progressed
    | Finished
    | Failed
    | FlagsPushed
    | Delivered
    | Watching
    | ActionsApplied
)
Listener = Callable[[SyncEvent], None]


@dataclass(frozen=True)
class RetryPolicy:
    """Waits between attempts: ``first``, then times ``factor`` each time, never above ``cap``."""

    first: float = 5.0
    factor: float = 2.0
    cap: float = 300.0
    attempts: int = 6

    def delays(self) -> Iterator[float]:
        delay = self.first
        for _ in range(self.attempts - 1):
            yield min(delay, self.cap)
            delay *= self.factor
