"""mail: partial index for unread counts per profile

Revision ID: 0101
Revises: 0100
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0101"
down_revision = "0100"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_messages_unread",
        "messages",
        ["profile_id"],
        sqlite_where=sa.text("seen = 0"),
        postgresql_where=sa.text("NOT seen"),
    )


def downgrade() -> None:
    op.drop_index("ix_messages_unread", table_name="messages")
