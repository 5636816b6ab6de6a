"""The folder tree of the signed-in session: the unified views' and every folder's unread counts.

One copy, here, reloaded off the GUI thread whenever mail changes or a profile comes or goes (a
sync also brings the server's new, renamed and deleted folders); reading a message moves one
folder's count and its unified view's by one (:meth:`SessionFolders.adjust`) instead of counting
the store again. The sidebar's folder pane only follows :attr:`SessionFolders.changed`. The
records are the window's own, so that no widget needs the mail service's types.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace

from PySide6.QtCore import QObject, Signal

from desktop.core.folders import FolderRole
from desktop.core.mail_views import FLAGGED_EXCLUDES, MailView
from desktop.gui.session.viewdata import ProfileCard
from desktop.gui.session.workers import Workers
from desktop.gui.session.workspace import Workspace
from desktop.services.failures import describe
from desktop.services.mail.folder_tree import ProfileFolders, unified_unread
from desktop.store.models.mail import IMPORTED_FOLDER

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
        self._profiles: tuple[tuple[int, str], ...] | None = None
        self._loading: int | None = None

    def follow_profiles(self, profiles: Sequence[ProfileCard]) -> None:
        """Reloads when a profile came, went or changed its address; not for a count's change."""
        known = tuple((profile.id, profile.email) for profile in profiles)
        if known != self._profiles:
            self._profiles = known
            self.refresh()

    def adjust(self, profile_id: int, folder: str, change: int, flagged: bool) -> None:
        """One message of ``folder`` was read (-1) or marked unread (+1): its counts follow."""
        tree = self.tree
        if tree is None:
            return
        role: FolderRole | None = None
        cards = []
        for profile in tree.profiles:
            folders = []
            for card in profile.folders:
                if profile.profile_id == profile_id and card.view.folder == folder:
                    role = FolderRole.INBOX if folder == IMPORTED_FOLDER else card.role
                    folders.append(replace(card, unread=max(0, card.unread + change)))
                else:
                    folders.append(card)
            cards.append(replace(profile, folders=tuple(folders)))
        if role is None:
            return
        unified = tuple(
            (view, max(0, unread + change) if _counts_in(view, role, flagged) else unread)
            for view, unread in tree.unified
        )
        self._apply(FolderTree(unified, tuple(cards)))

    def refresh(self) -> None:
        """Reloads the tree and its counts (one query); a failure leaves the last tree shown.

        Only the newest load is shown: loads run side by side on the shared pool, and one read
        before a sync stored a folder could otherwise land after one read since, and hide it.
        """
        if self._loading is not None:
            self._tasks.forget(self._loading)
        workspace = self._workspace
        self._loading = self._tasks.submit(
            lambda: _cards(workspace.folder_tree()),
            self._loaded,
            self._not_loaded,
        )

    def _loaded(self, tree: FolderTree) -> None:
        self._loading = None
        self._apply(tree)

    def _not_loaded(self, error: Exception) -> None:
        self._loading = None
        log.warning("folder list not loaded: %s", describe(error).summary)

    def _apply(self, tree: FolderTree) -> None:
        self.tree = tree
        self.changed.emit(tree)


def _counts_in(view: MailView, role: FolderRole, flagged: bool) -> bool:
    if view.role is FolderRole.FLAGGED:
        return flagged and role not in FLAGGED_EXCLUDES
    return view.role is role


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
