"""mail: messages, attachments, sync state, server options, egress audit, full-text search

Revision ID: 0100
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0100"
down_revision = "0001"
branch_labels = None
depends_on = None

# Full-text search over subject, sender and body. SQLite: an FTS5 table whose content is the
# messages table itself (no second copy of every body), kept in step by triggers; the update
# trigger fires only when an indexed column changes, so marking mail read costs no re-indexing.
SQLITE_FTS = (
    "CREATE VIRTUAL TABLE messages_fts USING fts5(subject, sender, text, content='messages', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN "
    "INSERT INTO messages_fts(rowid, subject, sender, text) "
    "VALUES (new.id, new.subject, new.sender, new.text); END",
    "CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN "
    "INSERT INTO messages_fts(messages_fts, rowid, subject, sender, text) "
    "VALUES ('delete', old.id, old.subject, old.sender, old.text); END",
    "CREATE TRIGGER messages_fts_update AFTER UPDATE OF subject, sender, text ON messages BEGIN "
    "INSERT INTO messages_fts(messages_fts, rowid, subject, sender, text) "
    "VALUES ('delete', old.id, old.subject, old.sender, old.text); "
    "INSERT INTO messages_fts(rowid, subject, sender, text) "
    "VALUES (new.id, new.subject, new.sender, new.text); END",
)
# PostgreSQL: a GIN index on the same expression the inbox queries use (the 'simple' configuration,
# because mail arrives in every language); the body is capped below tsvector's 1 MB limit.
POSTGRES_FTS = (
    "CREATE INDEX ix_messages_fts ON messages USING GIN (to_tsvector('simple', "
    "coalesce(subject, '') || ' ' || coalesce(sender, '') || ' ' || left(coalesce(text, ''), "
    "100000)))",
)


def upgrade() -> None:
    op.create_table(
        "egress_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("profile_id", sa.Integer(), nullable=True),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("port", sa.Integer(), nullable=False),
        sa.Column("tls_version", sa.String(length=32), nullable=True),
        sa.Column("bytes_in", sa.BigInteger(), nullable=False),
        sa.Column("bytes_out", sa.BigInteger(), nullable=False),
        sa.Column("commands", sa.Text(), nullable=False),
        sa.Column("outcome", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["profile_id"],
            ["profiles.id"],
            name=op.f("fk_egress_events_profile_id_profiles"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_egress_events")),
    )
    with op.batch_alter_table("egress_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_egress_events_at"), ["at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_egress_events_profile_id"), ["profile_id"], unique=False
        )

    op.create_table(
        "mail_server_options",
        sa.Column("profile_id", sa.Integer(), nullable=False),
        sa.Column("allow_plaintext", sa.Boolean(), nullable=False),
        sa.Column("protocol_log", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["profile_id"],
            ["profiles.id"],
            name=op.f("fk_mail_server_options_profile_id_profiles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("profile_id", name=op.f("pk_mail_server_options")),
    )
    op.create_table(
        "mail_sync_states",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("profile_id", sa.Integer(), nullable=False),
        sa.Column("folder", sa.String(length=255), nullable=False),
        sa.Column("uidvalidity", sa.BigInteger(), nullable=False),
        sa.Column("highest_uid", sa.BigInteger(), nullable=False),
        sa.Column("highest_modseq", sa.BigInteger(), nullable=True),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["profile_id"],
            ["profiles.id"],
            name=op.f("fk_mail_sync_states_profile_id_profiles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_sync_states")),
        sa.UniqueConstraint("profile_id", "folder", name="uq_mail_sync_states_folder"),
    )
    op.create_table(
        "messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("profile_id", sa.Integer(), nullable=False),
        sa.Column("folder", sa.String(length=255), nullable=False),
        sa.Column("uidvalidity", sa.BigInteger(), nullable=True),
        sa.Column("uid", sa.BigInteger(), nullable=True),
        sa.Column("message_id", sa.String(length=998), nullable=True),
        sa.Column("sender", sa.Text(), nullable=False),
        sa.Column("to_addrs", sa.Text(), nullable=False),
        sa.Column("cc_addrs", sa.Text(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("date", sa.DateTime(timezone=True), nullable=False),
        sa.Column("date_guessed", sa.Boolean(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("html", sa.Text(), nullable=True),
        sa.Column("seen", sa.Boolean(), nullable=False),
        sa.Column("flagged", sa.Boolean(), nullable=False),
        sa.Column("flags_dirty", sa.Boolean(), nullable=False),
        sa.Column("body_loaded", sa.Boolean(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("parse_error", sa.Text(), nullable=True),
        sa.Column("raw", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["profile_id"],
            ["profiles.id"],
            name=op.f("fk_messages_profile_id_profiles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messages")),
        sa.UniqueConstraint(
            "profile_id", "folder", "uidvalidity", "uid", name="uq_messages_imap_uid"
        ),
    )
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.create_index("ix_messages_inbox", ["profile_id", "date", "id"], unique=False)
        batch_op.create_index(
            "ix_messages_profile_hash", ["profile_id", "content_hash"], unique=False
        )
        batch_op.create_index(
            "ix_messages_profile_message_id", ["profile_id", "message_id"], unique=False
        )

    op.create_table(
        "attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("filename_sent", sa.Text(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=255), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["messages.id"],
            name=op.f("fk_attachments_message_id_messages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachments")),
    )
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attachments_message_id"), ["message_id"], unique=False)

    dialect = op.get_bind().dialect.name
    for statement in SQLITE_FTS if dialect == "sqlite" else POSTGRES_FTS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS messages_fts_{trigger}")
        op.execute("DROP TABLE IF EXISTS messages_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_messages_fts")
    for table in ("attachments", "messages", "mail_sync_states", "mail_server_options"):
        op.drop_table(table)
    op.drop_table("egress_events")
