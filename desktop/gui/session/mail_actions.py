"""Delete, archive, move, flag and mark read as the window asks for them: on a worker, then signals.

The store changes first (one transaction per action, behind the services' MailActions), then the
lists hear of it here: :attr:`SessionMailActions.moved` takes the rows out of the list they were
in, :attr:`SessionMailActions.flags_changed` repaints them, and the folder and profile counts are
read again (one query each, off the GUI thread). Each profile's queue tells its server
afterwards, now or when the connection is back, so nothing here waits for the network. A failure
is said once, on the session's error channel, and the lists are read again from the store, so
what the window shows is what the store holds.

Widgets ask the person before anything is destroyed: :attr:`SessionMailActions.confirm_needed`
says how many messages a delete would remove for good, and only :meth:`delete_for_good` does so.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from PySide6.QtCore import QObject, Signal

from desktop.core.folders import FolderRole
from desktop.core.mail_views import MailView
from desktop.gui.session.folders import SessionFolders
from desktop.gui.session.workers import Workers
from desktop.gui.session.workspace import Workspace
from desktop.services.failures import describe
from desktop.services.mail.actions import ActionResult
from desktop.services.mail.inbox import InboxRow

T = TypeVar("T")

BY_ROLE = (FolderRole.ARCHIVE, FolderRole.TRASH)
"""The folders every profile has by role: the only places a selection over profiles can go."""


class Undoable(StrEnum):
    """What Ctrl+Z would take back; the Edit menu names it."""

    NOTHING = ""
    MOVE = "move"
    ARCHIVE = "archive"
    DELETE = "delete"


@dataclass(frozen=True, slots=True)
class Destination:
    """Where moved messages went: a role (each profile's own folder) or one folder by name."""

    role: FolderRole | None
    folder: str | None = None


class SessionMailActions(QObject):
    """Every signal fires on the GUI thread."""

    moved = Signal(object, object)  # frozenset[int] message ids, Destination
    deleted = Signal(object)  # frozenset[int]: gone for good
    flags_changed = Signal(object, object, object)  # frozenset[int], seen | None, flagged | None
    undo_changed = Signal(str)  # an Undoable
    confirm_needed = Signal(object, int)  # the rows, how many a delete would destroy
    failed = Signal(str)  # a sentence for the person

    def __init__(
        self,
        workspace: Workspace,
        folders: SessionFolders,
        *,
        recount: Callable[[], None],
        resync: Callable[[], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._workspace = workspace
        self._folders = folders
        self._recount = recount
        self._resync = resync
        self._tasks = Workers(self)
        self.undoable = Undoable.NOTHING

    # Moves

    def move(self, rows: Sequence[InboxRow], view: MailView) -> None:
        """To one folder of the pane: within each message's own profile, never across."""
        if not rows or view.folder is None or view.profile_id is None:
            return
        profiles = {row.profile_id for row in rows}
        role = self.folder_role(view.profile_id, view.folder)
        if len(profiles) > 1:
            if role in BY_ROLE:
                self.move_to_role(rows, role)
            else:
                self.failed.emit(
                    self.tr(
                        "These messages belong to {n} profiles, and the folder {folder} to one "
                        "of them. Choose one profile's messages to move them there, or archive "
                        "or delete them."
                    ).format(n=len(profiles), folder=view.title)
                )
            return
        if view.profile_id not in profiles:
            self.failed.emit(
                self.tr(
                    "The folder {folder} belongs to another profile, and a message can only be "
                    "moved within its own profile. Nothing was moved."
                ).format(folder=view.title)
            )
            return
        folder, workspace = view.folder, self._workspace
        ids = _ids(rows)
        self._run(
            lambda: workspace.move_messages(ids, folder),
            lambda result: self._moved(ids, result, Destination(role, folder), Undoable.MOVE),
            self.tr("Could not move the messages: {reason}"),
        )

    def move_to_role(self, rows: Sequence[InboxRow], role: FolderRole) -> None:
        """Each message to its own profile's Archive or Trash."""
        if role is FolderRole.TRASH:
            self.delete(rows)
        elif role is FolderRole.ARCHIVE:
            self.archive(rows)

    def archive(self, rows: Sequence[InboxRow]) -> None:
        if not rows:
            return
        ids, workspace = _ids(rows), self._workspace
        self._run(
            lambda: workspace.archive_messages(ids),
            lambda result: self._moved(
                ids, result, Destination(FolderRole.ARCHIVE), Undoable.ARCHIVE
            ),
            self.tr("Could not archive the messages: {reason}"),
        )

    # Deleting

    def delete(self, rows: Sequence[InboxRow]) -> None:
        """To the Trash; mail already there waits for :meth:`delete_for_good` (asked first)."""
        if not rows:
            return
        ids, workspace = _ids(rows), self._workspace

        def call() -> tuple[int, ActionResult | None]:
            doomed = workspace.permanent_count(ids)
            if doomed:
                return doomed, None
            return 0, workspace.delete_messages(ids, permanent=False)

        def done(outcome: tuple[int, ActionResult | None]) -> None:
            doomed, result = outcome
            if result is None:
                self.confirm_needed.emit(tuple(rows), doomed)
            else:
                self._moved(ids, result, Destination(FolderRole.TRASH), Undoable.DELETE)

        self._run(call, done, self.tr("Could not delete the messages: {reason}"))

    def delete_confirmed(self, rows: Sequence[InboxRow]) -> None:
        """The person said yes to :attr:`confirm_needed`: what is in the Trash goes for good,
        the rest of ``rows`` to the Trash (the question said so)."""
        if not rows:
            return
        ids, workspace = _ids(rows), self._workspace

        def done(result: ActionResult) -> None:
            self.deleted.emit(frozenset(ids))
            self._set_undoable(Undoable.DELETE if result.undoable else Undoable.NOTHING)
            self._recount()

        self._run(
            lambda: workspace.delete_messages(ids, permanent=True),
            done,
            self.tr("Could not delete the messages: {reason}"),
        )

    def delete_for_good(self, rows: Sequence[InboxRow]) -> None:
        """The person said yes: every one of ``rows`` is destroyed, here and on its server.

        Mail outside the Trash goes through it (the services destroy only what lies there), so
        the server sees each message moved to the Trash and then expunged from it.
        """
        if not rows:
            return
        ids, workspace = _ids(rows), self._workspace

        def call() -> None:
            in_trash = workspace.permanent_count(ids)
            if in_trash == len(ids):
                workspace.delete_messages(ids, permanent=True)
                return
            if in_trash:  # a mixed selection (a unified view): sort it one by one
                trashed = {i for i in ids if workspace.permanent_count([i])}
                workspace.delete_messages(sorted(trashed), permanent=True)
                ids_left = [i for i in ids if i not in trashed]
            else:
                ids_left = list(ids)
            workspace.delete_messages(ids_left, permanent=False)
            workspace.delete_messages(ids_left, permanent=True)

        self._run(
            call,
            lambda _none: self._destroyed(ids),
            self.tr("Could not delete the messages: {reason}"),
        )

    # Flags

    def set_seen(self, rows: Sequence[InboxRow], seen: bool) -> None:
        self._flags(rows, seen=seen, flagged=None)

    def set_flagged(self, rows: Sequence[InboxRow], flagged: bool) -> None:
        self._flags(rows, seen=None, flagged=flagged)

    def _flags(self, rows: Sequence[InboxRow], *, seen: bool | None, flagged: bool | None) -> None:
        if not rows:
            return
        ids, workspace = _ids(rows), self._workspace
        failure = (
            self.tr("Could not flag the messages: {reason}")
            if flagged
            else self.tr("Could not remove the flag: {reason}")
            if flagged is not None
            else self.tr("Could not mark the messages as read: {reason}")
            if seen
            else self.tr("Could not mark the messages as unread: {reason}")
        )
        self._run(
            lambda: workspace.set_message_flags(ids, seen=seen, flagged=flagged),
            lambda _result: self._flagged(ids, seen, flagged),
            failure,
        )

    # Undo

    def undo(self) -> None:
        """Takes back the last move, archive or delete: the messages come back to their lists."""
        if self.undoable is Undoable.NOTHING:
            return
        workspace = self._workspace
        self._set_undoable(Undoable.NOTHING)
        self._run(
            workspace.undo_mail_action,
            lambda _result: self._resync(),
            self.tr("Could not undo the last action: {reason}"),
        )

    def folder_role(self, profile_id: int, folder: str) -> FolderRole | None:
        """The role of one profile's folder, as the folder tree shown last knows it."""
        tree = self._folders.tree
        if tree is None:
            return None
        for profile in tree.profiles:
            if profile.profile_id == profile_id:
                for card in profile.folders:
                    if card.view.folder == folder:
                        return card.role
        return None

    # Outcomes

    def _moved(
        self, ids: tuple[int, ...], result: ActionResult, where: Destination, kind: Undoable
    ) -> None:
        if result.changed:
            self.moved.emit(frozenset(ids), where)
            self._recount()
        if result.undoable:
            self._set_undoable(kind)

    def _destroyed(self, ids: tuple[int, ...]) -> None:
        self.deleted.emit(frozenset(ids))
        self._set_undoable(Undoable.NOTHING)  # what the Trash held last is gone for good
        self._recount()

    def _flagged(self, ids: tuple[int, ...], seen: bool | None, flagged: bool | None) -> None:
        self.flags_changed.emit(frozenset(ids), seen, flagged)
        self._recount()

    def _set_undoable(self, kind: Undoable) -> None:
        if kind is not self.undoable:
            self.undoable = kind
            self.undo_changed.emit(str(kind))

    def _run(self, call: Callable[[], T], on_done: Callable[[T], None], sentence: str) -> None:
        def failed(error: Exception) -> None:
            self.failed.emit(sentence.format(reason=describe(error).summary))
            self._resync()

        self._tasks.submit(call, on_done, failed)


def _ids(rows: Sequence[InboxRow]) -> tuple[int, ...]:
    return tuple(dict.fromkeys(row.id for row in rows))
