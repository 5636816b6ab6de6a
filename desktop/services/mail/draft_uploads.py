"""The profile's drafts kept in its Drafts folder on the server, brought up to date at each sync.

Run on the profile's queue right after the mail sync, over that sync's IMAP connection (so it
is in the same egress record, which holds command names only: nothing of a draft's content is
logged or audited). The folder is the one the server marks ``\\Drafts`` (RFC 6154), else one
of the well-known names (imapclient's list), else a new "Drafts".

* A draft changed since its last copy is appended with ``\\Draft`` (and ``\\Seen``, so other
  clients do not count it as unread mail), built by :mod:`desktop.services.mail.draft_copy`.
* Then the copies no longer wanted (the previous version of an edited draft, and every copy of
  a draft sent, discarded or moved to another profile) are deleted: flagged ``\\Deleted`` and
  expunged by UID where the server has UIDPLUS, so nothing else in the folder is expunged;
  without UIDPLUS they stay flagged for the server or another client to expunge.
* Every copy is a row of ``draft_uploads``, its Message-ID committed before the APPEND. A row
  without a UID is an APPEND the app may have died in: it is looked up by that Message-ID
  before anything else, so a restart neither appends a draft twice nor forgets a copy.

A failure of the server leaves the rest for the next sync; it never fails the sync itself.
"""

from __future__ import annotations

import imaplib
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from email.policy import SMTP

from imapclient.imapclient import DELETED, DRAFT, DRAFTS, SEEN
from sqlalchemy import delete, select, update

from desktop.services.authorization import internal
from desktop.services.errors import AccountError
from desktop.services.mail import drafts
from desktop.services.mail.connection import AuditedClient
from desktop.services.mail.draft_copy import draft_copy, may_be_copied
from desktop.services.mail.originals import user_profiles
from desktop.store.models import Draft as DraftRow
from desktop.store.models import Profile
from desktop.store.models.base import utcnow
from desktop.store.models.drafts import DraftUpload
from desktop.store.session import SessionFactory, read_only, unit_of_work

log = logging.getLogger(__name__)
DRAFTS_FALLBACK = "Drafts"
_APPENDUID = re.compile(rb"\[APPENDUID (\d+) (\d+)\]", re.IGNORECASE)


@dataclass(frozen=True)
class DraftsSaved:
    """What one sync did to the Drafts folder."""

    appended: int = 0
    removed: int = 0


@dataclass(frozen=True)
class _Plan:
    profile_id: int
    user_id: int
    copyable: dict[str, str]  # key -> fingerprint, for the drafts allowed on this server
    copies: list[DraftUpload]

    @property
    def unsure(self) -> list[DraftUpload]:
        return [copy for copy in self.copies if copy.uid is None]

    def current(self) -> dict[str, DraftUpload]:
        """Each draft's copy that shows it as it is now (the newest, if there were several)."""
        found: dict[str, DraftUpload] = {}
        for copy in self.copies:
            if copy.uid is not None and self.copyable.get(copy.draft_key) == copy.fingerprint:
                found[copy.draft_key] = copy
        return found

    def to_append(self) -> list[str]:
        current = self.current()
        return [key for key in self.copyable if key not in current]

    def to_remove(self) -> list[DraftUpload]:
        kept = {copy.id for copy in self.current().values()}
        return [copy for copy in self.copies if copy.uid is not None and copy.id not in kept]


@internal("run on the profile's queue after the gated sync request")
def save_drafts_to_server(
    session_factory: SessionFactory, profile_id: int, client: AuditedClient
) -> DraftsSaved:
    """Append what changed, delete what is no longer wanted; no IMAP command when all is done."""
    plan = _plan(session_factory, profile_id)
    if plan is None or not (plan.unsure or plan.to_append() or plan.to_remove()):
        return DraftsSaved()
    appended = removed = 0
    try:
        if plan.unsure:
            _settle_unsure(session_factory, client, plan.unsure)
            plan = _plan(session_factory, profile_id) or plan
        keys = plan.to_append()
        if keys:
            folder = drafts_folder(client)
            for key in keys:
                if _append(session_factory, client, plan, folder, key):
                    appended += 1
            plan = _plan(session_factory, profile_id) or plan
        removed = _remove(session_factory, client, plan.to_remove())
    except (OSError, EOFError, imaplib.IMAP4.error) as error:
        log.info("drafts of profile %s wait for the next sync: %s", profile_id, error)
    log.info(
        "drafts of profile %s: %d copied, %d old copies removed", profile_id, appended, removed
    )
    return DraftsSaved(appended, removed)


def drafts_folder(client: AuditedClient) -> str:
    found = client.find_special_folder(DRAFTS)
    if found is not None:
        return str(found)
    client.create_folder(DRAFTS_FALLBACK)
    return DRAFTS_FALLBACK


