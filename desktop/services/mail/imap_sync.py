"""IMAP sync of one profile into the store, incremental and safe to interrupt at any point.

Per folder the store keeps the folder's UIDVALIDITY, the highest UID held and, when the server
has CONDSTORE (RFC 7162), the HIGHESTMODSEQ of the last sync. A sync then:

1. pushes seen/flagged changes made in the app (``flags_dirty``) to the server;
2. compares UIDVALIDITY: if it changed, every UID the store holds for the folder is void, so the
   folder's local copy is dropped and fetched again (a clean resync, never a mix of two UID
   spaces);
3. lists the server's UIDs (``UID SEARCH ALL``): UIDs the store lacks are new, UIDs the server
   lacks were expunged there and are deleted here;
4. updates flags: only those changed since the last HIGHESTMODSEQ (``CHANGEDSINCE``) with
   CONDSTORE, otherwise all flags of the folder;
5. fetches whole messages newest first in batches (``BODY.PEEK[]``, so syncing never marks mail
   read), each fetched once and parsed once. The first batch is small (:data:`FIRST_BATCH`), so
   the inbox shows the newest mail of a big first sync at once; then three threads overlap: one
   fetches the next batch (:mod:`~desktop.services.mail.fetch_ahead`), this one parses, a writer
   commits what was parsed while it wrote the last (:class:`_WriteGroup`). An interrupted
   sync resumes where it stopped because "new" is whatever the store lacks, not what a counter
   says; what was fetched before a connection failed is still stored. Rows stored with
   headers only (by earlier builds, which fetched the newest headers first and every message
   again with its body) are filled in by the same pass.

Errors come out as :class:`SyncError` with ``permanent`` telling the job runner whether retrying
can help (a wrong password or a rejected certificate cannot; a dropped connection can). The
functions here work on a connection they are given: only the per-profile owner
(:mod:`desktop.services.mail.sync_owner`) opens one, after the gate.
"""

from __future__ import annotations

import imaplib
import itertools
import ssl
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any, Protocol, cast

from imapclient.exceptions import LoginError
from sqlalchemy import Table, bindparam, delete, select, update
from sqlalchemy.orm import Session

from desktop.services.authorization import internal
from desktop.services.mail.action_replay import pending_sources
from desktop.services.mail.connection import (
    DEFAULT_PORTS,
    AuditedClient,
    Fetched,
    PlaintextRefusedError,
    ServerSettings,
)
from desktop.services.mail.fetch_ahead import FetchAhead
from desktop.services.mail.folder_listing import refresh_folders
from desktop.services.mail.parse import ParsedMessage, parse_message
from desktop.services.mail.storing import (
    BackgroundWriter,
    Placement,
    insert_messages,
    parsed_columns,
    store_attachments,
)
from desktop.services.oauth_sasl import Bearer
from desktop.store.models import MailServerOption, MailSyncState, Message, Profile
from desktop.store.models.base import utcnow
from desktop.store.session import SessionFactory, read_only, unit_of_work

FIRST_BATCH = 100
BODY_BATCH = 500
WRITE_MESSAGES = 5000
"""At most this many messages to one write (see :class:`_WriteGroup`)."""
WRITE_BYTES = 64 * 1024 * 1024
"""At most about this much mail to one write, so that a mailbox of big attachments stays within
memory (a batch's worth beyond it at worst)."""
_SEEN = b"\\Seen"
_FLAGGED = b"\\Flagged"
_MESSAGES = cast(Table, Message.__table__)


class PasswordSource(Protocol):
    """Where server passwords come from (the OS keyring in the app)."""

    def get_password(self, profile_id: int) -> str | Bearer | None:
        """The server password, or an OAuth2 profile's bearer token source."""
        ...

    def get_smtp_password(self, profile_id: int) -> str | None:
        """The sending server's own password, for a profile whose SMTP login differs."""
        ...


