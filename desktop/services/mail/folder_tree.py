"""Each profile's folders with their message counts, for the sidebar and ``switchboard folders``.

The counts are one grouped pass over the user's mail (not one count per folder, which on a
server with a hundred folders would be a hundred queries every time the sidebar refreshes); the
folder list itself is the small ``folders`` table the last sync wrote. Imported mail has no
server folder, so it appears as a folder of its own, and the unified Inbox counts it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import false, func, literal, select, true, union_all
from sqlalchemy.orm import Session

from desktop.core.folders import FolderRole
from desktop.core.mail_views import FLAGGED_EXCLUDES, UNIFIED_ROLES
from desktop.services.authorization import internal
from desktop.store.models import Folder, Message, Profile
from desktop.store.models.mail import IMPORTED_FOLDER


@dataclass(frozen=True, slots=True)
class FolderCount:
    name: str
    delimiter: str | None
    role: FolderRole
    subscribed: bool
    selectable: bool
    total: int
    unread: int
    flagged_unread: int

    @property
    def path(self) -> tuple[str, ...]:
        """The levels of the name, root first ("Work/Clinic" is inside "Work")."""
        return tuple(self.name.split(self.delimiter)) if self.delimiter else (self.name,)


@dataclass(frozen=True, slots=True)
class ProfileFolders:
    profile_id: int
    email: str
    folders: tuple[FolderCount, ...]
    """INBOX first, then by name, so that a folder comes right before what it holds."""


@internal("the query behind Mailbox.folder_tree, which checks the role first")
def folder_tree(session: Session, user_id: int) -> list[ProfileFolders]:
    """Every profile of the user with its folders and their counts, in profile order."""
    profiles: dict[int, str] = dict(
        session.execute(
            select(Profile.id, Profile.email).where(Profile.user_id == user_id).order_by(Profile.id)
        ).all()
    )
    if not profiles:
        return []
    counts = _counts(session, list(profiles))
    rows: dict[int, list[FolderCount]] = {profile_id: [] for profile_id in profiles}
    for folder in session.scalars(select(Folder).where(Folder.profile_id.in_(list(profiles)))):
        total, unseen, starred = counts.pop((folder.profile_id, folder.name), [0, 0, 0])
        rows[folder.profile_id].append(
            FolderCount(
                name=folder.name,
                delimiter=folder.delimiter,
                role=FolderRole(folder.role),
                subscribed=folder.subscribed,
                selectable=folder.selectable,
                total=total,
                unread=unseen,
                flagged_unread=starred,
            )
        )
    for (profile_id, name), (total, unseen, starred) in counts.items():
        if name == IMPORTED_FOLDER:
            rows[profile_id].append(
                FolderCount(name, None, FolderRole.PLAIN, True, True, total, unseen, starred)
            )
    return [
        ProfileFolders(profile_id, email, tuple(sorted(rows[profile_id], key=_order)))
        for profile_id, email in profiles.items()
    ]


def _counts(session: Session, profile_ids: list[int]) -> dict[tuple[int, str], list[int]]:
    """(profile, folder) -> [total, unread, flagged unread], in one statement of three passes.

    Each pass reads its own index (every row's folder; the unread rows; the flagged rows), so
    unread and flagged are counted over the few rows they are, not over the whole mailbox.
    """
    mine = Message.profile_id.in_(profile_ids)
    passes = [
        select(literal(kind), Message.profile_id, Message.folder, func.count())
        .where(mine, *condition)
        .group_by(Message.profile_id, Message.folder)
        for kind, condition in enumerate(
            [(), (Message.seen == false(),), (Message.flagged == true(), Message.seen == false())]
        )
    ]
    counts: dict[tuple[int, str], list[int]] = {}
    for kind, profile_id, folder, number in session.execute(union_all(*passes)):
        counts.setdefault((profile_id, folder), [0, 0, 0])[kind] = int(number)
    return counts


def unified_unread(profiles: Iterable[ProfileFolders]) -> dict[FolderRole, int]:
    """The unread count of each unified view, from the folder counts (no second query)."""
    totals = dict.fromkeys(UNIFIED_ROLES, 0)
    for profile in profiles:
        for folder in profile.folders:
            role = FolderRole.INBOX if folder.name == IMPORTED_FOLDER else folder.role
            if role in totals and role is not FolderRole.FLAGGED:
                totals[role] += folder.unread
            if role not in FLAGGED_EXCLUDES:
                totals[FolderRole.FLAGGED] += folder.flagged_unread
    return totals


def _order(folder: FolderCount) -> tuple[bool, tuple[str, ...]]:
    return (folder.role is not FolderRole.INBOX, tuple(level.casefold() for level in folder.path))
