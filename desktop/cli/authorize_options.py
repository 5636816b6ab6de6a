"""``profile set-server --auth ...``: the sign-in method options, checked before anything runs.

Kept apart from ``server_command`` so that the server options and the sign-in method stay two
readable pieces: the provider is checked (HTTPS issuer, tenant only for Microsoft) before the
owner signs in, and applied after the servers are set.
"""

from __future__ import annotations

import argparse

from desktop.cli.errors import CliError
from desktop.core.oauth_providers import Provider, ProviderError, provider_from
from desktop.services.authorization import SignedInUser
from desktop.services.container import Services


def oauth_choice(args: argparse.Namespace) -> Provider | None:
    """The provider ``--auth oauth2`` names; None for a password (or no change)."""
    given = [name for name in ("oauth_preset", "oauth_issuer", "oauth_tenant", "oauth_client_id")
             if getattr(args, name) is not None]  # fmt: skip
    if args.auth != "oauth2":
        if given:
            flag = "--" + given[0].replace("_", "-")
            raise CliError(f"{flag} needs --auth oauth2")
        return None
    if args.password_stdin or args.smtp_password_stdin:
        raise CliError(
            "--auth oauth2 signs in with the provider, not a password: leave out "
            "--password-stdin and --smtp-password-stdin"
        )
    try:
        return provider_from(
            args.oauth_preset, args.oauth_issuer, args.oauth_tenant, args.oauth_client_id
        )
    except ProviderError as error:
        raise CliError(str(error)) from error


def apply_choice(
    services: Services,
    actor: SignedInUser,
    profile_id: int,
    args: argparse.Namespace,
    provider: Provider | None,
) -> str | None:
    """Set the method if one was given; what to print about signing in (None: a password)."""
    sign_in = services.oauth_sign_in
    if args.auth is not None:
        changed = sign_in.set_authentication(actor, profile_id, args.auth, provider)
        if changed.ended is not None:
            print(changed.ended.sentence)
    current = sign_in.authentication(actor, profile_id)
    if current.method != "oauth2" or current.provider is None:
        return None
    if current.signed_in:
        return f"signs in with OAuth2 ({current.provider.label})"
    return (
        f"signs in with OAuth2 ({current.provider.label}); sign in now with: "
        f"switchboard profile authorize --profile {args.profile}"
    )
