"""profile colour as #rrggbb: narrow profiles.colour from 16 to 7 characters

Revision ID: 0103
Revises: 0102
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from desktop.store.narrowing import narrow_string_column

revision = "0103"
down_revision = "0102"
branch_labels = None
depends_on = None


def upgrade() -> None:
    narrow_string_column("profiles", "colour", 16, 7)


def downgrade() -> None:
    with op.batch_alter_table("profiles") as batch:
        batch.alter_column(
            "colour", existing_type=sa.String(7), type_=sa.String(16), existing_nullable=False
        )
