"""An in-memory workspace for tests of the window's own behaviour (switching, shortcuts, layout).

The tests of flows that reach the store use the real services instead; this one exists so that
window mechanics can be tested without a store and so that it records what the window asked for.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from desktop.core.folders import FolderRole
from desktop.core.mail_views import MailView
from desktop.core.roles import Action, Role, is_allowed
from desktop.gui.session.records import PageKey, Sort, ThreadKey, ThreadRow
from desktop.gui.session.viewdata import InboxQuery, ProfileCard
from desktop.services.errors import NotFoundError
from desktop.services.mail.actions import ActionResult, ConfirmationNeededError
from desktop.services.mail.folder_tree import FolderCount, ProfileFolders
from desktop.services.mail.inbox import FlagChange, InboxRow, MessageDetail, OpenedMessage
from desktop.services.mail.remote_content import RemoteContent

START = datetime(2026, 1, 1, tzinfo=UTC)
HOSPITAL = ProfileCard(
    1, "St Mary's Hospital", "Nurse", "ada@stmarys.example", "member", "#e11d48", 101
)
CLINIC = ProfileCard(
    2, "Riverside Clinic", "Head of IT", "ada@riverside.example", "admin", "#2563eb", 202
)
LAB = ProfileCard(3, "North Lab", "Analyst", "ada@northlab.example", "member", "#16a34a", 303)
ROLES = {"INBOX": FolderRole.INBOX, "Archive": FolderRole.ARCHIVE, "Trash": FolderRole.TRASH}


class MemoryWorkspace:
    def __init__(
        self, profiles: Sequence[ProfileCard] = (HOSPITAL, CLINIC, LAB), count: int = 300
    ) -> None:
        self._profiles = list(profiles)
        self.rows = sorted(
            (
                InboxRow(
                    id=i,
                    profile_email="",
                    flagged=False,
                    profile_id=self._profiles[i % len(self._profiles)].id,
                    sender=f"sender{i}@example.org",
                    subject=f"Message {i}",
                    date=START + timedelta(minutes=i),
                    seen=i % 2 == 0,
                )
                for i in range(count)
            ),
            key=lambda r: r.key,
            reverse=True,
        )
        self.activated: list[int] = []
        self.using: int | None = None
        self.seen: list[int] = []
        self.unseen: list[int] = []
        self.gui_thread = threading.get_ident()
        # Mail actions: every message starts in INBOX; folders exist once a test names them.
        self.folder_names: dict[int, tuple[str, ...]] = {}
        self.folder_of: dict[int, str] = {}
        self.done: list[tuple[str, tuple[int, ...]]] = []
        self.fail_with: Exception | None = None
        self._undo: list[tuple[int, str]] = []
        self.calls_on_gui_thread: list[str] = []
        self.signed_in_again: list[int] = []

    def _track(self, name: str) -> None:
        if threading.get_ident() == self.gui_thread:
            self.calls_on_gui_thread.append(name)

    @property
    def user_name(self) -> str:
        return "Ada Lovelace"

    @property
    def user_login(self) -> str:
        return "ada"

    def profiles(self) -> Sequence[ProfileCard]:
        self._track("profiles")
        unread = {p.id: 0 for p in self._profiles}
        for row in self.rows:
            if not row.seen:
                unread[row.profile_id] += 1
        return [replace(p, unread=unread[p.id]) for p in self._profiles]

    def allows(self, action: Action, profile: ProfileCard) -> bool:
        return is_allowed(Role(profile.role), action)

    def use_profile(self, profile_id: int) -> None:
        self.using = profile_id

    def activate_profile(self, profile_id: int) -> None:
        self._track("activate_profile")
        self.activated.append(profile_id)

    def _matching(self, query: InboxQuery) -> list[InboxRow]:
        return [
            r
            for r in self.rows
            if (query.profile_ids is None or r.profile_id in query.profile_ids)
            and query.search.lower() in r.subject.lower()
            and self._in_view(r, query.view)
        ]

    def _in_view(self, row: InboxRow, view: MailView) -> bool:
        folder = self.folder_of.get(row.id, "INBOX")
        if view.role is FolderRole.FLAGGED:
            return row.flagged and folder != "Trash"
        if view.role is not None:
            return ROLES.get(folder, FolderRole.PLAIN) is view.role
        return row.profile_id == view.profile_id and folder == view.folder

    def inbox_page(
        self, query: InboxQuery, after: PageKey | None, limit: int
    ) -> Sequence[InboxRow]:
        self._track("inbox_page")
        newest = query.sort is Sort.NEWEST
        rows = sorted(self._matching(query), key=lambda r: r.key_for(query.sort), reverse=newest)
        if after is not None:
            rows = [
                r
                for r in rows
                if (r.key_for(query.sort) < after if newest else r.key_for(query.sort) > after)
            ]
        return rows[:limit]

    def folder_tree(self) -> list[ProfileFolders]:
        self._track("folder_tree")
        return [
            ProfileFolders(
                p.id,
                p.email,
                tuple(
                    FolderCount(name, "/", ROLES.get(name, FolderRole.PLAIN), True, True, 0, 0, 0)
                    for name in self.folder_names[p.id]
                ),
            )
            for p in self._profiles
            if p.id in self.folder_names
        ]

    # Mail actions, as the services do them (the store's side is tested against them)

    def _act(self, name: str, ids: Sequence[int]) -> list[InboxRow]:
        self._track(name)
        if self.fail_with is not None:
            raise self.fail_with
        self.done.append((name, tuple(ids)))
        return [r for r in self.rows if r.id in set(ids)]

    def _move(self, rows: list[InboxRow], folder_of: dict[int, str]) -> ActionResult:
        moved = [(r.id, self.folder_of.get(r.id, "INBOX")) for r in rows]
        moved = [(i, old) for i, old in moved if old != folder_of[i]]
        for message_id, _old in moved:
            self.folder_of[message_id] = folder_of[message_id]
        if moved:
            self._undo = moved
        pids = tuple(sorted({r.profile_id for r in rows}))
        return ActionResult(len(moved), pids, undoable=bool(moved))

    def move_messages(self, message_ids: Sequence[int], folder: str) -> ActionResult:
        rows = self._act("move", message_ids)
        if any(folder not in self.folder_names.get(r.profile_id, ()) for r in rows):
            raise NotFoundError(f"There is no folder named {folder!r} in this account.")
        return self._move(rows, {r.id: folder for r in rows})

    def archive_messages(self, message_ids: Sequence[int]) -> ActionResult:
        rows = self._act("archive", message_ids)
        return self._move(rows, {r.id: "Archive" for r in rows})

    def permanent_count(self, message_ids: Sequence[int]) -> int:
        ids = set(message_ids)
        return sum(1 for i in ids if self.folder_of.get(i) == "Trash")

    def delete_messages(self, message_ids: Sequence[int], *, permanent: bool) -> ActionResult:
        rows = self._act("delete for good" if permanent else "delete", message_ids)
        doomed = {r.id for r in rows if self.folder_of.get(r.id) == "Trash"}
        if doomed and not permanent:
            raise ConfirmationNeededError("Confirm to delete them permanently.")
        self.rows = [r for r in self.rows if r.id not in doomed]
        result = self._move([r for r in rows if r.id not in doomed], {r.id: "Trash" for r in rows})
        return ActionResult(result.changed + len(doomed), result.profile_ids, result.undoable)

    def set_message_flags(
        self, message_ids: Sequence[int], *, seen: bool | None, flagged: bool | None
    ) -> ActionResult:
        rows = self._act("flags", message_ids)
        ids = {r.id for r in rows}
        self.rows = [
            replace(
                r,
                seen=r.seen if seen is None else seen,
                flagged=r.flagged if flagged is None else flagged,
            )
            if r.id in ids
            else r
            for r in self.rows
        ]
        return ActionResult(len(rows), tuple(sorted({r.profile_id for r in rows})))

    def undo_mail_action(self) -> ActionResult:
        back, self._undo = dict(self._undo), []
        rows = self._act("undo", list(back))
        for message_id, folder in back.items():
            self.folder_of[message_id] = folder
        return ActionResult(len(rows), tuple(sorted({r.profile_id for r in rows})))

    def thread_page(
        self, query: InboxQuery, after: ThreadKey | None, limit: int
    ) -> Sequence[ThreadRow]:
        """Every message a conversation of its own: the grouping is the store's to test."""
        self._track("thread_page")
        rows = self.inbox_page(InboxQuery(query.profile_ids), None, 10**6)
        threads = [
            ThreadRow(r.id, r.profile_id, r.profile_email, r.subject, 1, int(not r.seen),
                      (r.sender,), r.date)
            for r in rows
        ]  # fmt: skip
        return [t for t in threads if after is None or t.key < after][:limit]

    def thread_messages(self, thread_id: int) -> Sequence[InboxRow]:
        return [r for r in self.inbox_page(InboxQuery(), None, 10**6) if r.id == thread_id]

    def inbox_count(self, query: InboxQuery) -> int:
        self._track("inbox_count")
        return len(self._matching(query))

    def open_message(self, message_id: int) -> OpenedMessage:
        self._track("open_message")
        return self._open(message_id, mark_read=True)

    def preview_message(self, message_id: int) -> OpenedMessage:
        self._track("preview_message")
        return self._open(message_id, mark_read=False)

    def mark_seen(self, message_id: int, seen: bool) -> FlagChange:
        self._track("mark_seen")
        row = next(r for r in self.rows if r.id == message_id)
        if row.seen != seen:
            (self.seen if seen else self.unseen).append(message_id)
            self.rows = [replace(r, seen=seen) if r.id == message_id else r for r in self.rows]
        return FlagChange(row.profile_id, changed=row.seen != seen, on_server=False)

    def _open(self, message_id: int, mark_read: bool) -> OpenedMessage:
        row = next(r for r in self.rows if r.id == message_id)
        if mark_read and not row.seen:
            self.seen.append(message_id)
            self.rows = [replace(r, seen=True) if r.id == message_id else r for r in self.rows]
        detail = MessageDetail(
            id=row.id,
            profile_id=row.profile_id,
            profile_email="ada@example.org",
            folder="INBOX",
            sender=row.sender,
            to="ada@example.org",
            cc="",
            subject=row.subject,
            date=row.date,
            date_guessed=False,
            text=f"Body of {row.subject}",
            html=None,
            seen=mark_read or row.seen,
            flagged=False,
            body_loaded=True,
            parse_error=None,
            attachments=(),
        )
        return OpenedMessage(detail, newly_seen=mark_read and not row.seen)

    def push_flags(self, message: MessageDetail) -> None:
        self._track("push_flags")

    def attachment_content(self, attachment_id: int) -> bytes:
        return b""

    def remote_content(self, message_id: int, urls: Sequence[str]) -> RemoteContent:
        return RemoteContent(failed=dict.fromkeys(urls, "not in this test"))

    def sign_in_again(self, profile_id: int, cancel: threading.Event) -> bool:
        self._track("sign_in_again")
        self.signed_in_again.append(profile_id)
        return True
