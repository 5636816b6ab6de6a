"""``switchboard compose``, ``reply`` and ``forward``: the window's compose rules, from a shell.

From follows the same rule as in the window (an answer goes out from the profile that received
the original), a move to another organization needs ``--yes`` after its warning, and sending
goes through the same outbox: queued and committed first, then delivered unless
``--queue-only``. What was done goes to stderr; the exit status says whether it left.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

from desktop.cli.errors import FAILED, CliError
from desktop.cli.signin import opened_services, sign_in_from_args, sign_in_user_or_owner
from desktop.core.compose.recipients import split_addresses
from desktop.services.authorization import SignedInUser
from desktop.services.container import Services
from desktop.services.mail.draft import Draft, DraftAttachment, attachment_from_file


def run_compose(args: argparse.Namespace) -> int:
    body = _read_body(args.body_file)
    with opened_services(args) as services:
        actor = sign_in_user_or_owner(services, args)
        draft = services.composer.new_message(actor, actor.active_profile_id)
        draft = replace(
            draft,
            to=_addresses(args.to),
            cc=_addresses(args.cc),
            bcc=_addresses(args.bcc),
            subject=args.subject,
            body=body + draft.body,
            attachments=_attachments(args.attach),
        )
        return _finish(services, actor, draft, args)


def run_reply(args: argparse.Namespace) -> int:
    body = _read_body(args.body_file)
    with opened_services(args) as services:
        actor = sign_in_from_args(services, args)
        draft = services.composer.reply(actor, args.message_id, reply_all=args.all)
        draft = replace(draft, body=body + draft.body, attachments=_attachments(args.attach))
        draft = _chosen_sender(services, actor, draft, args)
        return _finish(services, actor, draft, args)


def run_forward(args: argparse.Namespace) -> int:
    body = _read_body(args.body_file) if args.body_file else ""
    with opened_services(args) as services:
        actor = sign_in_from_args(services, args)
        draft = services.composer.forward(actor, args.message_id, as_attachment=args.as_attachment)
        draft = replace(
            draft,
            to=_addresses(args.to),
            cc=_addresses(args.cc),
            bcc=_addresses(args.bcc),
            body=body + draft.body,
            attachments=draft.attachments + _attachments(args.attach),
        )
        draft = _chosen_sender(services, actor, draft, args)
        return _finish(services, actor, draft, args)


def _chosen_sender(
    services: Services, actor: SignedInUser, draft: Draft, args: argparse.Namespace
) -> Draft:
    if not args.sender:
        return draft
    email = args.sender.strip().lower()
    profile = next((p for p in services.accounts.list_profiles(actor) if p.email == email), None)
    if profile is None:
        raise CliError(f"you have no profile with email {args.sender}")
    change = services.composer.change_from(actor, draft, profile.id)
    if change.warning is None:
        return change.draft
    print(f"warning: {change.warning.message}", file=sys.stderr)
    if not args.yes:
        raise CliError(
            f"nothing was sent: add --yes to send from {profile.email} anyway", exit_code=FAILED
        )
    return change.confirmed()


def _finish(services: Services, actor: SignedInUser, draft: Draft, args: argparse.Namespace) -> int:
    emails = {p.id: p.email for p in services.accounts.list_profiles(actor)}
    sender = emails[draft.from_profile_id]
    if args.draft:
        services.composer.save_draft(actor, draft)
        print(f"saved a draft from {sender}: {draft.subject!r}", file=sys.stderr)
        return 0
    queued = services.draft_sender.send(actor, draft)
    recipients = len({*draft.to, *draft.cc, *draft.bcc})
    print(
        f"queued message {queued.entry_id} from {sender} to {recipients} recipient(s)",
        file=sys.stderr,
    )
    if args.queue_only:
        return 0
    report = services.mail_sync.deliver_now(actor, queued.profile_id)
    reason = f": {report.reason}" if report.reason else ""
    print(
        f"{sender}: {report.sent} sent, {report.failed} failed, {report.waiting} waiting{reason}",
        file=sys.stderr,
    )
    return FAILED if report.failed or report.waiting else 0


def _read_body(name: str) -> str:
    if name == "-":
        text = sys.stdin.read()
    else:
        try:
            text = Path(name).read_text(encoding="utf-8")
        except OSError as error:
            raise CliError(f"cannot read the body from {name}: {error.strerror}") from None
        except UnicodeDecodeError:
            raise CliError(f"{name} is not UTF-8 text") from None
    return text if text.endswith("\n") or not text else text + "\n"


def _addresses(values: list[str]) -> tuple[str, ...]:
    return tuple(address for value in values for address in split_addresses(value))


def _attachments(names: list[str]) -> tuple[DraftAttachment, ...]:
    attached = []
    for name in names:
        try:
            attached.append(attachment_from_file(Path(name)))
        except OSError as error:
            raise CliError(f"cannot attach {name}: {error.strerror}") from None
    return tuple(attached)
