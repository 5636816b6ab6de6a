"""The outbox as the window sees it: one list of what has not left yet, and the person's choices.

The list lives here once, like the profile list in :class:`Session`; the sidebar's outbox button
and the outbox dialog both read it and follow :attr:`SessionOutbox.changed`. Deliveries run on
each profile's own queue (the sync scheduler), and their reports refresh the list, so a message
that leaves while the dialog is open disappears from it by itself.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from PySide6.QtCore import QObject, Signal, Slot

from desktop.gui.session.workers import Workers
from desktop.gui.session.workspace import Workspace
from desktop.services.failures import describe
from desktop.services.mail.outbox import OutboxEntry, OutboxState
from desktop.services.mail.sync_events import DeliveryReport

T = TypeVar("T")

NEEDS_THE_PERSON = frozenset({OutboxState.FAILED, OutboxState.MAY_HAVE_BEEN_SENT})


class SessionOutbox(QObject):
    """Every signal fires on the GUI thread."""

    changed = Signal()  # the entries were read again
    failed = Signal(str)  # a sentence for the person

    def __init__(
        self,
        workspace: Workspace,
        deliver: Callable[[int], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._workspace = workspace
        self._deliver = deliver
        self._tasks = Workers(self)
        self._entries: tuple[OutboxEntry, ...] = ()

    @property
    def entries(self) -> tuple[OutboxEntry, ...]:
        return self._entries

    @property
    def waiting(self) -> int:
        return len(self._entries)

    @property
    def needing_attention(self) -> int:
        """Failed or maybe sent: these wait for the person, not for the network."""
        return sum(1 for e in self._entries if e.state in NEEDS_THE_PERSON)

    def queued_for(self, profile_id: int) -> bool:
        return any(
            e.profile_id == profile_id and e.state is OutboxState.QUEUED for e in self._entries
        )

    def refresh(self, *, deliver_queued: bool = False) -> None:
        """``deliver_queued``: at sign-in, send what a previous run left behind."""
        workspace = self._workspace
        self._run(
            lambda: tuple(workspace.list_outbox()),
            lambda entries: self._apply(entries, deliver_queued),
            self.tr("Could not read the outbox: {reason}"),
        )

    def deliver(self, profile_id: int) -> None:
        self._deliver(profile_id)

    def deliver_waiting(self, profile_ids: Sequence[int]) -> None:
        """The network may be back (a sync got through): send what waited for it."""
        for profile_id in profile_ids:
            if self.queued_for(profile_id):
                self._deliver(profile_id)

    def retry(self, entry_id: int) -> None:
        workspace = self._workspace
        self._run(
            lambda: workspace.retry_outbox(entry_id),
            lambda _none: self._requeued(entry_id),
            self.tr("Could not send the message again: {reason}"),
        )

    def send_again(self, entry_id: int) -> None:
        workspace = self._workspace
        self._run(
            lambda: workspace.send_outbox_again(entry_id),
            lambda _none: self._requeued(entry_id),
            self.tr("Could not send the message again: {reason}"),
        )

    def mark_sent(self, entry_id: int) -> None:
        workspace = self._workspace
        self._run(
            lambda: workspace.mark_outbox_sent(entry_id),
            self._done,
            self.tr("Could not mark the message as sent: {reason}"),
        )

    def discard(self, entry_id: int) -> None:
        workspace = self._workspace
        self._run(
            lambda: workspace.discard_outbox(entry_id),
            self._done,
            self.tr("Could not discard the message: {reason}"),
        )

    @Slot(int, object)
    def delivered(self, _profile_id: int, _report: DeliveryReport) -> None:
        self.refresh()

    def _run(self, call: Callable[[], T], on_done: Callable[[T], None], sentence: str) -> None:
        self._tasks.submit(
            call,
            on_done,
            lambda error: self.failed.emit(sentence.format(reason=describe(error).summary)),
        )

    def _apply(self, entries: tuple[OutboxEntry, ...], deliver_queued: bool) -> None:
        self._entries = entries
        self.changed.emit()
        if deliver_queued:
            # "Sending" at sign-in means the last run stopped mid-send: delivering sorts it
            # into "may have been sent", for the person to decide, and sends nothing of it.
            unsent = {OutboxState.QUEUED, OutboxState.SENDING}
            for profile_id in sorted({e.profile_id for e in entries if e.state in unsent}):
                self._deliver(profile_id)

    def _requeued(self, entry_id: int) -> None:
        """The entry's profile is in the list already shown: no second read to find it."""
        entry = next((e for e in self._entries if e.id == entry_id), None)
        if entry is not None:
            self._deliver(entry.profile_id)
        self.refresh()

    def _done(self, _result: object) -> None:
        self.refresh()
