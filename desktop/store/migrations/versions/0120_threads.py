"""threads: each profile's conversations, with what the threaded list shows, kept up to date

Adds ``threads``, ``thread_refs`` and ``messages.thread_id``, threads the mail already stored
(JWZ, ``desktop.store.thread_upkeep.assign_all``), and triggers that keep each thread's unread
count when a seen flag changes and its count and latest date when a message is deleted (a
thread left empty goes). Inserts are threaded by the writer, which the triggers do not repeat.

Revision ID: 0120
Revises: 0119
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from desktop.store.thread_upkeep import assign_all

revision = "0120"
down_revision = "0119"
branch_labels = None
depends_on = None

_ON_SEEN = (
    "UPDATE threads SET unread_count = unread_count + CASE WHEN NEW.seen THEN -1 ELSE 1 END "
    "WHERE id = NEW.thread_id"
)
_ON_DELETE = (
    "UPDATE threads SET message_count = message_count - 1, "
    "unread_count = unread_count - CASE WHEN OLD.seen THEN 0 ELSE 1 END, "
    "latest_date = coalesce((SELECT max(date) FROM messages WHERE thread_id = OLD.thread_id), "
    "latest_date) WHERE id = OLD.thread_id; "
    "DELETE FROM threads WHERE id = OLD.thread_id AND message_count <= 0"
)


def upgrade() -> None:
    op.create_table(
        "threads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("profile_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("subject_key", sa.Text(), nullable=False),
        sa.Column("message_count", sa.Integer(), nullable=False),
        sa.Column("unread_count", sa.Integer(), nullable=False),
        sa.Column("participants", sa.Text(), nullable=False),
        sa.Column("latest_date", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["profile_id"],
            ["profiles.id"],
            name=op.f("fk_threads_profile_id_profiles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_threads")),
    )
    op.create_index("ix_threads_page", "threads", ["profile_id", "latest_date", "id"])
    op.create_index("ix_threads_subject", "threads", ["profile_id", "subject_key"])
    op.create_table(
        "thread_refs",
        sa.Column("profile_id", sa.Integer(), nullable=False),
        sa.Column("ref_id", sa.String(length=998), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["profile_id"],
            ["profiles.id"],
            name=op.f("fk_thread_refs_profile_id_profiles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["threads.id"],
            name=op.f("fk_thread_refs_thread_id_threads"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("profile_id", "ref_id", name=op.f("pk_thread_refs")),
    )
    op.create_index(op.f("ix_thread_refs_thread_id"), "thread_refs", ["thread_id"])
    op.add_column("messages", sa.Column("thread_id", sa.Integer(), nullable=True))
    op.create_index("ix_messages_thread", "messages", ["thread_id", "date", "id"])
    assign_all(op.get_bind())
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_triggers()
    else:
        _sqlite_triggers()


def _sqlite_triggers() -> None:
    op.execute(
        "CREATE TRIGGER messages_thread_seen AFTER UPDATE OF seen ON messages "
        "WHEN OLD.seen <> NEW.seen AND NEW.thread_id IS NOT NULL "
        f"BEGIN {_ON_SEEN}; END"
    )
    op.execute(
        "CREATE TRIGGER messages_thread_delete AFTER DELETE ON messages "
        f"WHEN OLD.thread_id IS NOT NULL BEGIN {_ON_DELETE}; END"
    )


def _postgresql_triggers() -> None:
    op.execute(
        "CREATE FUNCTION messages_thread_seen() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN {_ON_SEEN}; RETURN NULL; END $$"
    )
    op.execute(
        "CREATE TRIGGER messages_thread_seen AFTER UPDATE OF seen ON messages FOR EACH ROW "
        "WHEN (OLD.seen <> NEW.seen AND NEW.thread_id IS NOT NULL) "
        "EXECUTE FUNCTION messages_thread_seen()"
    )
    op.execute(
        "CREATE FUNCTION messages_thread_delete() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN {_ON_DELETE}; RETURN NULL; END $$"
    )
    op.execute(
        "CREATE TRIGGER messages_thread_delete AFTER DELETE ON messages FOR EACH ROW "
        "WHEN (OLD.thread_id IS NOT NULL) EXECUTE FUNCTION messages_thread_delete()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS messages_thread_seen ON messages")
        op.execute("DROP TRIGGER IF EXISTS messages_thread_delete ON messages")
        op.execute("DROP FUNCTION IF EXISTS messages_thread_seen()")
        op.execute("DROP FUNCTION IF EXISTS messages_thread_delete()")
    else:
        op.execute("DROP TRIGGER IF EXISTS messages_thread_seen")
        op.execute("DROP TRIGGER IF EXISTS messages_thread_delete")
    op.drop_index("ix_messages_thread", table_name="messages")
    op.drop_column("messages", "thread_id")
    op.drop_table("thread_refs")
    op.drop_table("threads")
