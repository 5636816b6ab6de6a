"""Message > New, Reply, Reply all, Forward and Drafts: what opens compose windows, and what
becomes of them when the person locks the app or signs out.

Replies and forwards take the message shown in the reader. Behind the lock screen the windows
go out of sight (they hold names and patient text) and come back after sign-in; signing out
closes them, each keeping its draft.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction

from desktop.core.compose.mailto import MailtoRequest
from desktop.gui.compose.links import drafted_from, link_note
from desktop.gui.compose.window import ComposeWindow, Prepare
from desktop.gui.mainwindow.window import MainWindow
from desktop.gui.session.records import Draft, DraftSummary
from desktop.gui.session.session import Session
from desktop.gui.session.workspace import Workspace


class ComposeOpener(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        self.windows: list[ComposeWindow] = []
        self._hidden: list[ComposeWindow] = []
        window.compose_action.triggered.connect(self.new_message)
        window.reply_action.triggered.connect(lambda: self._answer(reply_all=False))
        window.reply_all_action.triggered.connect(lambda: self._answer(reply_all=True))
        window.forward_action.triggered.connect(lambda: self._forward(as_attachment=False))
        window.forward_attached_action.triggered.connect(lambda: self._forward(as_attachment=True))
        window.outbox_action.triggered.connect(self._show_outbox)
        window.drafts_menu.aboutToShow.connect(self._list_drafts)

    def new_message(self) -> None:
        session = self._window.session
        active = session.active if session is not None else None
        profile_id = active.id if active is not None else None
        self.open(lambda workspace: workspace.new_message(profile_id))

    def open_link(self, request: MailtoRequest) -> ComposeWindow | None:
        """A ``mailto:`` link's message, from the active profile, saying why that one."""
        session = self._window.session
        active = session.active if session is not None else None
        profile_id = active.id if active is not None else None

        def prepare(workspace: Workspace) -> Draft:
            return drafted_from(workspace.new_message(profile_id), request)

        compose = self.open(prepare)
        if compose is not None:
            sender = active.label if active is not None else None
            compose.show_note(link_note(request, sender, compose.sender_picker.profiles.count()))
        return compose

    def open(self, prepare: Prepare) -> ComposeWindow | None:
        session = self._window.session
        if session is None:
            return None
        compose = ComposeWindow(session, prepare, self._window)
        compose.destroyed.connect(lambda _obj=None, c=compose: self._forget(c))
        self.windows.append(compose)
        compose.show()
        return compose

    def hide_all(self) -> None:
        self._hidden = [w for w in self.windows if w.isVisible()]
        for compose in self._hidden:
            compose.hide()

    def show_again(self) -> None:
        for compose in self._hidden:
            compose.show()
        self._hidden = []

    def close_all(self) -> None:
        for compose in list(self.windows):
            compose.close()
        self._hidden = []

    def _forget(self, compose: ComposeWindow) -> None:
        if compose in self.windows:
            self.windows.remove(compose)

    def _shown_message(self) -> int | None:
        page = self._window.workspace_page
        message = page.reader.message if page is not None else None
        if message is None:
            self._window.statusBar().showMessage(
                self.tr("Choose a message in the list first."), 5000
            )
            return None
        return message.id

    def _answer(self, *, reply_all: bool) -> None:
        message_id = self._shown_message()
        if message_id is not None:
            self.open(lambda workspace: workspace.reply(message_id, reply_all=reply_all))

    def _forward(self, *, as_attachment: bool) -> None:
        message_id = self._shown_message()
        if message_id is not None:
            self.open(lambda workspace: workspace.forward(message_id, as_attachment=as_attachment))

    def _show_outbox(self) -> None:
        page = self._window.workspace_page
        if page is not None:
            page.show_outbox()

    def _list_drafts(self) -> None:
        session = self._window.session
        if session is None:
            return
        workspace = session.workspace
        session.run(
            self,
            lambda: list(workspace.list_drafts()),
            lambda drafts: self._show_drafts(session, drafts),
            self.tr("Could not list the drafts: {reason}"),
        )

    def _show_drafts(self, session: Session, drafts: list[DraftSummary]) -> None:
        menu = self._window.drafts_menu
        menu.clear()
        if not drafts:
            empty = menu.addAction(self.tr("No drafts"))
            empty.setEnabled(False)
            return
        for summary in drafts:
            profile = session.profile(summary.profile_id)
            where = profile.organization if profile is not None else summary.profile_email
            subject = summary.subject or self.tr("(no subject)")
            action: QAction = menu.addAction(f"{subject} — {where}")
            action.triggered.connect(
                lambda _c=False, key=summary.key: self.open(
                    lambda workspace: workspace.open_draft(key)
                )
            )
