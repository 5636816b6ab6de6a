"""Messages sent to another profile's folder (from the move picker, or dropped on the folder
pane): the session checks the copy, the person answers the question, then the session copies.

Kept apart from the Message menu, which only hands over the messages and the folder.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMessageBox, QWidget

from desktop.core.mail_views import MailView
from desktop.gui.mainwindow.copy_question import ask_copy
from desktop.gui.session.mail_copy import CopyQuestion
from desktop.gui.session.records import InboxRow
from desktop.gui.session.session import Session


def is_copy(rows: Sequence[InboxRow], target: object) -> bool:
    """Whether ``target`` is a folder of a profile none of ``rows`` belongs to (one source)."""
    profiles = {row.profile_id for row in rows}
    return (
        isinstance(target, MailView)
        and target.profile_id is not None
        and target.folder is not None
        and len(profiles) == 1
        and target.profile_id not in profiles
    )


class CopyFlow(QObject):
    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window
        self._session: Session | None = None
        self.confirmation: QMessageBox | None = None

    def attach(self, session: Session) -> None:
        self._session = session
        session.mail_copy.confirm_needed.connect(self._ask)

    def detach(self) -> None:
        self._session = None

    def offer(self, rows: Sequence[InboxRow], view: MailView) -> None:
        if self._session is not None:
            self._session.mail_copy.offer(rows, view)

    def _ask(self, rows: Sequence[InboxRow], view: MailView, question: CopyQuestion) -> None:
        session = self._session
        if session is None:
            return

        def answered(yes: bool) -> None:
            self.confirmation = None
            if yes and self._session is session:
                session.mail_copy.copy(rows, view)

        self.confirmation = ask_copy(self._window, question, answered)
