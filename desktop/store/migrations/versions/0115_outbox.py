"""outbox: SMTP servers of profiles, the outbox, and the envelope of SMTP connections in egress

Revision ID: 0115
Revises: 0114
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0115"
down_revision = "0114"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "smtp_servers",
        sa.Column("profile_id", sa.Integer(), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("port", sa.Integer(), nullable=False),
        sa.Column("security", sa.String(length=16), nullable=False),
        sa.Column("user", sa.String(length=320), nullable=True),
        sa.Column("ca_file", sa.Text(), nullable=True),
        sa.Column("own_password", sa.Boolean(), nullable=False),
        sa.Column("server_saves_sent", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["profile_id"],
            ["profiles.id"],
            name=op.f("fk_smtp_servers_profile_id_profiles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("profile_id", name=op.f("pk_smtp_servers")),
    )
    op.create_table(
        "outbox_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("profile_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=24), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("envelope_sender", sa.String(length=320), nullable=False),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("message_id", sa.String(length=998), nullable=True),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("copy_saved", sa.Boolean(), nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["profile_id"],
            ["profiles.id"],
            name=op.f("fk_outbox_messages_profile_id_profiles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_messages")),
    )
    op.create_index(
        op.f("ix_outbox_messages_profile_id"), "outbox_messages", ["profile_id"], unique=False
    )
    op.create_index(op.f("ix_outbox_messages_state"), "outbox_messages", ["state"], unique=False)
    op.add_column("egress_events", sa.Column("envelope_sender", sa.String(320), nullable=True))
    op.add_column("egress_events", sa.Column("recipient_count", sa.Integer(), nullable=True))
    op.add_column("egress_events", sa.Column("recipient_domains", sa.Text(), nullable=True))
    op.add_column("egress_events", sa.Column("message_ids", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("egress_events") as batch:
        for column in ("message_ids", "recipient_domains", "recipient_count", "envelope_sender"):
            batch.drop_column(column)
    op.drop_index(op.f("ix_outbox_messages_state"), table_name="outbox_messages")
    op.drop_index(op.f("ix_outbox_messages_profile_id"), table_name="outbox_messages")
    op.drop_table("outbox_messages")
    op.drop_table("smtp_servers")
