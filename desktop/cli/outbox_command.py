"""``switchboard outbox`` and ``outbox send``: what waits to leave, and sending it now.

The list goes to stdout (``--json`` for scripts); what ``send`` did goes to stderr, one line per
profile, and its exit status says whether everything went.
"""

from __future__ import annotations

import argparse
import json
import sys

from desktop.cli.signin import opened_services, sign_in_user_or_owner
from desktop.services.authorization import SignedInUser
from desktop.services.mail.outbox import OutboxEntry, OutboxState

SEND_INCOMPLETE = 1


def run(args: argparse.Namespace) -> int:
    return run_send(args) if args.action == "send" else run_list(args)


def run_list(args: argparse.Namespace) -> int:
    with opened_services(args) as services:
        actor = sign_in_user_or_owner(services, args)
        entries = _of_profile(services.outbox.list_outbox(actor), actor, args)
        emails = {p.id: p.email for p in services.accounts.list_profiles(actor)}
    if args.json:
        print(json.dumps([_as_json(entry, emails) for entry in entries], indent=2))
        return 0
    if not entries:
        print("the outbox is empty")
    for entry in entries:
        line = (
            f"{entry.id:>5}  {entry.state:<18}  {emails.get(entry.profile_id, '-'):<28}  "
            f"{', '.join(entry.recipients)}  {entry.subject!r}"
        )
        print(line + (f"\n       {entry.reason}" if entry.reason else ""))
    return 0


def run_send(args: argparse.Namespace) -> int:
    with opened_services(args) as services:
        actor = sign_in_user_or_owner(services, args)
        waiting = _of_profile(services.outbox.list_outbox(actor), actor, args)
        profiles = sorted({e.profile_id for e in waiting if e.state == OutboxState.QUEUED})
        emails = {p.id: p.email for p in services.accounts.list_profiles(actor)}
        incomplete = False
        for profile_id in profiles:
            report = services.mail_sync.deliver_now(actor, profile_id)
            incomplete |= bool(report.failed or report.waiting)
            print(
                f"{emails[profile_id]}: {report.sent} sent, {report.failed} failed, "
                f"{report.waiting} waiting" + (f": {report.reason}" if report.reason else ""),
                file=sys.stderr,
            )
        if not profiles:
            print("nothing is waiting to be sent", file=sys.stderr)
    return SEND_INCOMPLETE if incomplete else 0


def _of_profile(
    entries: list[OutboxEntry], actor: SignedInUser, args: argparse.Namespace
) -> list[OutboxEntry]:
    if not args.profile:
        return entries
    return [entry for entry in entries if entry.profile_id == actor.active_profile_id]


def _as_json(entry: OutboxEntry, emails: dict[int, str]) -> dict[str, object]:
    return {
        "id": entry.id,
        "profile": emails.get(entry.profile_id),
        "state": str(entry.state),
        "reason": entry.reason,
        "subject": entry.subject,
        "recipients": list(entry.recipients),
        "message_id": entry.message_id,
        "attempts": entry.attempts,
        "queued_at": entry.queued_at.isoformat(),
        "sent_at": entry.sent_at.isoformat() if entry.sent_at else None,
    }
