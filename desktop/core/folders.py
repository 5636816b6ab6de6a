"""What a folder is for, from the server's SPECIAL-USE flags (RFC 6154) or else its name.

The unified views (every profile's Inbox, Sent, Drafts, ...) and the actions (delete moves to the
profile's Trash, archive to its Archive) ask for a folder by role, never by name: one server
calls it "Sent", another "Sent Items", a third "INBOX.Sent". A server that marks its folders is
believed; for one that does not, the names the popular servers use are the fallback (the same
list imapclient's ``find_special_folder`` uses), matched case-insensitively on the folder's last
level so that "INBOX.Trash" is a Trash too. Pure rules, no IMAP: the sync passes what LIST said.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class FolderRole(StrEnum):
    """The roles the app gives a meaning to; every other folder is ``PLAIN``."""

    INBOX = "inbox"
    SENT = "sent"
    DRAFTS = "drafts"
    ARCHIVE = "archive"
    TRASH = "trash"
    JUNK = "junk"
    # Virtual folders (Gmail's All Mail and Starred) hold copies of mail filed elsewhere: they
    # are listed but never synced, or every message would show twice.
    ALL = "all"
    FLAGGED = "flagged"
    PLAIN = ""


VIRTUAL_ROLES = frozenset({FolderRole.ALL, FolderRole.FLAGGED})

_BY_FLAG = {
    "\\sent": FolderRole.SENT,
    "\\drafts": FolderRole.DRAFTS,
    "\\archive": FolderRole.ARCHIVE,
    "\\trash": FolderRole.TRASH,
    "\\junk": FolderRole.JUNK,
    "\\all": FolderRole.ALL,
    "\\flagged": FolderRole.FLAGGED,
}

WELL_KNOWN_NAMES: dict[FolderRole, tuple[str, ...]] = {
    FolderRole.SENT: ("Sent", "Sent Items", "Sent items", "Sent Messages"),
    FolderRole.DRAFTS: ("Drafts",),
    FolderRole.ARCHIVE: ("Archive",),
    FolderRole.TRASH: ("Trash", "Deleted Items", "Deleted Messages", "Deleted"),
    FolderRole.JUNK: ("Junk", "Spam"),
}
"""Names that mean a role on servers without SPECIAL-USE; the first is the one to create."""

_BY_NAME = {name.casefold(): role for role, names in WELL_KNOWN_NAMES.items() for name in names}

UNSELECTABLE_FLAGS = frozenset({"\\noselect", "\\nonexistent"})


def flag_role(flags: Iterable[str]) -> FolderRole | None:
    """The role a server's SPECIAL-USE flags give a folder, or None when it marks none."""
    for flag in flags:
        role = _BY_FLAG.get(flag.casefold())
        if role is not None:
            return role
    return None


def name_role(name: str, delimiter: str | None) -> FolderRole:
    """The role a folder's name suggests on a server that marks no folders."""
    if name.casefold() == "inbox":
        return FolderRole.INBOX
    leaf = name.rsplit(delimiter, 1)[-1] if delimiter else name
    return _BY_NAME.get(leaf.casefold(), FolderRole.PLAIN)


def assign_roles(
    listed: Iterable[tuple[Iterable[str], str | None, str]],
) -> dict[str, FolderRole]:
    """Each listed folder's role: flags first; names only if the server marks nothing at all.

    A server that marks some folders has told us which one is its Trash: a second folder that is
    merely *called* "Trash" is then an ordinary folder, not another bin. Each role other than
    ``PLAIN`` goes to one folder only (the first listed), so "delete" always has one target.
    """
    entries = [([*flags], delimiter, name) for flags, delimiter, name in listed]
    marked = any(flag_role(flags) is not None for flags, _d, _n in entries)
    roles: dict[str, FolderRole] = {}
    taken: set[FolderRole] = set()
    for flags, delimiter, name in entries:
        if name.casefold() == "inbox":
            role = FolderRole.INBOX
        elif marked:
            role = flag_role(flags) or FolderRole.PLAIN
        else:
            role = name_role(name, delimiter)
        if role is not FolderRole.PLAIN and role in taken:
            role = FolderRole.PLAIN
        taken.add(role)
        roles[name] = role
    return roles
