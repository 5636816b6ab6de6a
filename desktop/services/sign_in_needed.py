"""The one mail failure only the person can end: an OAuth2 profile whose grant is gone.

Kept apart from the token broker so that the mail queues, the outbox and the words of
:mod:`desktop.services.failures` tell it from a refused password without loading authlib, and
so that every place says it in the same sentence, naming the account and why.
"""

from __future__ import annotations

from desktop.services.mail.imap_sync import AuthenticationError
from desktop.services.mail.smtp_settings import SmtpNotConfiguredError

GRANT_ENDED = "the organization ended the permission"
"""What a provider's ``invalid_grant`` means to the person: revoked, expired, password changed."""


class SignInNeededError(AuthenticationError, SmtpNotConfiguredError):
    """The profile's grant is gone: the person must sign in again (a permanent sync failure,
    and a reason its outbox waits). ``email`` names the profile for the command to give.

    ``first`` is set when no grant ended in this session (never signed in, or signed out): what
    to say to a connection test, which asks for a sign-in first rather than "again" and stops
    nothing, since the person is setting the profile up."""

    def __init__(
        self, message: str, *, profile_id: int, email: str, first: str | None = None
    ) -> None:
        super().__init__(message)
        self.profile_id = profile_id
        self.email = email
        self.first = first


def sign_in_again(organization: str, email: str, reason: str) -> str:
    return f"Your {organization} account ({email}) needs you to sign in again: {reason}."


def authorize_command(email: str) -> str:
    """The command that signs a profile in again from a shell."""
    return f"switchboard profile authorize --profile {email}"


def sign_in_first(provider: str, email: str) -> str:
    return (
        f"Sign in with {provider} first: this computer holds no sign-in for {email} yet, "
        "so there is nothing to test the connection with."
    )
