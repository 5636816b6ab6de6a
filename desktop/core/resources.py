"""Where the read-only data shipped with the app lives.

It sits in core, not beside the writable locations in ``desktop.paths``, because core reads its
layouts from it and imports nothing else of ours.
"""

from __future__ import annotations

import sys
from pathlib import Path


def resources_dir() -> Path:
    """Beside the package in a checkout, or inside the PyInstaller bundle."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle is not None:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parent.parent.parent / "resources"
