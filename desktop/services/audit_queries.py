"""The joins and filters behind the audit pages: names beside each row, and a search that
matches what the screen shows.

An event points at what it was about with a code in its target ("profile 7", "user ada"); the
profile and user are joined on that code, so a page of rows is one statement with its names and
a deleted profile comes back as no row (shown as such) rather than as a bare number. The search
looks at the names, at the plain words of actions and outcomes, and at targets shown as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    and_,
    case,
    cast,
    false,
    func,
    literal,
    or_,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from desktop.services import audit_words as words
from desktop.services.authorization import SignedInUser
from desktop.store.models import AuditEvent, EgressEvent, Profile, User


@dataclass(frozen=True)
class AuditQuery:
    """What a person narrows the log by; the count follows every part.

    ``kind`` is the key of one of :data:`~desktop.services.audit_words.EVENT_KINDS` (or
    ``CONNECTION_KINDS`` for connections), empty for all; ``since`` keeps what happened after it.
    """

    text: str = ""
    kind: str = ""
    since: datetime | None = None


AnySelect = Select[*tuple[Any, ...]]

ActingUser = aliased(User, name="acting_user")
ActingProfile = aliased(Profile, name="acting_profile")
TargetProfile = aliased(Profile, name="target_profile")
TargetOwner = aliased(User, name="target_owner")
TargetUser = aliased(User, name="target_user")
Owner = aliased(User, name="owner")

_PROFILE_CODE = literal("profile ") + cast(TargetProfile.id, String)


class _ProfileNamed(FunctionElement[int]):
    """The profile id in a target code ("profile 7", "profile 7 (detail)"), else NULL.

    Read out of the code so that the join is a primary-key look-up per event; comparing each
    event's code with every profile's would cost events times profiles (5 s for 20,000 events
    and 300 profiles). Each database reads a number out of text its own way.
    """

    type = Integer()
    inherit_cache = True
    name = "profile_named"


@compiles(_ProfileNamed)
def _profile_named_sqlite(element: _ProfileNamed, compiler: SQLCompiler, **kw: Any) -> str:
    """SQLite's CAST reads the leading digits ("7 (detail)" is 7)."""
    target = compiler.process(element.clauses, **kw)
    return f"CASE WHEN {target} LIKE 'profile %' THEN CAST(substr({target}, 9) AS INTEGER) END"


@compiles(_ProfileNamed, "postgresql")
def _profile_named_postgresql(element: _ProfileNamed, compiler: SQLCompiler, **kw: Any) -> str:
    target = compiler.process(element.clauses, **kw)
    return f"CAST(substring({target} FROM '^profile ([0-9]+)( \\(|$)') AS INTEGER)"


def events_from(query: AnySelect) -> AnySelect:
    """Each join matches at most one row (ids and logins are unique): counts stay counts.

    A code names what existed when the event was written: SQLite hands a deleted profile's id
    to the next profile, and a login can be taken again, so a profile or user created after
    the event is not the one it meant (the event is about a deleted one).
    """
    return (
        query.select_from(AuditEvent)
        .outerjoin(ActingUser, AuditEvent.user_id == ActingUser.id)
        .outerjoin(ActingProfile, AuditEvent.profile_id == ActingProfile.id)
        .outerjoin(
            TargetProfile,
            and_(
                TargetProfile.id == _ProfileNamed(AuditEvent.target),
                TargetProfile.created_at <= AuditEvent.at,
            ),
        )
        .outerjoin(TargetOwner, TargetProfile.user_id == TargetOwner.id)
        .outerjoin(
            TargetUser,
            and_(
                AuditEvent.target.startswith(words.USER_PREFIX),
                TargetUser.login == func.substr(AuditEvent.target, len(words.USER_PREFIX) + 1),
                TargetUser.created_at <= AuditEvent.at,
            ),
        )
    )


def event_filters(
    actor: SignedInUser, query: AuditQuery, everyone: bool
) -> list[ColumnElement[bool]]:
    filters: list[ColumnElement[bool]] = []
    if not everyone:
        filters.append(AuditEvent.user_id == actor.user_id)
    if query.since is not None:
        filters.append(AuditEvent.at >= query.since)
    kind = words.kind(words.EVENT_KINDS, query.kind)
    if kind is not None and kind.codes:
        filters.append(AuditEvent.action.in_(kind.codes))
    if kind is not None and kind.outcome:
        filters.append(AuditEvent.outcome == kind.outcome)
    text = query.text.strip()
    if text:
        filters.append(_event_says(text))
    return filters