class SyncError(Exception):
    """A sync that could not complete; ``permanent`` ones need the user, not a retry."""

    permanent = False


class NotConfiguredError(SyncError):
    permanent = True


class AuthenticationError(SyncError):
    permanent = True


class CertificateError(SyncError):
    permanent = True


class ConnectionProblemError(SyncError):
    """Refused, dropped, timed out, or the server said BYE: worth trying again later."""


class SyncCancelledError(SyncError):
    permanent = True


@dataclass(frozen=True)
class SyncProgress:
    profile_id: int
    folder: str
    done: int
    total: int


@dataclass
class SyncResult:
    profile_id: int
    folders: int = 0
    new: int = 0
    bodies: int = 0
    removed: int = 0
    flags_changed: int = 0
    flags_pushed: int = 0
    resynced_folders: int = 0


ProgressCallback = Callable[[SyncProgress], None]


@internal("read by the per-profile sync owner after its gated request")
def server_settings(session_factory: SessionFactory, profile_id: int) -> ServerSettings:
    """A read (it never waits for a writer): the queue reads this while an action's write
    is under way, to sign in meanwhile."""
    with read_only(session_factory) as session:
        profile = session.get(Profile, profile_id)
        if profile is None:
            raise NotConfiguredError(f"profile {profile_id} does not exist")
        if not profile.imap_host:
            raise NotConfiguredError(f"{profile.email} has no mail server set")
        options = session.get(MailServerOption, profile_id)
        security = profile.imap_security or "ssl"
        return ServerSettings(
            host=profile.imap_host,
            port=profile.imap_port or DEFAULT_PORTS.get(security, 993),
            security=security,
            user=profile.imap_user or profile.email,
            ca_file=profile.ca_file,
            allow_plaintext=bool(options and options.allow_plaintext),
            protocol_log=bool(options and options.protocol_log),
            auth=profile.auth_method or "password",
        )


@internal("run by the per-profile sync owner on its connection after its gated request")
def sync_folders(
    session_factory: SessionFactory,
    profile_id: int,
    client: AuditedClient,
    *,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
    folders: Sequence[str] | None = None,
) -> SyncResult:
    """Bring the store's copy of the profile's folders up to date.

    By default the folder list is read first (:mod:`~desktop.services.mail.folder_listing`):
    it follows folders created, renamed and deleted on the server and names the ones to sync.
    """
    run = _FolderSync(session_factory, profile_id, client, progress, cancel)
    if folders is None:
        folders = refresh_folders(session_factory, profile_id, client)
    for folder in folders:
        run.sync(folder)
    return run.result


@internal("run by the per-profile sync owner on its connection after its gated request")
def push_dirty_flags(
    session_factory: SessionFactory, profile_id: int, client: AuditedClient
) -> int:
    """Push pending seen/flagged changes without a full sync (opening a message asks for it)."""
    run = _FolderSync(session_factory, profile_id, client, None, None)
    for folder in dirty_folders(session_factory, profile_id):
        status = client.select_folder(folder)
        run.push_flags(folder, int(status[b"UIDVALIDITY"]))
    return run.result.flags_pushed


def as_sync_error(error: Exception, settings: ServerSettings) -> SyncError | None:
    """What a failure of the connection or the server means for retrying (None: a bug).

    The original stays the cause, so that the words shown to the person
    (:func:`desktop.services.failures.describe`) can still name it: refused, timed out, unknown.
    """
    mapped = _as_sync_error(error, settings)
    if mapped is not None and mapped is not error:
        mapped.__cause__ = error
    return mapped


