"""When a message shown in the reader counts as read: once it has stayed open for a moment.

Moving through the list with the arrow keys opens every message on the way; marking each one read
would leave a trail of "read" mail the user only glanced past. So, like the best clients, the
reader waits: only the message still shown when the delay ends is marked, and choosing another
one, or clearing the reader, starts over. The delay is the user's choice: ``None`` means never
(only "Mark as read" does it) and ``0`` means the open itself marks it, in the same transaction
(see ``WorkspacePage``). Marking by hand cancels the wait, so a message just marked unread is
not marked read again under the user's eyes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QObject, QTimer, Signal

from desktop.gui.session.workers import Workers

DEFAULT_DELAY_MS = 1000


class SeenChange(Protocol):
    """What the store did: the message's profile, and whether its flag was not so already."""

    @property
    def profile_id(self) -> int: ...

    @property
    def changed(self) -> bool: ...


MarkSeen = Callable[[int, bool], SeenChange]
"""Blocking: marks a message (by id) read (True) or unread, as the signed-in user."""


class ReadTimer(QObject):
    """Marks the chosen message read after the delay, or read or unread by hand.

    Emits ``marked`` (message id, profile id, seen) only when the store changed, so that the
    owner moves one unread count by one; ``failed`` (seen, error) when the store refused.
    """

    marked = Signal(int, int, bool)
    failed = Signal(bool, object)

    def __init__(
        self,
        mark: MarkSeen,
        delay_ms: int | None = DEFAULT_DELAY_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._mark_seen = mark
        self._delay_ms = delay_ms
        self._chosen: int | None = None
        self._pending: int | None = None
        self._paused = False
        self._workers = Workers(self)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._stayed_open)

    @property
    def delay_ms(self) -> int | None:
        return self._delay_ms

    @property
    def marks_on_open(self) -> bool:
        """The open should mark the message read itself: one transaction instead of two."""
        return self._delay_ms == 0

    @property
    def pending(self) -> int | None:
        """The message that will be marked read when the delay ends, if any."""
        return self._pending

    @property
    def counting(self) -> bool:
        """The wait for the pending message is running (not behind the lock screen)."""
        return self._timer.isActive()

    def set_delay(self, delay_ms: int | None) -> None:
        """A new choice applies to the message being read too, counted from now."""
        self._delay_ms = delay_ms
        if self._pending is not None:
            self.shown(self._pending, seen=False)

    def choose(self, message_id: int) -> None:
        """The user chose ``message_id`` in the list; nothing chosen before is marked now."""
        self._stop()
        self._chosen = message_id

    def shown(self, message_id: int, seen: bool) -> None:
        """``message_id`` is now in the reader; unread, it is marked when the delay ends."""
        self._stop()
        if seen or self._delay_ms is None:
            return
        self._pending = message_id
        if not self._paused:
            self._timer.start(max(0, self._delay_ms))

    def pause(self) -> None:
        """Behind the lock screen nobody is reading: nothing is marked until it lifts."""
        self._paused = True
        self._timer.stop()

    def resume(self) -> None:
        """The wait for the message in the reader starts again, in full, from now."""
        self._paused = False
        if self._pending is not None and self._delay_ms is not None:
            self._timer.start(max(0, self._delay_ms))

    def clear(self) -> None:
        """The reader shows nothing any more."""
        self._stop()
        self._chosen = None

    def mark_by_hand(self, seen: bool) -> None:
        """Mark as read or unread: the chosen message, and the wait for it ends here."""
        self._stop()
        if self._chosen is not None:
            self._mark(self._chosen, seen)

    def _stop(self) -> None:
        self._timer.stop()
        self._pending = None

    def _stayed_open(self) -> None:
        message_id, self._pending = self._pending, None
        if message_id is not None:
            self._mark(message_id, True)

    def _mark(self, message_id: int, seen: bool) -> None:
        mark = self._mark_seen
        self._workers.submit(
            lambda: mark(message_id, seen),
            lambda change: self._on_marked(message_id, seen, change),
            lambda error: self.failed.emit(seen, error),
        )

    def _on_marked(self, message_id: int, seen: bool, change: SeenChange) -> None:
        if change.changed:
            self.marked.emit(message_id, change.profile_id, seen)
