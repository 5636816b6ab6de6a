"""folders: each profile's server folders with their roles (Inbox, Sent, Trash, ...)

A new table only; messages keep naming their folder by name.

Revision ID: 0118
Revises: 0117
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0118"
down_revision = "0117"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "folders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("profile_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("delimiter", sa.String(length=8), nullable=True),
        sa.Column("role", sa.String(length=16), server_default="", nullable=False),
        sa.Column("subscribed", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("selectable", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.ForeignKeyConstraint(
            ["profile_id"],
            ["profiles.id"],
            name=op.f("fk_folders_profile_id_profiles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_folders")),
        sa.UniqueConstraint("profile_id", "name", name="uq_folders_profile_name"),
    )


def downgrade() -> None:
    op.drop_table("folders")
