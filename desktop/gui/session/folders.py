"""The folder tree of the signed-in session: the unified views' and every folder's unread counts.

One copy, here, reloaded off the GUI thread whenever mail or the profiles change (a sync also
brings the server's new, renamed and deleted folders); the sidebar's folder pane only follows
:attr:`SessionFolders.changed`. The records are the window's own, so that no widget needs the
mail service's types.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from desktop.core.folders import FolderRole
from desktop.core.mail_views import MailView
from desktop.gui.session.workers import Workers
from desktop.gui.session.workspace import Workspace
from desktop.services.failures import describe
from desktop.services.mail.folder_tree import ProfileFolders, unified_unread

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class FolderCard:
    """One folder as the pane shows it: ``depth`` levels in, named by its last level."""

    view: MailView
    label: str
    depth: int
    role: FolderRole
    unread: int
    total: int


@dataclass(frozen=True, slots=True)
class ProfileFolderCards:
    profile_id: int
    email: str
    folders: tuple[FolderCard, ...]


@dataclass(frozen=True, slots=True)
class FolderTree:
    unified: tuple[tuple[MailView, int], ...]  # each unified view with its unread count
    profiles: tuple[ProfileFolderCards, ...]


class SessionFolders(QObject):
    changed = Signal(object)  # FolderTree

    def __init__(self, workspace: Workspace, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._workspace = workspace
        self._tasks = Workers(self)
        self.tree: FolderTree | None = None

    def refresh(self) -> None:
        """Reloads the tree and its counts (one query); a failure leaves the last tree shown."""
        workspace = self._workspace
        self._tasks.submit(
            lambda: _cards(workspace.folder_tree()),
            self._apply,
            lambda error: log.warning("folder list not loaded: %s", describe(error).summary),
        )

    def _apply(self, tree: FolderTree) -> None:
        self.tree = tree
        self.changed.emit(tree)


def _cards(profiles: list[ProfileFolders]) -> FolderTree:
    unified = tuple(
        (MailView(role=role), unread) for role, unread in unified_unread(profiles).items()
    )
    return FolderTree(
        unified,
        tuple(
            ProfileFolderCards(
                profile.profile_id,
                profile.email,
                tuple(
                    FolderCard(
                        MailView.of_folder(profile.profile_id, folder.name),
                        folder.path[-1],
                        len(folder.path) - 1,
                        folder.role,
                        folder.unread,
                        folder.total,
                    )
                    for folder in profile.folders
                ),
            )
            for profile in profiles
        ),
    )
