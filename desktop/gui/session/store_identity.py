"""Which store a launch opens, as one string: two launches on one store are one app.

Kept apart from the backend so that a second launch, which only hands its arguments over,
does not load the services to find out where the store is.
"""

from __future__ import annotations

from pathlib import Path

from desktop.store.engine import default_database_url

_SQLITE = "sqlite:///"


def store_identity(database_url: str | None = None) -> str:
    """The URL the store is opened with; a SQLite file by its resolved path, so a relative
    ``SWITCHBOARD_HOME`` or a symlink names the same store from any folder."""
    url = database_url or default_database_url()
    if url.startswith(_SQLITE) and url != f"{_SQLITE}:memory:":
        return _SQLITE + str(Path(url[len(_SQLITE) :]).resolve())
    return url
