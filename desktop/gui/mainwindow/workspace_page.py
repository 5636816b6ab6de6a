"""The working area of a signed-in user: profile sidebar, unified inbox and reader.

The reader sits beside the list or below it (the person's choice, View > Reader): beside suits
wide screens, below gives a narrow window's list its whole width for the subjects.

Everything here follows the session's signals: the sidebar and the list's profile marks show the
session's profiles, and the list reloads when the session says mail changed (a sync or an import).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QSplitter, QVBoxLayout, QWidget

from desktop.gui.inbox.model import InboxModel
from desktop.gui.inbox.view import InboxView
from desktop.gui.mainwindow.folder_pane import FolderPane
from desktop.gui.mainwindow.sidebar import ProfileSidebar
from desktop.gui.outbox.button import OutboxButton
from desktop.gui.outbox.dialog import OutboxDialog
from desktop.gui.reader.pane import ReaderPane
from desktop.gui.reader.read_timer import ReadTimer
from desktop.gui.session.records import OpenedMessage, describe
from desktop.gui.session.session import Session
from desktop.gui.session.viewdata import ProfileCard


class WorkspacePage(QWidget):
    """Opens the selected message in the background; it is marked read once it stayed open.

    How long is the user's choice (``read_timer``); with "immediately" the open marks it in the
    same call. The unread counts follow from what the open or the mark says (the session moves
    one profile's count), never from counting the store again; a full count is only made when
    profiles are loaded, after a sync and after an import.
    """

    message_shown = Signal(int)

    def __init__(self, session: Session, muted: set[int], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        workspace = session.workspace
        self._listed = False
        self._wanted: int | None = None
        self.read_timer = ReadTimer(workspace.mark_seen, parent=self)
        self.read_timer.marked.connect(self._marked)
        self.read_timer.failed.connect(self._mark_failed)

        self.sidebar = ProfileSidebar()
        self.sidebar.profiles.set_muted(muted)
        self.folder_pane = FolderPane()
        self.inbox_model = InboxModel(
            workspace.inbox_page, parent=self, count_matches=workspace.inbox_count
        )
        self.inbox = InboxView(self.inbox_model)
        self.reader = ReaderPane(workspace.attachment_content, workspace.remote_content)
        self.mail_splitter = QSplitter(Qt.Orientation.Horizontal)
        self.mail_splitter.setObjectName("mailSplitter")
        self.mail_splitter.setChildrenCollapsible(False)
        self.mail_splitter.addWidget(self.inbox)
        self.mail_splitter.addWidget(self.reader)
        self.mail_splitter.setStretchFactor(0, 3)
        self.mail_splitter.setStretchFactor(1, 4)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.outbox_button = OutboxButton(session.outbox)
        self.outbox_button.clicked.connect(self.show_outbox)
        self.outbox_dialog: OutboxDialog | None = None
        self.splitter.addWidget(self._left_panel())
        self.splitter.addWidget(self.mail_splitter)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([250, 1150])
        self.set_reader_below(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)

        self.sidebar.scope_changed.connect(self._scope_changed)
        # The sidebar already shows its choice; selecting again would undo a Ctrl+click.
        self.sidebar.profile_activated.connect(session.activate)
        self.sidebar.sync_requested.connect(session.sync)
        session.profiles_changed.connect(self.set_profiles)
        session.mail_changed.connect(self.inbox_model.reload)
        session.folders.changed.connect(self.folder_pane.set_tree)
        self.folder_pane.view_chosen.connect(self.inbox.set_view)
        self.inbox.message_selected.connect(lambda message_id, _pid: self.show_message(message_id))
        self.inbox.open_requested.connect(lambda _id: self.reader.browser.setFocus())
        self.setTabOrder(self.sidebar, self.folder_pane)
        self.setTabOrder(self.folder_pane, self.inbox.search)
        self.setTabOrder(self.inbox.search, self.inbox.table)
        self.setTabOrder(self.inbox.table, self.reader.browser)
        self.inbox_model.reload()

    def _left_panel(self) -> QWidget:
        """The profiles, their folders, and under them the outbox while something has not left."""
        panel = QWidget()
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.sidebar, 1)
        layout.addWidget(self.folder_pane, 1)
        layout.addWidget(self.outbox_button)
        return panel

    def show_outbox(self) -> None:
        """One outbox dialog at a time; asking again brings it forward."""
        dialog = self.outbox_dialog
        if dialog is not None and dialog.isVisible():
            dialog.raise_()
            dialog.activateWindow()
            return
        if dialog is None:
            dialog = self.outbox_dialog = OutboxDialog(self._session, self)
        dialog.show()

    @property
    def reader_below(self) -> bool:
        return self.mail_splitter.orientation() is Qt.Orientation.Vertical

    def set_reader_below(self, below: bool) -> None:
        """Below, the list keeps a little under half the height; beside, over half the width."""
        orientation = Qt.Orientation.Vertical if below else Qt.Orientation.Horizontal
        self.mail_splitter.setOrientation(orientation)
        self.mail_splitter.setSizes([450, 550] if below else [650, 500])

    def set_profiles(self, profiles: Sequence[ProfileCard]) -> None:
        self.inbox_model.set_profiles({p.id: p for p in profiles})
        if not self._listed:
            self._listed = True
            self.sidebar.set_profiles(profiles)
            self.sidebar.show_all()
        else:
            self.sidebar.profiles.update_profiles(profiles)

    def _scope_changed(self, profile_ids: frozenset[int] | None, description: str) -> None:
        self.inbox.set_scope(profile_ids, description)
        shown = self.reader.message
        if shown is not None and profile_ids is not None and shown.profile_id not in profile_ids:
            self.reader.clear()
            self.read_timer.clear()

    def show_message(self, message_id: int) -> None:
        """Only the last message asked for is shown; every open still counts (each marked one
        read in the store, so each must lower the count it was in)."""
        self._wanted = message_id
        self.read_timer.choose(message_id)
        workspace = self._session.workspace
        marking = self.read_timer.marks_on_open
        opening = workspace.open_message if marking else workspace.preview_message
        self._session.run(
            self,
            lambda: opening(message_id),
            self._on_message,
            self.tr("Could not open the message: {reason}"),
        )

    def _on_message(self, opened: OpenedMessage) -> None:
        message = opened.message
        if message.id == self._wanted:
            self._wanted = None
            self.reader.show_message(message, self._session.profile(message.profile_id))
            self.read_timer.shown(message.id, message.seen)
            self.message_shown.emit(message.id)
        if not opened.newly_seen:
            return
        self.inbox_model.set_seen(message.id)
        self._session.adjust_unread(message.profile_id, -1, message.folder, message.flagged)
        workspace = self._session.workspace
        self._session.run(
            self,
            lambda: workspace.push_flags(message),
            _ignore,
            self.tr("Could not tell the server that the message was read: {reason}"),
        )

    def _marked(self, message_id: int, profile_id: int, seen: bool) -> None:
        """After the delay or by hand; ``Workspace.mark_seen`` has told the server already."""
        self.inbox_model.set_seen(message_id, seen)
        shown = self.reader.message
        where = shown if shown is not None and shown.id == message_id else None
        self._session.adjust_unread(
            profile_id,
            -1 if seen else 1,
            where.folder if where is not None else None,
            where is not None and where.flagged,
        )

    def _mark_failed(self, seen: bool, error: Exception) -> None:
        reason = describe(error).summary
        text = (
            self.tr("Could not mark the message as read: {reason}")
            if seen
            else self.tr("Could not mark the message as unread: {reason}")
        )
        self._session.report(text.format(reason=reason))


def _ignore(_result: object) -> None:
    """Nothing to show when a flag push ends: a failed push is left for the next sync."""
