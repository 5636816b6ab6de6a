"""Icons from ``resources/icons``: SVG, so Qt renders them crisp at any scale factor."""

from __future__ import annotations

from PySide6.QtGui import QIcon

from desktop.core.resources import resources_dir


def icon_path(name: str) -> str:
    return str(resources_dir() / "icons" / f"{name}.svg")


def icon(name: str) -> QIcon:
    return QIcon(icon_path(name))
