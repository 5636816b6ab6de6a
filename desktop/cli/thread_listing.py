"""``switchboard inbox --thread``: the unified inbox as conversations, newest first.

Each line is one conversation: its unread and total counts, when its latest message came, the
profile, who took part and the subject; ``--json`` gives the same with the thread id, which
identifies the conversation for the GUI and for scripts.
"""

from __future__ import annotations

import argparse
import json

from desktop.cli.errors import CliError
from desktop.cli.signin import opened_services, sign_in_from_args
from desktop.services.mail.inbox import MAX_PAGE
from desktop.services.mail.thread_queries import ThreadRow


def run_threads(args: argparse.Namespace) -> int:
    if args.search:
        raise CliError("Searching lists messages, so --search cannot be used with --thread.")
    with opened_services(args) as services:
        actor = sign_in_from_args(services, args)
        only = [actor.active_profile_id] if args.profile and actor.active_profile_id else None
        rows: list[ThreadRow] = []
        while len(rows) < args.limit:
            page = services.threads.page(
                actor,
                profile_ids=only,
                after=rows[-1].key if rows else None,
                limit=min(MAX_PAGE, args.limit - len(rows)),
            )
            if not page:
                break
            rows.extend(page)
    if args.json:
        print(json.dumps([_as_json(row) for row in rows], indent=2, ensure_ascii=False))
        return 0
    for row in rows:
        mark = "*" if row.unread_count else " "
        counts = f"{row.unread_count}/{row.message_count}"
        when = row.latest_date.astimezone()
        people = ", ".join(row.participants)[:30]
        print(f"{mark} {counts:>7}  {when:%Y-%m-%d %H:%M}  {row.profile_email:<28}  "
              f"{people:<30}  {row.subject}")  # fmt: skip
    return 0


def _as_json(row: ThreadRow) -> dict[str, object]:
    return {
        "thread": row.id,
        "profile": row.profile_email,
        "subject": row.subject,
        "messages": row.message_count,
        "unread": row.unread_count,
        "participants": list(row.participants),
        "latest": row.latest_date.isoformat(),
    }
