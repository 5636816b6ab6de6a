"""Logging to a rotating file in the app home.

The log is for diagnosing sync and start-up problems on a user's machine. It must never hold
message content or secrets, so modules log identifiers (profile ids, hosts, counts) only, the
store's errors never carry a statement's values (``hide_parameters``, see
:mod:`desktop.store.engine`) and mail records leave their content out of their reprs.

One thing a module cannot control is the text of a database server's error, which a traceback
shows: PostgreSQL adds ``DETAIL: Failing row contains (...)`` (the whole row: a subject, a
body) or ``Key (...)=(...)``. The log's formatter drops those lines, and any SQLAlchemy
``[parameters: ...]`` line, from every record, whoever logged it.
"""

from __future__ import annotations

import logging
import logging.handlers
import re

from desktop.paths import logs_dir

LOG_FILE_NAME = "switchboard.log"
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_ROW_VALUES = re.compile(r"^(\s*)(DETAIL:|\[parameters:).*$", re.MULTILINE)


class _WithoutRowValues(logging.Formatter):
    """Formats as usual, then replaces each line that repeats a row's values."""

    def format(self, record: logging.LogRecord) -> str:
        return _ROW_VALUES.sub(r"\1\2 [values hidden]", super().format(record))


def configure_logging(level: int = logging.INFO) -> logging.Handler:
    """Attach one rotating file handler to the root logger (idempotent per log file)."""
    path = logs_dir() / LOG_FILE_NAME
    root = logging.getLogger()
    for handler in root.handlers:
        if isinstance(
            handler, logging.handlers.RotatingFileHandler
        ) and handler.baseFilename == str(path):
            return handler
    handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=2_000_000, backupCount=5, encoding="utf-8"
    )
    handler.setFormatter(_WithoutRowValues(_FORMAT))
    root.addHandler(handler)
    root.setLevel(level)
    path.chmod(0o600)
    return handler
