"""An in-memory workspace for tests of the window's own behaviour (switching, shortcuts, layout).

The tests of flows that reach the store use the real services instead; this one exists so that
window mechanics can be tested without a store and so that it records what the window asked for.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from desktop.core.roles import Action, Role, is_allowed
from desktop.gui.session.records import PageKey, Sort, ThreadKey, ThreadRow
from desktop.gui.session.viewdata import InboxQuery, ProfileCard
from desktop.services.mail.folder_tree import ProfileFolders
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
        self.calls_on_gui_thread: list[str] = []

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
        ]

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
        return []

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
