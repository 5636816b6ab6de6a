"""mail: indexes for the inbox by sender and by subject

Each profile's mail in the order of the folded sender or subject, then date and id, so that the
unified inbox sorted either way reads one seek and one page per profile, as it does by date. The
expressions must stay identical to ``SENDER_SORT_KEY`` and ``SUBJECT_SORT_KEY`` of the models.

Revision ID: 0114
Revises: 0113
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0114"
down_revision = "0113"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_messages_sender_order",
        "messages",
        ["profile_id", sa.text("ltrim(lower(sender), '\" ')"), "date", "id"],
    )
    op.create_index(
        "ix_messages_subject_order",
        "messages",
        ["profile_id", sa.text("lower(subject)"), "date", "id"],
    )


def downgrade() -> None:
    op.drop_index("ix_messages_subject_order", table_name="messages")
    op.drop_index("ix_messages_sender_order", table_name="messages")
