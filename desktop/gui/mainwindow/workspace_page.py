"""The working area of a signed-in user: profile sidebar, unified inbox and reader side by side."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QSplitter, QVBoxLayout, QWidget

from desktop.gui.inbox.model import InboxModel
from desktop.gui.inbox.view import InboxView
from desktop.gui.mainwindow.sidebar import ProfileSidebar
from desktop.gui.reader.pane import ReaderPane
from desktop.gui.session.viewdata import ProfileCard
from desktop.gui.session.workers import Workers
from desktop.gui.session.workspace import Workspace
from desktop.services.failures import describe
from desktop.services.mail.inbox import OpenedMessage


class WorkspacePage(QWidget):
    """Opens the selected message in the background: shown and marked read in one call.

    The unread counts follow from what the open says (``unread_changed``: profile id, change),
    never from counting the store again; a full count is only made when profiles are loaded,
    after a sync and after an import.
    """

    message_shown = Signal(int)
    unread_changed = Signal(int, int)
    failed = Signal(str)

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._workspace = workspace
        self._workers = Workers(self)
        self._profiles: dict[int, ProfileCard] = {}
        self._wanted: int | None = None

        self.sidebar = ProfileSidebar()
        self.inbox_model = InboxModel(
            workspace.inbox_page, parent=self, count_matches=workspace.inbox_count
        )
        self.inbox = InboxView(self.inbox_model)
        self.reader = ReaderPane(workspace.attachment_content, workspace.remote_content)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.sidebar)
        self.splitter.addWidget(self.inbox)
        self.splitter.addWidget(self.reader)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setStretchFactor(2, 4)
        self.splitter.setSizes([250, 650, 500])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)

        self.sidebar.scope_changed.connect(self._scope_changed)
        self.inbox.message_selected.connect(lambda message_id, _pid: self.show_message(message_id))
        self.inbox.open_requested.connect(lambda _id: self.reader.browser.setFocus())
        self.setTabOrder(self.sidebar, self.inbox.search)
        self.setTabOrder(self.inbox.search, self.inbox.table)
        self.setTabOrder(self.inbox.table, self.reader.browser)

    def set_profiles(self, profiles: Sequence[ProfileCard]) -> None:
        first_time = not self._profiles
        self._profiles = {p.id: p for p in profiles}
        self.inbox_model.set_profiles(self._profiles)
        if first_time:
            self.sidebar.set_profiles(profiles)
        else:
            self.sidebar.profiles.update_profiles(profiles)

    def _scope_changed(self, profile_ids: frozenset[int] | None, description: str) -> None:
        self.inbox.set_scope(profile_ids, description)
        shown = self.reader.message
        if shown is not None and profile_ids is not None and shown.profile_id not in profile_ids:
            self.reader.clear()

    def show_message(self, message_id: int) -> None:
        """Only the last message asked for is shown; every open still counts (each marked one
        read in the store, so each must lower the count it was in)."""
        self._wanted = message_id
        workspace = self._workspace
        self._workers.submit(
            lambda: workspace.open_message(message_id), self._on_message, self._on_error
        )

    def _on_message(self, opened: OpenedMessage) -> None:
        message = opened.message
        if message.id == self._wanted:
            self._wanted = None
            self.reader.show_message(message, self._profiles.get(message.profile_id))
            self.message_shown.emit(message.id)
        if not opened.newly_seen:
            return
        self.inbox_model.set_seen(message.id)
        self.unread_changed.emit(message.profile_id, -1)
        workspace = self._workspace
        self._workers.submit(lambda: workspace.push_flags(message), _ignore, self._on_error)

    def _on_error(self, error: Exception) -> None:
        reason = describe(error).summary
        self.failed.emit(self.tr("Could not open the message: {reason}").format(reason=reason))


def _ignore(_result: object) -> None:
    """Nothing to show when a flag push ends: a failed push is left for the next sync."""
