"""Completing To, Cc and Bcc from the addresses in the user's own mail, the most used first.

Reading the messages at each key press would cost a scan of the whole mailbox, so the counts
live in their own table (``desktop.store.models.address_book``): a completion walks the user's
addresses most used first and stops at the first matches. Before answering, the addresses of
mail stored since the last completion are counted in (only messages above the last id seen,
so this is nothing most of the time and the whole mailbox only once); the same header values
come back over and over (one colleague, thousands of messages), so each is parsed once. When
nothing new was stored (most key presses) the completion is a read alone, which never waits
for a sync or an import that holds the store.

Counts only grow: a deleted message's addresses stay known, as in the mail clients' collected
addresses. The user's own addresses are never offered.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy import case, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from desktop.core.compose.recipients import mailboxes
from desktop.services.authorization import internal
from desktop.services.mail.draft import KnownRecipient
from desktop.store.models import AddressBookScan, KnownAddress, Message, Profile

SCAN_BATCH = 5000
ROWS_PER_UPSERT = 500
DEFAULT_COMPLETIONS = 10


@internal("the address book behind Composer.complete_addresses, which checks the role first")
def bring_up_to_date(session: Session, user_id: int) -> int:
    """Count in the mail stored since the last time; how many messages that was."""
    _insert(session, AddressBookScan, [{"user_id": user_id, "last_message_id": 0}], None)
    scan = session.scalar(
        select(AddressBookScan).where(AddressBookScan.user_id == user_id).with_for_update()
    )
    assert scan is not None  # inserted just above, in this transaction
    emails = session.scalars(select(Profile.email).where(Profile.user_id == user_id)).all()
    profiles = set(session.scalars(select(Profile.id).where(Profile.user_id == user_id)))
    own = {email.casefold() for email in emails}
    counted: dict[str, list[Any]] = {}
    seen = 0
    while True:
        # By id alone, the primary key's range: a filter on the profile would lead the planner
        # to the profile's index and through the whole mailbox. Other users' rows are skipped
        # here, and only those stored since the last scan are ever read.
        rows = session.execute(
            select(
                Message.id, Message.profile_id, Message.sender, Message.to_addrs, Message.cc_addrs
            )
            .where(Message.id > scan.last_message_id)
            .order_by(Message.id)
            .limit(SCAN_BATCH)
        ).all()
        if not rows:
            break
        for row in rows:
            if row.profile_id not in profiles:
                continue
            seen += 1
            for name, address in (
                *_parsed(row.sender),
                *_parsed(row.to_addrs),
                *_parsed(row.cc_addrs),
            ):
                if address in own:
                    continue
                entry = counted.setdefault(address, ["", 0])
                entry[0] = name or entry[0]
                entry[1] += 1
        scan.last_message_id = rows[-1].id
    if counted:
        _add_counts(session, user_id, counted)
    return seen


@internal("the address book behind Composer.complete_addresses, which checks the role first")
def is_behind(session: Session, user_id: int) -> bool:
    """Whether any mail was stored since the last count (a read of two keys, no lock).

    Any user's mail counts: the scan that follows skips it and moves past it, and asking only
    about this user's profiles would walk their index instead of reading the newest id.
    """
    mark = session.scalar(
        select(AddressBookScan.last_message_id).where(AddressBookScan.user_id == user_id)
    )
    newest = session.scalar(select(func.max(Message.id)))
    return newest is not None and newest > (mark or 0)


@internal("the address book behind Composer.complete_addresses, which checks the role first")
def matching(session: Session, user_id: int, prefix: str, limit: int) -> list[KnownRecipient]:
    """The user's known addresses whose address, or a word of whose name, starts with ``prefix``."""
    folded = _like_escaped(prefix.strip().casefold())
    query = (
        select(KnownAddress.name, KnownAddress.address, KnownAddress.uses)
        .where(KnownAddress.user_id == user_id)
        .order_by(KnownAddress.uses.desc(), KnownAddress.address)
        .limit(max(1, limit))
    )
    if folded:
        query = query.where(
            or_(
                KnownAddress.address.like(f"{folded}%", escape="\\"),
                KnownAddress.name_key.like(f"{folded}%", escape="\\"),
                KnownAddress.name_key.like(f"% {folded}%", escape="\\"),
            )
        )
    return [KnownRecipient(name, address, uses) for name, address, uses in session.execute(query)]


@lru_cache(maxsize=65536)
def _parsed(value: str) -> tuple[tuple[str, str], ...]:
    return tuple((box.name, box.key) for box in mailboxes(value) if "@" in box.address)


def _add_counts(session: Session, user_id: int, counted: dict[str, list[Any]]) -> None:
    rows = [
        {
            "user_id": user_id,
            "address": address[:320],
            "name": name,
            "name_key": _name_key(name),
            "uses": uses,
        }
        for address, (name, uses) in counted.items()
    ]
    for start in range(0, len(rows), ROWS_PER_UPSERT):
        _insert(session, KnownAddress, rows[start : start + ROWS_PER_UPSERT], "uses")


def _insert(
    session: Session, model: type[Any], rows: list[dict[str, Any]], adding: str | None
) -> None:
    """Insert ``rows``; on a known key add to the ``adding`` count (and keep a newer name)."""
    dialect = session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model).values(rows)
    keys = [column.name for column in model.__table__.primary_key.columns]
    if adding is None:
        statement = insert.on_conflict_do_nothing(index_elements=keys)
    else:
        newer = insert.excluded
        statement = insert.on_conflict_do_update(
            index_elements=keys,
            set_={
                adding: getattr(model, adding) + getattr(newer, adding),
                "name": case((newer.name != "", newer.name), else_=model.name),
                "name_key": case((newer.name != "", newer.name_key), else_=model.name_key),
            },
        )
    session.execute(statement)


def _name_key(name: str) -> str:
    return " ".join(name.replace('"', " ").replace(",", " ").casefold().split())


def _like_escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