def _event_says(text: str) -> ColumnElement[bool]:
    """Whether an event's row on screen contains ``text`` (the joins of :func:`events_from`)."""
    target = AuditEvent.target
    unnamed = and_(TargetProfile.id.is_(None), TargetUser.id.is_(None))
    shown = [
        ActingUser.display_name.icontains(text, autoescape=True),
        ActingProfile.organization.icontains(text, autoescape=True),
        TargetProfile.organization.icontains(text, autoescape=True),
        TargetOwner.display_name.icontains(text, autoescape=True),
        TargetUser.display_name.icontains(text, autoescape=True),
        # A target without a name behind it is shown as recorded (a support ID, a detail).
        and_(unnamed, target.icontains(text, autoescape=True)),
        _detail().icontains(text, autoescape=True),
        AuditEvent.action.in_(words.codes_saying(text)),
        AuditEvent.outcome.in_(words.outcomes_saying(text)),
        target.in_([code for code, said in words.TARGET_WORDS.items() if words.says(said, text)]),
    ]
    if words.says(words.DELETED_PROFILE, text):
        shown.append(and_(target.like("profile %"), TargetProfile.id.is_(None)))
        shown.append(and_(AuditEvent.action == "switch profile", ActingProfile.id.is_(None)))
    if words.says(words.DELETED_USER, text) or words.says(words.NOBODY, text):
        shown.append(ActingUser.id.is_(None))
    return or_(*shown)


def _detail() -> ColumnElement[str]:
    """What follows a named profile in the target ("profile 7 (plaintext allowed)"), as shown:
    empty when the profile is gone or the target names none."""
    start = func.length(_PROFILE_CODE) + len(" (") + 1
    return case((TargetProfile.id.is_not(None), func.substr(AuditEvent.target, start)), else_="")


def connections_from(query: AnySelect) -> AnySelect:
    return (
        query.select_from(EgressEvent)
        .outerjoin(Profile, EgressEvent.profile_id == Profile.id)
        .outerjoin(Owner, Profile.user_id == Owner.id)
    )


def connection_filters(
    actor: SignedInUser, query: AuditQuery, everyone: bool
) -> list[ColumnElement[bool]]:
    filters: list[ColumnElement[bool]] = []
    if not everyone:
        filters.append(Profile.user_id == actor.user_id)
    if query.since is not None:
        filters.append(EgressEvent.at >= query.since)
    web = EgressEvent.commands == words.WEB_COMMAND
    if query.kind == "mail":
        filters.append(~web)
    elif query.kind == "web":
        filters.append(web)
    elif query.kind == "failed":
        filters.append(EgressEvent.outcome.startswith("failed"))
    text = query.text.strip()
    if text:
        filters.append(_connection_says(text, web))
    return filters


def _connection_says(text: str, web: ColumnElement[bool]) -> ColumnElement[bool]:
    outcome = EgressEvent.outcome
    shown = [
        EgressEvent.host.icontains(text, autoescape=True),
        Profile.organization.icontains(text, autoescape=True),
        Owner.display_name.icontains(text, autoescape=True),
        *(
            and_(web if is_web else ~web, outcome.startswith(status))
            for is_web, status in words.connections_saying(text)
        ),
        outcome.in_([f"failed: {code}" for code in words.failures_saying(text)]),
        # A remote content failure is recorded in words already ("the server answered ...").
        and_(web, outcome.startswith("failed: "), outcome.icontains(text, autoescape=True)),
    ]
    if words.says(words.NOT_ENCRYPTED, text):
        shown.append(EgressEvent.tls_version.is_(None))
    if words.says(words.ENCRYPTED, text):
        shown.append(EgressEvent.tls_version.is_not(None))
    if text.casefold().startswith("tls "):
        version = "TLSv" + text[len("tls ") :].strip()
        shown.append(EgressEvent.tls_version.icontains(version, autoescape=True))
    if words.says(words.DELETED_PROFILE, text):
        shown.append(Profile.id.is_(None))
    return or_(false(), *shown)
