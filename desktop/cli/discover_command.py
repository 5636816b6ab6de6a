"""``switchboard profile discover EMAIL``: the servers of an address, where they came from, and
the ``profile set-server`` command that applies them.

The command only shows: applying is the person's own next step, so nothing is changed and no
password is typed before they have read the source and its trust.
"""

from __future__ import annotations

import argparse
import json
import shlex

from desktop.cli.discover_args import FOUND, NOTHING_FOUND
from desktop.cli.errors import CliError
from desktop.cli.signin import opened_services, sign_in_from_args
from desktop.core.discovery import OAUTH2, Discovered, ServerSetting
from desktop.services.discovery import DiscoveryReport, discover_servers
from desktop.services.mail.settings import profile_owner


def run(args: argparse.Namespace) -> int:
    email = args.email.strip()
    with opened_services(args) as services:
        owner = profile_owner(services.session_factory, email)
        login = args.user or (owner.login if owner else None)
        if login is None:
            raise CliError(f"no profile has the email {email} yet: say who asks with --user LOGIN")
        own = owner is not None and owner.login == login
        sign_in = argparse.Namespace(
            user=login,
            profile=owner.email if own and owner else None,
            password_stdin=args.password_stdin,
            remember=False,
        )
        actor = sign_in_from_args(services, sign_in)
        report = discover_servers(
            services.session_factory,
            services.authorizer,
            actor,
            email,
            profile_id=actor.active_profile_id if own else None,
        )
    command = set_server_command(report.found, email) if report.found else None
    if args.json:
        print(json.dumps(_as_json(report, command), indent=2))
    else:
        _print(report, command)
    return FOUND if report.found else NOTHING_FOUND


def set_server_command(found: Discovered, email: str) -> list[str]:
    """The ``switchboard profile set-server`` arguments that apply ``found`` to the profile
    ``email``; a password only from stdin, an OAuth2 account with the sign-in it wants."""
    argv = ["switchboard", "profile", "set-server", "--profile", email]
    if found.incoming is not None:
        argv += _server_arguments(found.incoming, "imap", email)
    if found.outgoing is not None:
        argv += _server_arguments(found.outgoing, "smtp", email)
    if found.provider is not None:
        argv += ["--auth", OAUTH2, "--oauth-preset", found.provider.value]
    elif found.wants_oauth2:
        argv += ["--auth", OAUTH2, "--oauth-issuer", "URL"]
    else:
        argv += ["--password-stdin"]
    return argv


def _server_arguments(server: ServerSetting, kind: str, email: str) -> list[str]:
    if kind == "imap":
        names = ("--imap-host", "--imap-port", "--security", "--imap-user")
    else:
        names = ("--smtp-host", "--smtp-port", "--smtp-security", "--smtp-user")
    argv = [names[0], server.host, names[1], str(server.port), names[2], server.security]
    return argv + ([names[3], server.user] if server.user != email else [])


def _print(report: DiscoveryReport, command: list[str] | None) -> None:
    print(report.summary)
    found = report.found
    if found is not None and command is not None:
        print(f"  from:  {found.source}")
        print(f"  trust: {found.trust.explanation}")
        for label, server in (
            ("reading (IMAP)", found.incoming),
            ("sending (SMTP)", found.outgoing),
        ):
            if server is not None:
                print(f"  {label}: {server.host}:{server.port} {server.security}, "
                      f"user {server.user}, {server.auth}")  # fmt: skip
        if found.alternatives:
            print(f"  if the reading server is wrong, try: {', '.join(found.alternatives)}")
        if found.wants_oauth2:
            who = found.provider.display_name if found.provider else "This provider"
            print(f"  {who} refuses passwords: the account needs an OAuth2 sign-in.")
    print("Asked:")
    for attempt in report.attempts:
        print(f"  {attempt.source}: {attempt.outcome}")
    if command is not None:
        print("To use these settings:")
        print("  " + shlex.join(command))


def _as_json(report: DiscoveryReport, command: list[str] | None) -> dict[str, object]:
    found = report.found
    return {
        "email": report.email,
        "summary": report.summary,
        "found": None
        if found is None
        else {
            "source": found.source,
            "trust": found.trust.name.lower(),
            "trust_explanation": found.trust.explanation,
            "less_trustworthy": found.trust.is_weak,
            "name": found.name,
            "provider": found.provider.value if found.provider else None,
            "wants_oauth2": found.wants_oauth2,
            "incoming": _server_json(found.incoming),
            "outgoing": _server_json(found.outgoing),
            "alternatives": list(found.alternatives),
        },
        "attempts": [{"source": a.source, "outcome": a.outcome} for a in report.attempts],
        "set_server": command,
    }


def _server_json(server: ServerSetting | None) -> dict[str, object] | None:
    if server is None:
        return None
    return {
        "host": server.host,
        "port": server.port,
        "security": server.security,
        "user": server.user,
        "auth": server.auth,
    }
