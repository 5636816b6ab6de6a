"""draft uploads: the copies of drafts saved to each profile's Drafts folder on the server

One row per server copy (or APPEND in progress), so a restart knows what is already there and
which old copies to delete; nothing in the existing tables changes.

Revision ID: 0117
Revises: 0116
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0117"
down_revision = "0116"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "draft_uploads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("profile_id", sa.Integer(), nullable=False),
        sa.Column("draft_key", sa.String(length=64), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("folder", sa.Text(), nullable=False),
        sa.Column("message_id", sa.String(length=998), nullable=False),
        sa.Column("uidvalidity", sa.BigInteger(), nullable=True),
        sa.Column("uid", sa.BigInteger(), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["profile_id"],
            ["profiles.id"],
            name=op.f("fk_draft_uploads_profile_id_profiles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_draft_uploads")),
    )
    op.create_index(op.f("ix_draft_uploads_profile_id"), "draft_uploads", ["profile_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_draft_uploads_profile_id"), table_name="draft_uploads")
    op.drop_table("draft_uploads")
