"""Logging to a rotating file in the app home.

The log is for diagnosing sync and start-up problems on a user's machine. It must never hold
message content or secrets, so modules log identifiers (profile ids, hosts, counts) only.
"""

from __future__ import annotations

import logging
import logging.handlers

from desktop.paths import logs_dir

LOG_FILE_NAME = "switchboard.log"
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


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
    handler.setFormatter(logging.Formatter(_FORMAT))
    root.addHandler(handler)
    root.setLevel(level)
    path.chmod(0o600)
    return handler
