"""Where the read-only data shipped with the app lives.

It sits in core, not beside the writable locations in ``desktop.paths``, because core reads its
layouts from it and imports nothing else of ours.
"""

from __future__ import annotations

import sys
from pathlib import Path


def resources_dir() -> Path:
    """Inside the PyInstaller bundle, inside the package when installed, or beside the checkout."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle is not None:
        return Path(bundle) / "resources"
    package = Path(__file__).resolve().parent.parent
    installed = package / "resources"
    return installed if installed.is_dir() else package.parent / "resources"
