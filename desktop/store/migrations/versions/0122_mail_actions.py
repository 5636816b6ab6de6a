"""mail actions: moves and permanent deletes made in the app, waiting to be told to the server

A new table only.

Revision ID: 0122
Revises: 0121
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0122"
down_revision = "0121"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mail_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("profile_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("batch", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("folder", sa.String(length=255), nullable=False),
        sa.Column("uidvalidity", sa.BigInteger(), nullable=False),
        sa.Column("uid", sa.BigInteger(), nullable=False),
        sa.Column("after", sa.Integer(), nullable=True),
        sa.Column("target", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["profile_id"],
            ["profiles.id"],
            name=op.f("fk_mail_actions_profile_id_profiles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_mail_actions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["messages.id"],
            name=op.f("fk_mail_actions_message_id_messages"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_actions")),
    )
    op.create_index("ix_mail_actions_profile", "mail_actions", ["profile_id", "id"])
    op.create_index(
        op.f("ix_mail_actions_message_id"), "mail_actions", ["message_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_mail_actions_message_id"), table_name="mail_actions")
    op.drop_index("ix_mail_actions_profile", table_name="mail_actions")
    op.drop_table("mail_actions")
