"""mail: indexes for the folder views (one folder of a profile, and flagged mail)

Each folder of each profile newest first, so that the unified Sent, Trash, ... and one folder's
list read one seek and one page per folder, as the unified inbox did per profile; and flagged
mail alone, a small part of a big mailbox, for the Flagged view.

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
