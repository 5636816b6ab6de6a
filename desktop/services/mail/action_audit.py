"""The audit entries of mail actions: one per profile, saying how many went where.

The target names the profile and, in brackets, the count and the folder, which
:func:`desktop.services.audit_words.target_words` shows as "Clinic: 3 messages to Work". Folder
names are the person's own labels, never message content, so they may be recorded.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from sqlalchemy.orm import Session

from desktop.services.audit_events import add_event
from desktop.services.authorization import SignedInUser, internal
from desktop.services.mail.action_plan import Row

MOVE_MAIL = "move mail"
ARCHIVE_MAIL = "archive mail"
DELETE_MAIL = "delete mail"
DELETE_FOR_GOOD = "delete mail permanently"
UNDO_MAIL = "undo mail action"
COPY_MAIL = "copy mail to another profile"
MARK_READ = "mark mail read"
MARK_UNREAD = "mark mail unread"
FLAG_MAIL = "flag mail"
UNFLAG_MAIL = "unflag mail"


@internal("a step of MailActions, inside its transaction after its checks")
def audit_action(
    session: Session,
    actor: SignedInUser,
    action: str,
    rows: Sequence[Row],
    folders: Mapping[int, str] | None = None,
) -> None:
    """Record ``action`` on ``rows``; ``folders`` names where each profile's messages went."""
    counts = Counter(row.profile_id for row in rows)
    for pid in sorted(counts):
        detail = count_words(counts[pid])
        if folders is not None and pid in folders:
            detail = f"{detail} to {folders[pid]}"
        add_event(
            session,
            user_id=actor.user_id,
            profile_id=actor.active_profile_id,
            action=action,
            target=f"profile {pid} ({detail})",
        )


def flag_actions(seen: bool | None, flagged: bool | None) -> list[str]:
    """The audit codes of a flag change, one per flag asked for."""
    codes = []
    if seen is not None:
        codes.append(MARK_READ if seen else MARK_UNREAD)
    if flagged is not None:
        codes.append(FLAG_MAIL if flagged else UNFLAG_MAIL)
    return codes


def count_words(number: int) -> str:
    return "1 message" if number == 1 else f"{number} messages"
