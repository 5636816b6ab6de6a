"""``switchboard sync``, ``import`` and ``inbox``: mail in, and the unified inbox, from a shell.

Progress goes to stderr so that stdout stays clean for ``--json``. ``sync`` exits 1 when any
profile failed, after syncing the others, naming each failed profile and why.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from functools import partial
from typing import TYPE_CHECKING

from desktop.cli.errors import CliError
from desktop.cli.folder_command import view_from_args
from desktop.cli.signin import opened_services, sign_in_from_args, sign_in_user_or_owner
from desktop.services.authorization import SignedInUser
from desktop.services.mail.inbox import MAX_PAGE, InboxRow

if TYPE_CHECKING:  # sync and import load IMAP and the parsers; ``inbox`` needs neither
    from desktop.core.mail_views import MailView
    from desktop.services.mail.imap_sync import SyncProgress
    from desktop.services.mail.importer import ImportProgress
    from desktop.services.mail.mailbox import Mailbox

SYNC_FAILED = 1

log = logging.getLogger(__name__)


def run_sync(args: argparse.Namespace) -> int:
    from desktop.services.failures import describe
    from desktop.services.mail.imap_sync import SyncError

    with opened_services(args) as services:
        actor = sign_in_user_or_owner(services, args)
        profiles = [
            p
            for p in services.accounts.list_profiles(actor)
            if (p.id == actor.active_profile_id if args.profile else p.imap_host)
        ]
        if not profiles:
            print(f"no profile of {actor.login} has a mail server set", file=sys.stderr)
            return 0
        failed = 0
        for profile in profiles:
            try:
                result = services.mail_sync.sync_now(
                    actor, profile.id, progress=partial(_sync_progress, profile.email)
                )
            except SyncError as error:
                failed += 1
                failure = describe(error)
                log.warning("sync of profile %s failed\n%s", profile.id, failure.details)
                print(
                    f"switchboard: sync of {profile.email} failed: {failure.summary}",
                    file=sys.stderr,
                )
                continue
            print(
                f"{profile.email}: {result.new} new, {result.removed} removed, "
                f"{result.flags_changed} flag changes",
                file=sys.stderr,
            )
    return SYNC_FAILED if failed else 0


def run_import(args: argparse.Namespace) -> int:
    from desktop.services.mail.importer import ImportSourceError

    with opened_services(args) as services:
        actor = sign_in_user_or_owner(services, args)
        assert actor.active_profile_id is not None  # sign_in_from_args activated --profile
        try:
            result = services.mailbox.import_files(
                actor, actor.active_profile_id, args.paths, _import_progress
            )
        except ImportSourceError as error:
            raise CliError(str(error)) from error
    print(
        f"imported {result.added} new messages into {args.profile} "
        f"({result.skipped} already there, {result.unreadable} kept raw as unreadable)"
    )
    return 0


def run_inbox(args: argparse.Namespace) -> int:
    if args.thread:
        from desktop.cli.thread_listing import run_threads

        return run_threads(args)
    with opened_services(args) as services:
        actor = sign_in_from_args(services, args)
        only = [actor.active_profile_id] if args.profile and actor.active_profile_id else None
        view = view_from_args(services.mailbox, actor, args.folder, one_profile=bool(only))
        rows = _rows(services.mailbox, actor, only, args.search, args.limit, view=view)
    if args.json:
        print(json.dumps([_as_json(row) for row in rows], indent=2, ensure_ascii=False))
        return 0
    for row in rows:
        mark = " " if row.seen else "*"
        when = row.date.astimezone()  # the reader's local time; --json keeps the offset
        print(f"{mark} {when:%Y-%m-%d %H:%M}  {row.profile_email:<28}  {row.sender[:30]:<30}  "
              f"{row.subject}")  # fmt: skip
    return 0


def _rows(
    mailbox: Mailbox,
    actor: SignedInUser,
    only: list[int] | None,
    search: str | None,
    limit: int,
    *,
    view: MailView,
) -> list[InboxRow]:
    rows: list[InboxRow] = []
    while len(rows) < limit:
        page = mailbox.page(
            actor,
            profile_ids=only,
            search=search,
            after=rows[-1].key if rows else None,
            limit=min(MAX_PAGE, limit - len(rows)),
            view=view,
        )
        if not page:
            break
        rows.extend(page)
    return rows


def _as_json(row: InboxRow) -> dict[str, object]:
    return {
        "id": row.id,
        "profile": row.profile_email,
        "from": row.sender,
        "subject": row.subject,
        "date": row.date.isoformat(),
        "seen": row.seen,
        "flagged": row.flagged,
    }


def _sync_progress(email: str, progress: SyncProgress) -> None:
    print(
        f"{email}: {progress.folder}: {progress.done}/{progress.total} messages",
        file=sys.stderr,
    )


def _import_progress(progress: ImportProgress) -> None:
    share = 100 * progress.bytes_done // progress.bytes_total if progress.bytes_total else 100
    print(f"import: {share}% ({progress.messages} messages read)", file=sys.stderr)