def _plan(session_factory: SessionFactory, profile_id: int) -> _Plan | None:
    """What the folder should hold and what it holds; None once the profile is deleted."""
    with read_only(session_factory) as session:
        user_id = session.scalar(select(Profile.user_id).where(Profile.id == profile_id))
        if user_id is None:
            return None
        profiles = user_profiles(session, user_id).profiles
        sender = profiles[profile_id]
        rows = session.execute(
            select(
                DraftRow.key,
                DraftRow.fingerprint,
                DraftRow.organization_confirmed,
                DraftRow.origin_profile_id,
            ).where(DraftRow.profile_id == profile_id)
        )
        copyable = {
            row.key: row.fingerprint
            for row in rows
            if may_be_copied(
                row.organization_confirmed, sender, profiles.get(row.origin_profile_id or 0)
            )
        }
        copies = list(
            session.scalars(
                select(DraftUpload)
                .where(DraftUpload.profile_id == profile_id)
                .order_by(DraftUpload.id)
            )
        )
        session.expunge_all()
    return _Plan(profile_id, user_id, copyable, copies)


def _settle_unsure(
    session_factory: SessionFactory, client: AuditedClient, unsure: list[DraftUpload]
) -> None:
    """An APPEND the app died in either reached the server (keep the copy) or not (forget it)."""
    for copy in unsure:
        found = _find(client, copy.folder, copy.message_id)
        with unit_of_work(session_factory) as session:
            if found is None:
                session.execute(delete(DraftUpload).where(DraftUpload.id == copy.id))
            else:
                uidvalidity, uid = found
                session.execute(
                    update(DraftUpload)
                    .where(DraftUpload.id == copy.id)
                    .values(uidvalidity=uidvalidity, uid=uid)
                )


def _append(
    session_factory: SessionFactory,
    client: AuditedClient,
    plan: _Plan,
    folder: str,
    key: str,
) -> bool:
    """Append the draft as stored now; False if it is gone, moved, or cannot be built."""
    with read_only(session_factory) as session:
        people = user_profiles(session, plan.user_id)
        try:
            draft = drafts.reopened(session, plan.user_id, key)
        except AccountError:
            return False
        saved_at = (
            session.scalar(select(DraftRow.updated_at).where(DraftRow.key == key)) or utcnow()
        )
    profile_id = plan.profile_id
    sender = people.profiles[profile_id]
    origin = people.profiles.get(draft.origin_profile_id or 0)
    if draft.from_profile_id != profile_id or not may_be_copied(
        draft.organization_confirmed, sender, origin
    ):
        return False
    try:
        copy = draft_copy(draft, sender, people.display_name, saved_at=saved_at)
    except AccountError:
        log.warning("a draft of profile %s cannot be copied to the server", sender.profile_id)
        return False
    with unit_of_work(session_factory) as session:
        row = DraftUpload(
            profile_id=sender.profile_id,
            draft_key=key,
            fingerprint=draft.fingerprint(),
            folder=folder,
            message_id=copy.message_id,
        )
        session.add(row)
        session.flush()
        row_id = row.id
    response = client.append(
        folder, copy.message.as_bytes(policy=SMTP), flags=(DRAFT, SEEN), msg_time=saved_at
    )
    matched = _APPENDUID.search(response or b"")
    found = (int(matched[1]), int(matched[2])) if matched else None
    if found is None:
        found = _find(client, folder, copy.message_id)
    if found is not None:
        with unit_of_work(session_factory) as session:
            session.execute(
                update(DraftUpload)
                .where(DraftUpload.id == row_id)
                .values(uidvalidity=found[0], uid=found[1], uploaded_at=utcnow())
            )
    return True


def _remove(
    session_factory: SessionFactory, client: AuditedClient, copies: list[DraftUpload]
) -> int:
    """Delete the copies from the server folder by folder, then forget them; how many."""
    removed = 0
    for folder in dict.fromkeys(copy.folder for copy in copies):
        here = [copy for copy in copies if copy.folder == folder]
        if client.folder_exists(folder):
            uidvalidity = int(client.select_folder(folder)[b"UIDVALIDITY"])
            uids = [c.uid for c in here if c.uid is not None and c.uidvalidity == uidvalidity]
            uids += _search(client, (c.message_id for c in here if c.uidvalidity != uidvalidity))
            if uids:
                client.add_flags(uids, [DELETED], silent=True)
                if client.has_capability("UIDPLUS"):
                    client.uid_expunge(uids)
        with unit_of_work(session_factory) as session:
            ids = [copy.id for copy in here]
            session.execute(delete(DraftUpload).where(DraftUpload.id.in_(ids)))
        removed += len(here)
    return removed


def _find(client: AuditedClient, folder: str, message_id: str) -> tuple[int, int] | None:
    """The (UIDVALIDITY, UID) of the copy of that Message-ID, if it is in the folder."""
    if not client.folder_exists(folder):
        return None
    uidvalidity = int(client.select_folder(folder)[b"UIDVALIDITY"])
    uids = _search(client, [message_id])
    return (uidvalidity, max(uids)) if uids else None


def _search(client: AuditedClient, message_ids: Iterable[str]) -> list[int]:
    """UIDs in the selected folder of these Message-IDs (a folder whose UIDs were renumbered)."""
    found: list[int] = []
    for message_id in message_ids:
        found += [int(uid) for uid in client.search(["HEADER", "Message-ID", message_id])]
    return found
