"""Which mail a list shows: one role's folders over every profile, or one folder of one profile.

The message list, the counts and the CLI's ``inbox --folder`` all name what they show with a
:class:`MailView`, so that "Sent" means each profile's own Sent folder (whatever the server calls
it) and one place decides what the unified Inbox and Flagged views hold. Pure: the store turns a
view into folder names per profile (``desktop.services.mail.views``).
"""

from __future__ import annotations

from dataclasses import dataclass

from desktop.core.folders import FolderRole

UNIFIED_ROLES = (
    FolderRole.INBOX,
    FolderRole.SENT,
    FolderRole.DRAFTS,
    FolderRole.ARCHIVE,
    FolderRole.TRASH,
    FolderRole.FLAGGED,
)
"""The unified views, in the order the sidebar lists them."""

FLAGGED_EXCLUDES = (FolderRole.TRASH, FolderRole.JUNK)
"""Flagged mail in these is mail the person threw away: the Flagged view leaves it out."""


@dataclass(frozen=True, slots=True)
class MailView:
    """``role`` over every profile, or (``profile_id``, ``folder``): one folder of one profile."""

    role: FolderRole | None = FolderRole.INBOX
    profile_id: int | None = None
    folder: str | None = None

    def __post_init__(self) -> None:
        one_folder = self.profile_id is not None and self.folder is not None
        if (self.role is None) != one_folder or (self.role is not None and self.folder):
            raise ValueError("a view is either a role or one folder of one profile")
        if self.role is not None and self.role not in UNIFIED_ROLES:
            raise ValueError(f"there is no unified view of the role {self.role!r}")

    @classmethod
    def of_folder(cls, profile_id: int, folder: str) -> MailView:
        return cls(role=None, profile_id=profile_id, folder=folder)

    @property
    def title(self) -> str:
        """What a window or a listing calls the view."""
        if self.role is None:
            return str(self.folder)
        return self.role.value.capitalize()


INBOX_VIEW = MailView()


def role_view(word: str) -> MailView | None:
    """The unified view a word names ("sent", "Trash"), or None when it names none."""
    for role in UNIFIED_ROLES:
        if word.casefold() == role.value:
            return MailView(role=role)
    return None
