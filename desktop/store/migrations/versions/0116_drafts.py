"""compose: drafts and their attachments, signatures, the address book, Reply-To and References

Writing mail needs what reading did not keep: where a message's replies go (Reply-To) and the
thread it belongs to (References), both read from the headers of mail stored from now on (older
mail answers its sender and starts the thread at its own Message-ID). Drafts keep their
attachments as bytes, so a draft reopened after a crash is whole even if its files are gone.

Revision ID: 0116
Revises: 0115
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0116"
down_revision = "0115"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN: a batch rebuild of ``messages`` would drop its full-text triggers.
    op.add_column("messages", sa.Column("reply_to", sa.Text(), server_default="", nullable=False))
    op.add_column(
        "messages", sa.Column("reference_ids", sa.Text(), server_default="", nullable=False)
    )
    op.create_table(
        "drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("profile_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("is_html", sa.Boolean(), nullable=False),
        sa.Column("in_reply_to", sa.String(length=998), nullable=True),
        sa.Column("reference_ids", sa.Text(), nullable=False),
        sa.Column("original_message_id", sa.Integer(), nullable=True),
        sa.Column("origin_profile_id", sa.Integer(), nullable=True),
        sa.Column("organization_confirmed", sa.Boolean(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["profile_id"],
            ["profiles.id"],
            name=op.f("fk_drafts_profile_id_profiles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["original_message_id"],
            ["messages.id"],
            name=op.f("fk_drafts_original_message_id_messages"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["origin_profile_id"],
            ["profiles.id"],
            name=op.f("fk_drafts_origin_profile_id_profiles"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drafts")),
        sa.UniqueConstraint("key", name=op.f("uq_drafts_key")),
    )
    op.create_index("ix_drafts_profile_updated", "drafts", ["profile_id", "updated_at"])
    op.create_table(
        "draft_attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("filename", sa.Text(), nullable=False),
        sa.Column("content_type", sa.String(length=255), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["draft_id"],
            ["drafts.id"],
            name=op.f("fk_draft_attachments_draft_id_drafts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_draft_attachments")),
    )
    op.create_index(op.f("ix_draft_attachments_draft_id"), "draft_attachments", ["draft_id"])
    op.create_table(
        "signatures",
        sa.Column("profile_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["profile_id"],
            ["profiles.id"],
            name=op.f("fk_signatures_profile_id_profiles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("profile_id", name=op.f("pk_signatures")),
    )
    op.create_table(
        "address_book",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=320), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("name_key", sa.Text(), nullable=False),
        sa.Column("uses", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_address_book_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "address", name=op.f("pk_address_book")),
    )
    op.create_index("ix_address_book_uses", "address_book", ["user_id", "uses"])
    op.create_table(
        "address_book_scans",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("last_message_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_address_book_scans_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_address_book_scans")),
    )


def downgrade() -> None:
    op.drop_table("address_book_scans")
    op.drop_index("ix_address_book_uses", table_name="address_book")
    op.drop_table("address_book")
    op.drop_table("signatures")
    op.drop_index(op.f("ix_draft_attachments_draft_id"), table_name="draft_attachments")
    op.drop_table("draft_attachments")
    op.drop_index("ix_drafts_profile_updated", table_name="drafts")
    op.drop_table("drafts")
    op.drop_column("messages", "reference_ids")
    op.drop_column("messages", "reply_to")
