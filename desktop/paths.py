"""Every folder and file location the app uses, decided in one place.

Tests and scripts point ``SWITCHBOARD_HOME`` at a temporary folder; because nothing else in the
code computes a path, that one variable is enough to keep a run from touching the user's real data.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "Switchboard"
HOME_ENV = "SWITCHBOARD_HOME"


def app_home() -> Path:
    """The folder holding the store, logs and settings, created private (0700) on first use."""
    override = os.environ.get(HOME_ENV)
    home = (
        Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    )
    home.mkdir(parents=True, exist_ok=True, mode=0o700)
    return home


def logs_dir() -> Path:
    path = app_home() / "logs"
    path.mkdir(exist_ok=True, mode=0o700)
    return path


def settings_file() -> Path:
    """QSettings are kept as an INI file in the app home so that tests and audits can read it."""
    return app_home() / "settings.ini"


def store_file() -> Path:
    return app_home() / "switchboard.sqlite3"


def instance_lock_file(key: str) -> Path:
    """Held by the running app for one store: whoever holds it is the app, later launches hand
    over to it (the OS frees it when the app dies, so a crash leaves nothing to clean up)."""
    return app_home() / f"{key}.lock"


def opened_attachments_dir() -> Path:
    """Where attachments opened in another app are written, each in a private folder.

    The desktop's runtime folder when it has one (``XDG_RUNTIME_DIR``: owner-only, in memory,
    emptied at logout), so that the plaintext of an attachment never reaches the disk; else, and
    always when ``SWITCHBOARD_HOME`` is set, a folder in the app home. The app empties it when
    the reader closes, at lock, sign-out and quit, and at start (what a crash left).
    """
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    if os.environ.get(HOME_ENV) is None and runtime and Path(runtime).is_dir():
        return Path(runtime) / APP_NAME / "opened"
    return app_home() / "opened"


def autostart_file() -> Path:
    """The desktop's autostart entry (XDG Autostart): with the opened attachments in the
    runtime folder, the only file written outside the app home, and only when the user turns
    autostart on."""
    return platformdirs.user_config_path() / "autostart" / "switchboard.desktop"
