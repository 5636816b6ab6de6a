"""mail: index on (date, id) for searches of common words, newest first

Revision ID: 0111
Revises: 0110
"""

from __future__ import annotations

from alembic import op

revision = "0111"
down_revision = "0110"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_messages_date", "messages", ["date", "id"])


def downgrade() -> None:
    op.drop_index("ix_messages_date", table_name="messages")
