"""A copy into another profile's folder as the window asks for it: checked, asked, then made.

Mail never moves across profiles; the window offers a copy instead, and only after the person
said yes to a question naming both organizations and both addresses. :meth:`SessionMailCopy.offer`
runs every check of the services first (off the GUI thread), so the question is asked only of a
copy that may be made, and a refusal is said at once in its own words on :attr:`failed`;
:attr:`SessionMailCopy.confirm_needed` then hands the widgets the question, and only
:meth:`SessionMailCopy.copy` copies. The copies show in the target folder at once (the lists
are read again); the target profile's queue tells its server afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from desktop.core.mail_views import MailView
from desktop.gui.session.workers import Workers
from desktop.gui.session.workspace import Workspace
from desktop.services.failures import describe
from desktop.services.mail.inbox import InboxRow
from desktop.services.mail.profile_copy import CopyPlan


@dataclass(frozen=True, slots=True)
class CopySide:
    organization: str
    email: str


@dataclass(frozen=True, slots=True)
class CopyQuestion:
    """What the person is asked before a copy: how many, from whom, to whom, into which folder."""

    count: int
    sources: tuple[CopySide, ...]
    target: CopySide
    folder: str


def _question(plan: CopyPlan) -> CopyQuestion:
    sources = tuple(CopySide(side.organization, side.email) for side in plan.sources)
    target = CopySide(plan.target.organization, plan.target.email)
    return CopyQuestion(plan.count, sources, target, plan.folder)


class SessionMailCopy(QObject):
    """Every signal fires on the GUI thread."""

    confirm_needed = Signal(object, object, object)  # the rows, the MailView, a CopyQuestion
    copied = Signal(int, object)  # how many, the MailView they went to
    failed = Signal(str)  # a sentence for the person

    def __init__(
        self,
        workspace: Workspace,
        *,
        recount: Callable[[], None],
        resync: Callable[[], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._workspace = workspace
        self._recount = recount
        self._resync = resync
        self._tasks = Workers(self)

    def offer(self, rows: Sequence[InboxRow], view: MailView) -> None:
        """Check a copy of ``rows`` into ``view`` (another profile's folder), then ask."""
        target, folder = view.profile_id, view.folder
        if not rows or target is None or folder is None:
            return
        ids, workspace, chosen = _ids(rows), self._workspace, tuple(rows)
        self._tasks.submit(
            lambda: workspace.copy_plan(ids, target, folder),
            lambda plan: self.confirm_needed.emit(chosen, view, _question(plan)),
            self._failure(self.tr("Could not copy the messages: {reason}")),
        )

    def copy(self, rows: Sequence[InboxRow], view: MailView) -> None:
        """The person said yes to :attr:`confirm_needed`: the copies are made."""
        target, folder = view.profile_id, view.folder
        if not rows or target is None or folder is None:
            return
        ids, workspace = _ids(rows), self._workspace

        def done(count: int) -> None:
            self.copied.emit(count, view)
            self._recount()
            self._resync()

        self._tasks.submit(
            lambda: workspace.copy_messages(ids, target, folder).changed,
            done,
            self._failure(self.tr("Could not copy the messages: {reason}")),
        )

    def _failure(self, sentence: str) -> Callable[[Exception], None]:
        """Said once; the lists stay as they are, since a refused copy changed nothing."""

        def failed(error: Exception) -> None:
            self.failed.emit(sentence.format(reason=describe(error).summary))

        return failed


def _ids(rows: Sequence[InboxRow]) -> tuple[int, ...]:
    return tuple(dict.fromkeys(row.id for row in rows))
