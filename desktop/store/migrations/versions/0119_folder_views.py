"""mail: indexes for the folder views (one folder of a profile, and flagged mail)

Each folder of each profile newest first, so that the unified Sent, Trash, ... and one folder's
list read one seek and one page per folder, as the unified inbox did per profile; and flagged
mail alone, a small part of a big mailbox, for the Flagged view. The unread index gains the
folder, so that the sidebar's unread count of every folder is one pass over the unread rows
(per profile, as before, it is the same index's prefix).

Revision ID: 0119
Revises: 0118
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0119"
down_revision = "0118"
branch_labels = None
depends_on = None


def upgrade() -> None:
    _unread_index(["profile_id", "folder"])
    op.create_index("ix_messages_folder", "messages", ["profile_id", "folder", "date", "id"])
    op.create_index(
        "ix_messages_flagged",
        "messages",
        ["profile_id", "date", "id"],
        sqlite_where=sa.text("flagged = 1"),
        postgresql_where=sa.text("flagged"),
    )


def downgrade() -> None:
    op.drop_index("ix_messages_flagged", table_name="messages")
    op.drop_index("ix_messages_folder", table_name="messages")
    _unread_index(["profile_id"])


def _unread_index(columns: list[str]) -> None:
    op.drop_index("ix_messages_unread", table_name="messages")
    op.create_index(
        "ix_messages_unread",
        "messages",
        columns,
        sqlite_where=sa.text("seen = 0"),
        postgresql_where=sa.text("NOT seen"),
    )