def _as_sync_error(error: Exception, settings: ServerSettings) -> SyncError | None:
    if isinstance(error, SyncError):
        return error
    if isinstance(error, PlaintextRefusedError):
        return NotConfiguredError(str(error))
    if isinstance(error, LoginError):
        return AuthenticationError(f"the server refused the login of {settings.user}")
    if isinstance(error, ssl.SSLCertVerificationError):
        return CertificateError(
            f"the certificate of {settings.host} is not trusted: {error.verify_message}"
        )
    if isinstance(error, ssl.SSLError) and not isinstance(error, ssl.SSLEOFError):
        return CertificateError(f"TLS with {settings.host} failed: {error.reason}")
    if isinstance(error, OSError | EOFError | imaplib.IMAP4.abort):
        return ConnectionProblemError(
            f"connection to {settings.host}:{settings.port} failed: {error or type(error).__name__}"
        )
    if isinstance(error, imaplib.IMAP4.error):
        return ConnectionProblemError(f"the server reported an error: {error}")
    return None


@internal("read by the per-profile sync owner, which skips a connection when nothing is dirty")
def dirty_folders(session_factory: SessionFactory, profile_id: int) -> list[str]:
    with unit_of_work(session_factory) as session:
        return list(
            session.scalars(
                select(Message.folder)
                .where(Message.profile_id == profile_id, Message.flags_dirty.is_(True))
                .distinct()
            )
        )


