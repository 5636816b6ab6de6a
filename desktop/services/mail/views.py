"""A :class:`~desktop.core.mail_views.MailView` as the store's folder names, one arm per folder.

The message list reads each arm from its own range of an index that starts with the profile and
the folder (migration 0119), and merges the arms, so that the first page of the unified Sent
costs what the first page of one folder costs, whatever else the mailboxes hold. Folder names
come from the ``folders`` table by role, never from guessing; a profile without a folder of
that role (never synced, or the server has none) simply adds no arm. Imported mail has no
server folder and counts as Inbox.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, or_, select, true
from sqlalchemy.orm import Session

from desktop.core.folders import FolderRole
from desktop.core.mail_views import FLAGGED_EXCLUDES, MailView
from desktop.services.authorization import internal
from desktop.store.models import Folder, Message
from desktop.store.models.mail import IMPORTED_FOLDER

NO_FOLDER = ""
"""Stands for a role a profile has no folder for: no folder is named with nothing."""


@dataclass(frozen=True, slots=True)
class Arm:
    """One range of the list: a folder of a profile, or (``flagged``) a profile's flagged mail
    outside its Trash and Junk (``excluded``)."""

    profile_id: int
    folder: str = NO_FOLDER
    excluded: tuple[str, str] = (NO_FOLDER, NO_FOLDER)


@internal("the queries behind Mailbox, which checks the role and ownership first")
def view_arms(session: Session, view: MailView, profile_ids: Collection[int]) -> list[Arm]:
    """The arms of ``view`` over ``profile_ids`` (the caller's own profiles), in profile order."""
    if view.role is None:
        if view.profile_id is not None and view.profile_id in profile_ids and view.folder:
            return [Arm(view.profile_id, view.folder)]
        return []
    wanted = FLAGGED_EXCLUDES if view.role is FolderRole.FLAGGED else (view.role,)
    named: dict[tuple[int, str], str] = {
        (profile_id, role): name
        for profile_id, name, role in session.execute(
            select(Folder.profile_id, Folder.name, Folder.role).where(
                Folder.profile_id.in_(list(profile_ids)),
                Folder.role.in_([role.value for role in wanted]),
            )
        )
    }
    arms: list[Arm] = []
    for profile_id in sorted(profile_ids):
        if view.role is FolderRole.FLAGGED:
            trash, junk = (named.get((profile_id, role), NO_FOLDER) for role in FLAGGED_EXCLUDES)
            arms.append(Arm(profile_id, excluded=(trash, junk)))
        elif view.role is FolderRole.INBOX:
            arms.append(Arm(profile_id, named.get((profile_id, FolderRole.INBOX), "INBOX")))
            arms.append(Arm(profile_id, IMPORTED_FOLDER))
        elif (profile_id, view.role) in named:
            arms.append(Arm(profile_id, named[(profile_id, view.role)]))
    return arms


def arm_condition(i: int, flagged: bool) -> ColumnElement[bool]:
    """The rows of arm ``i``, as bound parameters (see :func:`arm_params`)."""
    mine = Message.profile_id == bindparam(f"profile_{i}")
    if not flagged:
        return and_(mine, Message.folder == bindparam(f"folder_{i}"))
    # "flagged = 1" as the partial index of migration 0119 says it, or SQLite would not use it.
    return and_(
        mine,
        Message.flagged == true(),
        Message.folder.not_in([bindparam(f"trash_{i}"), bindparam(f"junk_{i}")]),
    )


def in_arms(count: int, flagged: bool) -> ColumnElement[bool]:
    return or_(*(arm_condition(i, flagged) for i in range(count)))


def arm_params(arms: list[Arm]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for i, arm in enumerate(arms):
        params[f"profile_{i}"] = arm.profile_id
        params[f"folder_{i}"] = arm.folder
        params[f"trash_{i}"], params[f"junk_{i}"] = arm.excluded
    return params


def is_flagged(view: MailView) -> bool:
    return view.role is FolderRole.FLAGGED
