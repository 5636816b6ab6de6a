"""mail: one row per Message-ID, or without one per exact bytes, of mail held outside IMAP

Until now only the importer's reading of known IDs kept duplicates out, so two imports running
at once stored every message twice. This revision merges the duplicates already stored, then
lets the store refuse new ones with two partial unique indexes (writers skip conflicts).

What is kept of each set of duplicates (same profile and Message-ID, or without Message-ID the
same content hash; only rows without an IMAP UID, as in the indexes):

* the oldest row (lowest id), with its date, folder, text and full-text entry;
* seen and flagged if any copy was: the person read or flagged the message, whichever copy;
* its own attachments, or, if it has none, those of the oldest copy that has any (copies of one
  message carry the same files, and an attachment is never dropped while a copy had it);
* the other copies are deleted with their remaining attachments (the full-text trigger removes
  their index entries).

Synced mail is left alone: its identity is (folder, UIDVALIDITY, UID), already unique.

Revision ID: 0113
Revises: 0112
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0113"
down_revision = "0112"
branch_labels = None
depends_on = None

MESSAGE_ID_WHERE = "uid IS NULL AND message_id IS NOT NULL"
HASH_WHERE = "uid IS NULL AND message_id IS NULL"

messages = sa.table(
    "messages",
    sa.column("id", sa.Integer),
    sa.column("profile_id", sa.Integer),
    sa.column("uid", sa.BigInteger),
    sa.column("message_id", sa.String),
    sa.column("content_hash", sa.String),
    sa.column("seen", sa.Boolean),
    sa.column("flagged", sa.Boolean),
)
attachments = sa.table(
    "attachments", sa.column("id", sa.Integer), sa.column("message_id", sa.Integer)
)


def upgrade() -> None:
    connection = op.get_bind()
    merges = _duplicates(connection, messages.c.message_id, messages.c.message_id.is_not(None))
    merges += _duplicates(connection, messages.c.content_hash, messages.c.message_id.is_(None))
    if merges:
        _merge(connection, merges)
    op.drop_index("ix_messages_profile_message_id", table_name="messages")
    op.drop_index("ix_messages_profile_hash", table_name="messages")
    op.create_index(
        "uq_messages_profile_message_id",
        "messages",
        ["profile_id", "message_id"],
        unique=True,
        sqlite_where=sa.text(MESSAGE_ID_WHERE),
        postgresql_where=sa.text(MESSAGE_ID_WHERE),
    )
    op.create_index(
        "uq_messages_profile_hash",
        "messages",
        ["profile_id", "content_hash"],
        unique=True,
        sqlite_where=sa.text(HASH_WHERE),
        postgresql_where=sa.text(HASH_WHERE),
    )


def downgrade() -> None:
    op.drop_index("uq_messages_profile_hash", table_name="messages")
    op.drop_index("uq_messages_profile_message_id", table_name="messages")
    op.create_index("ix_messages_profile_hash", "messages", ["profile_id", "content_hash"])
    op.create_index("ix_messages_profile_message_id", "messages", ["profile_id", "message_id"])


def _duplicates(
    connection: sa.Connection, key: sa.ColumnElement[str], which: sa.ColumnElement[bool]
) -> list[tuple[int, int]]:
    """(copy, keeper) for every row that has an older row with the same profile and key."""
    keeper = sa.func.min(messages.c.id).over(partition_by=(messages.c.profile_id, key))
    grouped = (
        sa.select(messages.c.id.label("copy"), keeper.label("keeper"))
        .where(messages.c.uid.is_(None), which)
        .subquery()
    )
    rows = connection.execute(
        sa.select(grouped.c.copy, grouped.c.keeper).where(grouped.c.copy != grouped.c.keeper)
    )
    return [(copy, keeper) for copy, keeper in rows]


def _merge(connection: sa.Connection, merges: list[tuple[int, int]]) -> None:
    copies_of: dict[int, list[int]] = {}
    for copy, keeper in merges:
        copies_of.setdefault(keeper, []).append(copy)
    copies = [copy for copy, _keeper in merges]
    involved = [*copies_of, *copies]
    flags: dict[int, tuple[bool, bool]] = {}
    with_files: set[int] = set()
    for chunk in _chunks(involved):
        for row in connection.execute(
            sa.select(messages.c.id, messages.c.seen, messages.c.flagged).where(
                messages.c.id.in_(chunk)
            )
        ):
            flags[row.id] = (bool(row.seen), bool(row.flagged))
        with_files.update(
            connection.scalars(
                sa.select(attachments.c.message_id)
                .where(attachments.c.message_id.in_(chunk))
                .distinct()
            )
        )
    for keeper, its_copies in copies_of.items():
        rows = [keeper, *sorted(its_copies)]
        seen = any(flags[row][0] for row in rows)
        flagged = any(flags[row][1] for row in rows)
        if (seen, flagged) != flags[keeper]:
            connection.execute(
                sa.update(messages)
                .where(messages.c.id == keeper)
                .values(seen=seen, flagged=flagged)
            )
        if keeper not in with_files:
            donor = next((copy for copy in rows[1:] if copy in with_files), None)
            if donor is not None:
                connection.execute(
                    sa.update(attachments)
                    .where(attachments.c.message_id == donor)
                    .values(message_id=keeper)
                )
    # SQLite's foreign keys are off while migrating (see env.py): delete attachments explicitly.
    for chunk in _chunks(copies):
        connection.execute(sa.delete(attachments).where(attachments.c.message_id.in_(chunk)))
        connection.execute(sa.delete(messages).where(messages.c.id.in_(chunk)))


def _chunks(ids: list[int], size: int = 500) -> list[list[int]]:
    """Bounded IN lists: SQLite limits the parameters of one statement."""
    return [ids[start : start + size] for start in range(0, len(ids), size)]