class _FolderSync:
    def __init__(
        self,
        session_factory: SessionFactory,
        profile_id: int,
        client: AuditedClient,
        progress: ProgressCallback | None,
        cancel: threading.Event | None,
    ) -> None:
        self.session_factory = session_factory
        self.profile_id = profile_id
        self.client = client
        self.progress = progress
        self.cancel = cancel
        self.result = SyncResult(profile_id)
        self.condstore = client.has_capability("CONDSTORE")
        if self.condstore and not client.condstore_enabled:
            client.enable("CONDSTORE")
            client.condstore_enabled = True

    def sync(self, folder: str) -> None:
        self._check_cancel()
        status = self.client.select_folder(folder)
        uidvalidity = int(status[b"UIDVALIDITY"])
        server_modseq = status.get(b"HIGHESTMODSEQ")
        state = self._state(folder)
        if state is not None and state.uidvalidity != uidvalidity:
            self._forget_folder(folder)
            self.result.resynced_folders += 1
            state = None
        self.push_flags(folder, uidvalidity)
        local = self._local_uids(folder, uidvalidity)
        on_server = set(self.client.search("ALL"))
        gone = sorted(set(local) - on_server)
        if gone:
            self._remove(folder, uidvalidity, gone)
        if state is not None and local:
            kept = {uid: flags for uid, flags in local.items() if uid in on_server}
            self._update_flags(folder, uidvalidity, kept, state.highest_modseq)
        with unit_of_work(self.session_factory) as session:  # their moves wait for the server
            waiting = pending_sources(session, self.profile_id, folder, uidvalidity)
        self._fetch_messages(folder, uidvalidity, on_server - set(local) - waiting)
        self._save_state(folder, uidvalidity, max(on_server, default=0), server_modseq)
        self.result.folders += 1

    def push_flags(self, folder: str, uidvalidity: int) -> None:
        with unit_of_work(self.session_factory) as session:
            dirty = session.execute(
                select(Message.id, Message.uid, Message.seen, Message.flagged).where(
                    Message.profile_id == self.profile_id,
                    Message.folder == folder,
                    Message.uidvalidity == uidvalidity,
                    Message.flags_dirty.is_(True),
                )
            ).all()
        if not dirty:
            return
        for flag, attribute in ((_SEEN, "seen"), (_FLAGGED, "flagged")):
            on = [row.uid for row in dirty if getattr(row, attribute)]
            off = [row.uid for row in dirty if not getattr(row, attribute)]
            for uids in _chunks(on, 1000):
                self.client.add_flags(uids, [flag], silent=True)
            for uids in _chunks(off, 1000):
                self.client.remove_flags(uids, [flag], silent=True)
        with unit_of_work(self.session_factory) as session:
            session.execute(
                update(Message)
                .where(Message.id.in_([row.id for row in dirty]))
                .values(flags_dirty=False)
            )
        self.result.flags_pushed += len(dirty)

    def _state(self, folder: str) -> MailSyncState | None:
        with unit_of_work(self.session_factory) as session:
            return session.scalars(
                select(MailSyncState).where(
                    MailSyncState.profile_id == self.profile_id, MailSyncState.folder == folder
                )
            ).first()

    def _forget_folder(self, folder: str) -> None:
        with unit_of_work(self.session_factory) as session:
            session.execute(
                delete(Message).where(
                    Message.profile_id == self.profile_id,
                    Message.folder == folder,
                    Message.uid.is_not(None),
                )
            )
            session.execute(
                delete(MailSyncState).where(
                    MailSyncState.profile_id == self.profile_id, MailSyncState.folder == folder
                )
            )

    def _local_uids(self, folder: str, uidvalidity: int) -> dict[int, tuple[bool, bool]]:
        with unit_of_work(self.session_factory) as session:
            rows = session.execute(
                select(Message.uid, Message.seen, Message.flagged).where(
                    Message.profile_id == self.profile_id,
                    Message.folder == folder,
                    Message.uidvalidity == uidvalidity,
                )
            )
            return {uid: (seen, flagged) for uid, seen, flagged in rows if uid is not None}

    def _remove(self, folder: str, uidvalidity: int, uids: list[int]) -> None:
        with unit_of_work(self.session_factory) as session:
            for chunk in _chunks(uids, 500):
                session.execute(
                    delete(Message).where(
                        Message.profile_id == self.profile_id,
                        Message.folder == folder,
                        Message.uidvalidity == uidvalidity,
                        Message.uid.in_(chunk),
                    )
                )
        self.result.removed += len(uids)

    def _fetch_messages(self, folder: str, uidvalidity: int, unstored: set[int]) -> None:
        """Whole messages, newest first: stores the new ones and fills in header-only rows."""
        with unit_of_work(self.session_factory) as session:
            rows = session.execute(
                select(Message.uid, Message.id).where(
                    Message.profile_id == self.profile_id,
                    Message.folder == folder,
                    Message.uidvalidity == uidvalidity,
                    Message.body_loaded.is_(False),
                )
            )
            header_only = {uid: row_id for uid, row_id in rows if uid is not None}
        wanted = sorted({*header_only, *unstored}, reverse=True)
        batches = itertools.chain([wanted[:FIRST_BATCH]], _chunks(wanted[FIRST_BATCH:], BODY_BATCH))
        done = 0
        fetch = partial(self.client.fetch_messages, part="BODY.PEEK[]")
        with (
            BackgroundWriter(self.session_factory) as writer,
            FetchAhead(fetch, (batch for batch in batches if batch)) as fetched_batches,
        ):
            group = _WriteGroup(self.profile_id)
            try:
                for chunk, fetched_batch in fetched_batches:
                    self._check_cancel()
                    for fetched in fetched_batch:
                        parsed = parse_message(fetched.data, fetched.internal_date)
                        row_id = header_only.get(fetched.uid)
                        if row_id is None:
                            group.insert(parsed, self._placement(folder, uidvalidity, fetched))
                            self.result.new += 1
                        else:
                            group.update(row_id, parsed)
                        self.result.bodies += 1
                    if not writer.busy or group.full:
                        writer.submit(group.write)
                        group = _WriteGroup(self.profile_id)
                    done += len(chunk)
                    self._report(folder, done, len(wanted))
            finally:  # what was fetched is stored, even when the connection failed after it
                if group.count:
                    writer.submit(group.write)

    @staticmethod
    def _placement(folder: str, uidvalidity: int, fetched: Fetched) -> Placement:
        return Placement(
            folder=folder,
            uidvalidity=uidvalidity,
            uid=fetched.uid,
            seen=_SEEN in fetched.flags,
            flagged=_FLAGGED in fetched.flags,
        )

    def _update_flags(
        self,
        folder: str,
        uidvalidity: int,
        local: dict[int, tuple[bool, bool]],
        since_modseq: int | None,
    ) -> None:
        if not local:
            return
        modifiers = None
        if self.condstore and since_modseq:
            modifiers = [f"CHANGEDSINCE {since_modseq}"]
        response = self.client.fetch_uid_set(f"1:{max(local)}", ["FLAGS"], modifiers)
        changes = []
        for uid, data in response.items():
            if uid not in local or b"FLAGS" not in data:
                continue
            flags = data[b"FLAGS"]
            now = (_SEEN in flags, _FLAGGED in flags)
            if now != local[uid]:
                changes.append({"b_uid": uid, "seen": now[0], "flagged": now[1]})
        if changes:
            with unit_of_work(self.session_factory) as session:
                session.execute(
                    update(_MESSAGES).where(
                        _MESSAGES.c.profile_id == self.profile_id,
                        _MESSAGES.c.folder == folder,
                        _MESSAGES.c.uidvalidity == uidvalidity,
                        _MESSAGES.c.uid == bindparam("b_uid"),
                        _MESSAGES.c.flags_dirty.is_(False),
                    ),
                    changes,
                )
        self.result.flags_changed += len(changes)

    def _save_state(
        self, folder: str, uidvalidity: int, highest_uid: int, modseq: int | None
    ) -> None:
        with unit_of_work(self.session_factory) as session:
            state = session.scalars(
                select(MailSyncState).where(
                    MailSyncState.profile_id == self.profile_id, MailSyncState.folder == folder
                )
            ).first()
            if state is None:
                state = MailSyncState(profile_id=self.profile_id, folder=folder)
                session.add(state)
            state.uidvalidity = uidvalidity
            state.highest_uid = highest_uid
            state.highest_modseq = int(modseq) if modseq is not None else None
            state.synced_at = utcnow()

    def _report(self, folder: str, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(SyncProgress(self.profile_id, folder, done, total))

    def _check_cancel(self) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise SyncCancelledError("sync cancelled")


class _WriteGroup:
    """Parsed messages gathered for one write: as many as arrive while the writer is busy.

    A write per fetched batch committed 40 times on a first sync of 20,000 messages, and each
    commit of an encrypted store encrypts every page it changed: the date-ordered indexes take
    new rows all over, so each of those commits rewrote most of their pages. Writing whatever
    has been parsed by the time the last write ends keeps the first batch alone (the inbox shows
    it at once) and makes later writes as large as the writer's pace asks, up to
    :data:`WRITE_MESSAGES` messages or :data:`WRITE_BYTES` of mail.
    """

    def __init__(self, profile_id: int) -> None:
        self.profile_id = profile_id
        self.inserts: list[tuple[ParsedMessage, Placement]] = []
        self.updates: list[dict[str, Any]] = []
        self.owners: list[tuple[int, ParsedMessage]] = []
        self.size = 0

    @property
    def count(self) -> int:
        return len(self.inserts) + len(self.updates)

    @property
    def full(self) -> bool:
        return self.count >= WRITE_MESSAGES or self.size >= WRITE_BYTES

    def insert(self, parsed: ParsedMessage, placement: Placement) -> None:
        self.inserts.append((parsed, placement))
        self.size += parsed.size

    def update(self, row_id: int, parsed: ParsedMessage) -> None:
        """Fill in the body of a row stored with headers only (by earlier builds)."""
        self.updates.append({"row_id": row_id, "body_loaded": True, **parsed_columns(parsed)})
        if parsed.attachments:
            self.owners.append((row_id, parsed))
        self.size += parsed.size

    def write(self, session: Session) -> None:
        insert_messages(session, self.profile_id, self.inserts)
        if self.updates:
            session.execute(
                update(_MESSAGES).where(_MESSAGES.c.id == bindparam("row_id")), self.updates
            )
        store_attachments(session, self.owners)


def _aware(value: object) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _chunks(items: Sequence[int], size: int) -> Iterable[list[int]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk
