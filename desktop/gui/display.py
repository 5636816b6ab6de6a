"""Detecting a missing display before Qt aborts the process with a core dump."""

from __future__ import annotations

import os
import sys

NO_DISPLAY_MESSAGE = (
    "switchboard: error: no display found (DISPLAY and WAYLAND_DISPLAY are unset); "
    "run it in a desktop session, set QT_QPA_PLATFORM=offscreen, or use the command line "
    "(switchboard --help)"
)


def display_available() -> bool:
    """True when Qt can open a window: a platform was forced, or an X11/Wayland server is set."""
    if os.environ.get("QT_QPA_PLATFORM"):
        return True
    if not sys.platform.startswith("linux"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
