"""Folder roles: what the unified views and the delete/archive actions rely on."""

from desktop.core.folders import FolderRole, assign_roles, flag_role, name_role


def test_special_use_flags_win_over_names() -> None:
    roles = assign_roles(
        [
            ((), "/", "INBOX"),
            (("\\HasNoChildren", "\\Trash"), "/", "Bin"),
            ((), "/", "Trash"),
            (("\\Sent",), "/", "Sent Items"),
        ]
    )
    assert roles == {
        "INBOX": FolderRole.INBOX,
        "Bin": FolderRole.TRASH,
        "Trash": FolderRole.PLAIN,
        "Sent Items": FolderRole.SENT,
    }


def test_names_are_the_fallback_when_the_server_marks_nothing() -> None:
    roles = assign_roles(
        [((), ".", "INBOX"), ((), ".", "INBOX.Deleted Items"), ((), ".", "INBOX.spam")]
    )
    assert roles["INBOX.Deleted Items"] is FolderRole.TRASH
    assert roles["INBOX.spam"] is FolderRole.JUNK


def test_a_role_goes_to_one_folder_only() -> None:
    roles = assign_roles([((), "/", "Trash"), ((), "/", "Deleted")])
    assert roles == {"Trash": FolderRole.TRASH, "Deleted": FolderRole.PLAIN}


def test_single_lookups() -> None:
    assert flag_role(["\\All"]) is FolderRole.ALL
    assert flag_role(["\\HasChildren"]) is None
    assert name_role("inbox", None) is FolderRole.INBOX
    assert name_role("Projects/Archive", "/") is FolderRole.ARCHIVE
    assert name_role("Archive 2019", "/") is FolderRole.PLAIN
