"""sign-in: slow down wrong passwords, remember me

Revision ID: 0102
Revises: 0101
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0102"
down_revision = "0101"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("failed_sign_ins", sa.Integer(), server_default="0", nullable=False)
        )
        batch.add_column(
            sa.Column("sign_in_blocked_until", sa.DateTime(timezone=True), nullable=True)
        )
    op.create_table(
        "remembered_sign_ins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_remembered_sign_ins_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_remembered_sign_ins")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_remembered_sign_ins_token_hash")),
    )
    op.create_index(
        op.f("ix_remembered_sign_ins_user_id"), "remembered_sign_ins", ["user_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_remembered_sign_ins_user_id"), table_name="remembered_sign_ins")
    op.drop_table("remembered_sign_ins")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("sign_in_blocked_until")
        batch.drop_column("failed_sign_ins")
