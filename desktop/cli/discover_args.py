"""Arguments of ``switchboard profile discover``; run by ``desktop.cli.discover_command``."""

from __future__ import annotations

import argparse
from typing import Any

from desktop.cli.arguments import add_database_argument

FOUND = 0
NOTHING_FOUND = 3

EXIT_CODES = f"""exit codes:
  {FOUND}  settings were found (shown with where they came from)
  1  something failed unexpectedly (the reason is printed)
  2  bad input, or the sign-in was refused
  {NOTHING_FOUND}  no source named any server for the address

Nothing is signed in to and no password is sent: the command only asks the address's own
domain (its autoconfig file over HTTPS, then HTTP; its DNS SRV and MX records). Every question
is in the egress audit (switchboard audit --egress). A provider that wants an OAuth2 sign-in
(Microsoft 365, Google) is named as such.
"""


def register_discover(profile_commands: Any) -> None:
    parser = profile_commands.add_parser(
        "discover",
        help="find a mail account's servers from its email address",
        description="Find the IMAP and SMTP servers of EMAIL, say where the answer came from and "
        "how far to trust it, and print the profile set-server command that applies it. The "
        "owner of the profile with this email signs in (or --user for an address that has no "
        "profile yet) with $SWITCHBOARD_PASSWORD or a remembered sign-in.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("email", metavar="EMAIL", help="the account's email address")
    parser.add_argument("--user", metavar="LOGIN", help="who asks (default: the profile's owner)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument(
        "--password-stdin", action="store_true", help="read your sign-in password from stdin"
    )
    add_database_argument(parser, suppress=True)
    parser.set_defaults(handler="desktop.cli.discover_command:run", remember=False, profile=None)
