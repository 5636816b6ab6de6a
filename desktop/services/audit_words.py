"""The audit in plain words: what each recorded action, outcome and connection means to a person.

The log stores short codes ("switch profile", "failed: ConnectionRefusedError") so that it stays
stable and greppable; people read sentences. The words live here, beside the queries, because a
search must match what is on screen, and only the service can count the matching rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from desktop.core.roles import Action, Role

MAIL_ACTION_WORDS: Mapping[str, str] = {
    # The codes of desktop/services/mail/action_audit.py; an action a person takes on mail.
    "move mail": "Moved mail",
    "archive mail": "Archived mail",
    "delete mail": "Moved mail to the Trash",
    "delete mail permanently": "Deleted mail for good",
    "undo mail action": "Undid a move or delete of mail",
    "copy mail to another profile": "Copied mail to another profile",
    "mark mail read": "Marked mail as read",
    "mark mail unread": "Marked mail as unread",
    "flag mail": "Flagged mail",
    "unflag mail": "Removed the flag from mail",
}

EVENT_WORDS: Mapping[str, str] = {
    # A refusal is recorded under the permission that was missing ("read the audit log...").
    **{action.value: f"Tried to {action.value}" for action in Action},
    "sign in": "Signed in",
    "sign in (remembered)": "Signed in, remembered on this computer",
    "sign out": "Signed out",
    "switch profile": "Switched to profile",
    "create profile": "Created a profile",
    "create profile (bootstrap admin)": "Created the first administrator profile",
    "update profile": "Changed a profile",
    "delete profile": "Deleted a profile",
    "set server options": "Changed mail server options",
    "look up support ID": "Looked up a support ID",
    "create user": "Created a user",
    "create first user": "Created the first user",
    f"set role {Role.ADMIN.value}": "Made a profile an administrator",
    f"set role {Role.MEMBER.value}": "Made a profile a member",
    **MAIL_ACTION_WORDS,
}

OUTCOME_WORDS: Mapping[str, str] = {"ok": "Done", "denied": "Refused", "failed": "Failed"}

TARGET_WORDS: Mapping[str, str] = {
    "audit log": "The audit log of every user",
    "egress log": "Connections to mail servers",
    "profiles": "Own profiles",
    "new profile": "A new profile",
    "own activity": "Own activity",
}

DELETED_PROFILE = "Deleted profile"
DELETED_USER = "Deleted user"
NOBODY = "Someone not signed in"
PROFILE_REFERENCE = re.compile(r"profile \d+(?: \((.*)\))?")
USER_PREFIX = "user "


@dataclass(frozen=True)
class Kind:
    """One choice of the event-type filter: a set of codes, or one outcome, or both."""

    key: str
    label: str
    codes: frozenset[str] = frozenset()
    outcome: str = ""


EVENT_KINDS: tuple[Kind, ...] = (
    Kind(
        "sign-in",
        "Sign-ins and sign-outs",
        frozenset({"sign in", "sign in (remembered)", "sign out"}),
    ),
    Kind("switch", "Profile switches", frozenset({"switch profile"})),
    Kind(
        "profile",
        "Profile changes",
        frozenset(
            {
                "create profile",
                "create profile (bootstrap admin)",
                "update profile",
                "delete profile",
                "set server options",
            }
        ),
    ),
    Kind("role", "Role changes", frozenset(f"set role {role.value}" for role in Role)),
    Kind("user", "New users", frozenset({"create user", "create first user"})),
    Kind("lookup", "Support ID look-ups", frozenset({"look up support ID"})),
    Kind("mail", "Mail moved, deleted or marked", frozenset(MAIL_ACTION_WORDS)),
    Kind("refused", "Refused actions", outcome="denied"),
)

WEB_COMMAND = "GET"
"""Remote content (a picture in a message) is fetched with one GET; a mail server never is."""

CONNECTION_KINDS: tuple[Kind, ...] = (
    Kind("mail", "Mail servers"),
    Kind("web", "Remote content in messages", frozenset({WEB_COMMAND})),
    Kind("failed", "Failed connections", outcome="failed"),
)

FAILURE_WORDS: Mapping[str, str] = {
    "ConnectionRefusedError": "the server refused the connection",
    "ConnectionCutError": "the connection was cut",
    "ConnectionResetError": "the connection was cut",
    "TimeoutError": "the server did not answer in time",
    "timeout": "the server did not answer in time",
    "gaierror": "the server's name was not found",
    "SSLCertVerificationError": "the server's certificate could not be checked",
    "SSLError": "a secure connection could not be set up",
    "LoginError": "the server did not accept the user name or password",
    "PlaintextRefusedError": "it would have sent the password unprotected",
    "KeyboardInterrupt": "it was stopped",
}


def event_words(code: str) -> str:
    return EVENT_WORDS.get(code) or code[:1].upper() + code[1:]


def outcome_words(code: str) -> str:
    return OUTCOME_WORDS.get(code) or code[:1].upper() + code[1:]


def kind(kinds: Iterable[Kind], key: str) -> Kind | None:
    return next((k for k in kinds if k.key == key), None)


def codes_saying(text: str) -> list[str]:
    """The event codes whose words contain ``text``, so a search finds what is on screen."""
    return sorted(code for code, words in EVENT_WORDS.items() if says(words, text))


def outcomes_saying(text: str) -> list[str]:
    return sorted(code for code, words in OUTCOME_WORDS.items() if says(words, text))


def target_words(
    target: str,
    *,
    profile: str | None,
    profile_owner: str | None,
    user: str | None,
    outcome: str,
) -> str:
    """What an event was about, with names for the profile or user a code like "profile 7"
    points at; ``profile_owner`` is given only when it is someone else than who acted."""
    reference = PROFILE_REFERENCE.fullmatch(target)
    if reference is not None:
        detail = reference.group(1) or ""
        named = profile if profile is not None else DELETED_PROFILE
        if profile is not None and profile_owner is not None:
            named = f"{named}, {profile_owner}"
        return f"{named}: {detail}" if detail else named
    if target.startswith(USER_PREFIX):
        if user is not None:
            return user
        return DELETED_USER if outcome == "ok" else target[len(USER_PREFIX) :]
    if target in TARGET_WORDS:
        return TARGET_WORDS[target]
    return target[:1].upper() + target[1:]


CONNECTION_PHRASES: Mapping[tuple[bool, str], str] = {
    (False, "ok"): "Connected to",
    (False, "failed"): "Could not connect to",
    (True, "ok"): "Loaded remote content from",
    (True, "redirect"): "Sent on to another address by",
    (True, "failed"): "Could not load remote content from",
}
"""The words of a connection by (remote content or not, outcome status), e.g. (False, "ok")."""


def connection_words(host: str, commands: tuple[str, ...], outcome: str) -> str:
    """One sentence per connection, e.g. "Connected to imap.example.org"."""
    status, _, reason = outcome.partition(": ")
    status = status.split(" ", 1)[0]
    phrase = CONNECTION_PHRASES.get((commands == (WEB_COMMAND,), status), "Connected to")
    if status != "failed":
        return f"{phrase} {host}"
    return f"{phrase} {host}: {FAILURE_WORDS.get(reason, reason) or 'the connection failed'}"


def connections_saying(text: str) -> list[tuple[bool, str]]:
    """The (remote content or not, status) pairs whose words contain ``text``."""
    return sorted(pair for pair, words in CONNECTION_PHRASES.items() if says(words, text))


def failures_saying(text: str) -> list[str]:
    """The recorded failure reasons ("TimeoutError") whose words contain ``text``."""
    return sorted(code for code, words in FAILURE_WORDS.items() if says(words, text))


ENCRYPTED = "Encrypted"
NOT_ENCRYPTED = "Not encrypted"


def security_words(tls_version: str | None) -> str:
    if not tls_version:
        return NOT_ENCRYPTED
    return f"{ENCRYPTED} ({tls_version.replace('TLSv', 'TLS ')})"


def says(words: str, text: str) -> bool:
    """Whether what is shown (``words``) contains what was typed, as the search reads it."""
    return text.casefold() in words.casefold()
