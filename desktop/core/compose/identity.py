"""Which profile a message is written from, and the warning when that changes organization.

Answering from the wrong account is the mistake that matters in a multi-account client: it
sends one employer's business through another's server, under another's name. So an answer is
always from the profile that received the original, whichever profile happens to be active,
and moving it to a profile of another organization is allowed only after a warning that names
both organizations.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Kind(enum.StrEnum):
    NEW = "new"
    REPLY = "reply"
    REPLY_ALL = "reply all"
    FORWARD = "forward"
    FORWARD_AS_ATTACHMENT = "forward as attachment"

    @property
    def answers(self) -> bool:
        """Whether the message answers or passes on a stored one (and so has an original)."""
        return self is not Kind.NEW


@dataclass(frozen=True)
class SenderProfile:
    """One of the user's profiles as a possible From."""

    profile_id: int
    email: str
    organization: str


@dataclass(frozen=True)
class OrganizationWarning:
    """From was moved to another organization's profile than the one the original came to."""

    original_organization: str
    original_email: str
    chosen_organization: str
    chosen_email: str

    @property
    def message(self) -> str:
        return (
            f"This message came to your {self.original_organization} account "
            f"({self.original_email}), but it would now be sent from your "
            f"{self.chosen_organization} account ({self.chosen_email}). Its recipients would "
            f"see the {self.chosen_organization} address, and it would leave through "
            f"{self.chosen_organization}'s mail server. Send it from "
            f"{self.chosen_organization} only if you are sure."
        )


def sender_profile_id(
    kind: Kind, *, active_profile_id: int | None, original_profile_id: int | None
) -> int:
    """The profile a new message is from: the original's for an answer, else the active one."""
    chosen = original_profile_id if kind.answers else active_profile_id
    if chosen is None:
        needed = "the profile that received the original" if kind.answers else "an active profile"
        raise ValueError(f"a {kind.value} message needs {needed}")
    return chosen


def organization_warning(
    original: SenderProfile | None, chosen: SenderProfile
) -> OrganizationWarning | None:
    """The warning to confirm before sending ``original``'s answer from ``chosen``, if any.

    Organizations are compared without regard to case or surrounding spaces, since they are
    typed by hand ("St Mary" and "st mary " are one employer).
    """
    if original is None or _same(original.organization, chosen.organization):
        return None
    return OrganizationWarning(
        original.organization, original.email, chosen.organization, chosen.email
    )


def _same(one: str, other: str) -> bool:
    return one.strip().casefold() == other.strip().casefold()
