"""Many rows in few SQLite statements, sent straight to the driver, for the store's bulk writers.

The mail writer (``desktop.services.mail.storing``) and thread upkeep
(:mod:`desktop.store.thread_upkeep`) each write thousands of rows per batch of a sync or an
import. Through SQLAlchemy, each row cost tens of microseconds of parameter processing in Python,
as much as parsing the message, all of it holding the GIL that the parsing and fetching threads
need; and ``executemany`` steps once per row, releasing and retaking the GIL each time, so a
writer thread crawled behind the parser (each retake waited up to a switch interval, 5 ms).
A statement of up to :data:`ROWS_PER_STATEMENT` rows binds in C and releases the GIL once for all
of them; longer ones would only make the statement text (and its compiling) grow.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection

from desktop.store.cipher import variable_limit

ROWS_PER_STATEMENT = 500


def sqlite_timestamp(value: datetime) -> str:
    """A datetime as UTCDateTime writes it on SQLite (``YYYY-MM-DD HH:MM:SS.ffffff``, UTC), for
    statements sent to the driver directly; ``isoformat`` takes a third of strftime's time."""
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _chunks(connection: Connection, width: int, rows: Sequence[Any]) -> Iterator[Sequence[Any]]:
    """``rows`` in pieces of at most :data:`ROWS_PER_STATEMENT`, fewer if SQLite takes fewer
    parameters (``width`` per row)."""
    limit = variable_limit(connection.connection.driver_connection)
    per_statement = max(1, min(ROWS_PER_STATEMENT, limit // max(1, width)))
    for start in range(0, len(rows), per_statement):
        yield rows[start : start + per_statement]


def insert_rows(
    connection: Connection,
    table: str,
    columns: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
    suffix: str = "",
) -> None:
    """``INSERT INTO table (columns) VALUES (...), (...) suffix``, a few hundred rows a statement.

    ``suffix`` is an ``ON CONFLICT`` clause, if any; values are given as the driver takes them
    (dates through :func:`sqlite_timestamp`).
    """
    if not rows:
        return
    marks = "(" + ", ".join("?" * len(columns)) + ")"
    for chunk in _chunks(connection, len(columns), rows):
        connection.exec_driver_sql(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
            f"{', '.join([marks] * len(chunk))}{suffix}",
            tuple(itertools.chain.from_iterable(chunk)),
        )


def update_by_id(
    connection: Connection, table: str, column: str, pairs: Sequence[tuple[int, Any]]
) -> None:
    """``UPDATE table SET column = value WHERE id = row`` for each (row, value), a few hundred
    rows a statement (``UPDATE ... FROM (VALUES ...)``, SQLite 3.33 and later)."""
    for chunk in _chunks(connection, 2, pairs):
        values = ", ".join(["(?, ?)"] * len(chunk))
        connection.exec_driver_sql(
            f"UPDATE {table} SET {column} = changed.column2 FROM (VALUES {values}) AS changed "
            f"WHERE {table}.id = changed.column1",
            tuple(itertools.chain.from_iterable(chunk)),
        )


def select_in(
    connection: Connection, query: str, values: Sequence[Any], *before: Any
) -> list[tuple[Any, ...]]:
    """The rows of ``query`` whose one ``{}`` becomes ``?, ?, ...`` for each of ``values``, in
    chunks; ``before`` are the parameters ahead of the list."""
    found: list[tuple[Any, ...]] = []
    for chunk in _chunks(connection, 1, values):
        marks = ", ".join("?" * len(chunk))
        result = connection.exec_driver_sql(query.format(marks), (*before, *chunk))
        found.extend(tuple(row) for row in result)
    return found
