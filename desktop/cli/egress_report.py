"""``switchboard audit --egress``: every connection made to a mail server, as recorded.

Shows where data went and how: time, profile, host and port, TLS version, bytes each way and
the IMAP commands used. The record never holds credentials or message content, so neither does
this output. ``--all`` (admins only, like the activity log) lists every user's connections.
"""

from __future__ import annotations

import argparse
import json

from desktop.cli.signin import opened_services, sign_in_from_args
from desktop.services.mail.egress import EgressRow, list_egress


def run(args: argparse.Namespace) -> int:
    with opened_services(args) as services:
        actor = sign_in_from_args(services, args)
        rows = list_egress(
            services.authorizer,
            services.session_factory,
            actor,
            everyone=args.all,
            limit=args.limit,
        )
    if args.json:
        print(json.dumps([_as_json(row) for row in rows], indent=2))
        return 0
    if not rows:
        print("no connections to mail servers recorded")
    for row in rows:
        print(
            f"{row.at:%Y-%m-%d %H:%M:%S}  {row.profile_email or '-':<28}  "
            f"{row.host}:{row.port}  {row.tls_version or 'NO TLS':<8}  "
            f"in {row.bytes_in} B  out {row.bytes_out} B  {row.outcome}  "
            f"[{' '.join(row.commands)}]" + _envelope(row)
        )
    return 0


def _as_json(row: EgressRow) -> dict[str, object]:
    return {
        "at": row.at.isoformat(),
        "profile": row.profile_email,
        "host": row.host,
        "port": row.port,
        "tls_version": row.tls_version,
        "bytes_in": row.bytes_in,
        "bytes_out": row.bytes_out,
        "commands": list(row.commands),
        "outcome": row.outcome,
        "envelope_sender": row.envelope_sender,
        "recipient_count": row.recipient_count,
        "recipient_domains": list(row.recipient_domains),
        "message_ids": list(row.message_ids),
    }


def _envelope(row: EgressRow) -> str:
    """A sending connection also says from whom, to how many and where: never what."""
    if row.envelope_sender is None:
        return ""
    domains = ", ".join(row.recipient_domains) or "-"
    return (
        f"\n    from {row.envelope_sender} to {row.recipient_count or 0} recipient(s) at "
        f"{domains}; Message-ID {' '.join(row.message_ids) or '-'}"
    )
