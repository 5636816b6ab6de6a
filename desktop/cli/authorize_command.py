"""``switchboard profile authorize``: sign an OAuth2 profile in, in the browser or with a code;
``profile sign-out``: end that sign-in, at the provider and in the keyring.

The lasting part of the grant (the refresh token) must outlive the command, so without a real
keyring nothing is attempted. Ctrl+C cancels the wait; the loopback listener is closed either
way. Nothing of a token is printed: only the address to open and, for ``--device``, the code.
"""

from __future__ import annotations

import argparse
import sys
import threading
import webbrowser

from desktop.cli.errors import CliError
from desktop.cli.signin import opened_services, sign_in_from_args
from desktop.core.oauth_providers import ProviderError
from desktop.services.authorization import SignedInUser
from desktop.services.container import Services
from desktop.services.mail.settings import ProfileOwner, profile_owner
from desktop.services.oauth_flows import DeviceCode, SignInCancelledError, SignInRefusedError
from desktop.services.oauth_http import OAuthHttpError
from desktop.services.oauth_tokens import NotOAuthProfileError
from desktop.services.secrets import NO_KEYRING_ADVICE

FAILED = 1


def run(args: argparse.Namespace) -> int:
    # The password, if any, comes from the environment: standard input is not for it here.
    acting = argparse.Namespace(user=args.user, password_stdin=False, remember=False)
    with opened_services(args, acting=acting) as services:
        if not services.secrets.is_persistent:
            raise CliError(
                "cannot keep the sign-in: there is no usable keyring on this system, and a "
                f"sign-in kept in memory would end with this command; {NO_KEYRING_ADVICE}.",
                exit_code=FAILED,
            )
        actor, owner, profile_id = _owner_signed_in(services, args)
        oauth = services.oauth_sign_in
        cancel = threading.Event()
        try:
            if args.device:
                oauth.sign_in_with_code(actor, profile_id, _show_code, cancel)
            else:
                oauth.sign_in_with_browser(actor, profile_id, _open_browser, cancel)
        except NotOAuthProfileError as error:
            raise CliError(
                f"{owner.email} signs in with a password; set 'profile set-server --auth "
                "oauth2' with its provider first"
            ) from error
        except (SignInRefusedError, SignInCancelledError, ProviderError, OAuthHttpError) as error:
            raise CliError(str(error), exit_code=FAILED) from error
        provider = oauth.authentication(actor, profile_id).provider
    label = provider.label if provider else "its provider"
    print(f"{owner.email} is signed in with {label}; its mail uses this sign-in from now on")
    return 0


def run_sign_out(args: argparse.Namespace) -> int:
    acting = argparse.Namespace(user=args.user, password_stdin=False, remember=False)
    with opened_services(args, acting=acting) as services:
        actor, owner, profile_id = _owner_signed_in(services, args)
        try:
            ended = services.oauth_sign_in.sign_out(actor, profile_id)
        except NotOAuthProfileError as error:
            raise CliError(f"{owner.email} signs in with a password, not OAuth2") from error
    print(ended.sentence)
    return 0


def _owner_signed_in(
    services: Services, args: argparse.Namespace
) -> tuple[SignedInUser, ProfileOwner, int]:
    """The profile's owner signed in (from the environment), acting as that profile."""
    owner = profile_owner(services.session_factory, args.profile)
    if owner is None:
        raise CliError(f"there is no profile with email {args.profile}")
    sign_in = argparse.Namespace(
        user=args.user or owner.login, profile=owner.email, password_stdin=False, remember=False
    )
    actor = sign_in_from_args(services, sign_in)
    return actor, owner, services.accounts.profile_id_for_email(actor, owner.email)


def _open_browser(url: str) -> None:
    print(
        f"Opening your browser to sign in. If it does not open, visit this address:\n{url}",
        file=sys.stderr,
    )
    webbrowser.open(url)


def _show_code(code: DeviceCode) -> None:
    minutes = max(1, round(code.expires_in / 60))
    print(
        f"To sign in, open {code.verification_uri} on any device and enter the code "
        f"{code.user_code} (within {minutes} minutes). Waiting...",
        flush=True,
    )
