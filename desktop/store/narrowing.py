"""Narrowing a column in a migration without cutting anyone's data.

PostgreSQL would refuse an ALTER that truncates, but SQLite silently keeps over-long values and
the app would later trip over them; either way the user deserves to hear which rows are in the
way before anything changes. Only row keys and lengths are named, never the values: they may be
patient data.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

ROWS_NAMED = 20


class ColumnTooWideError(RuntimeError):
    """Some rows hold values that the narrower column could not keep."""


def narrow_string_column(
    table: str,
    column: str,
    old_length: int | None,
    new_length: int,
    *,
    key_column: str = "id",
    nullable: bool = False,
) -> None:
    """Change ``table.column`` to ``String(new_length)`` after checking that every value fits.

    Refuses with :class:`ColumnTooWideError` naming the offending rows by ``key_column``.
    """
    connection = op.get_bind()
    target = sa.table(table, sa.column(key_column), sa.column(column, sa.String()))
    length = sa.func.length(target.c[column])
    too_long = connection.execute(
        sa.select(target.c[key_column], length)
        .where(length > new_length)
        .order_by(target.c[key_column])
    ).all()
    if too_long:
        shown = ", ".join(
            f"{key_column} {key} ({size} characters)" for key, size in too_long[:ROWS_NAMED]
        )
        more = f" and {len(too_long) - ROWS_NAMED} more" if len(too_long) > ROWS_NAMED else ""
        raise ColumnTooWideError(
            f"cannot narrow {table}.{column} to {new_length} characters: {len(too_long)} row(s) "
            f"hold longer values: {shown}{more}; shorten them and start again"
        )
    existing = sa.String(old_length) if old_length is not None else sa.Text()
    with op.batch_alter_table(table) as batch:
        batch.alter_column(
            column, existing_type=existing, type_=sa.String(new_length), existing_nullable=nullable
        )
