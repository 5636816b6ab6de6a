"""mail: PostgreSQL full-text index folds accents and splits addresses (no unaccent needed)

Revision ID: 0110
Revises: 0103
"""

from __future__ import annotations

from alembic import op

revision = "0110"
down_revision = "0103"
branch_labels = None
depends_on = None

ACCENTED = "àáâãäåāăąçćčďđèéêëēėęěìíîïīįłñńňòóôõöøōőŕřśšşťùúûüūůűųýÿźżž@.<>"
UNACCENTED = "aaaaaaaaacccddeeeeeeeeiiiiiilnnnoooooooorrssstuuuuuuuuyyzzz    "
FOLDED = (
    "CREATE INDEX ix_messages_fts ON messages USING GIN (to_tsvector('simple', translate(lower("
    "coalesce(subject, '') || ' ' || coalesce(sender, '') || ' ' || left(coalesce(text, ''), "
    f"100000)), '{ACCENTED}', '{UNACCENTED}')))"
)
PLAIN = (
    "CREATE INDEX ix_messages_fts ON messages USING GIN (to_tsvector('simple', "
    "coalesce(subject, '') || ' ' || coalesce(sender, '') || ' ' || left(coalesce(text, ''), "
    "100000)))"
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_messages_fts")
        op.execute(FOLDED)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_messages_fts")
        op.execute(PLAIN)
