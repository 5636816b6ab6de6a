"""``switchboard autostart``: the XDG Autostart entry that starts the app in the tray at login.

The entry names the program that wrote it (the bundle's executable, or the ``switchboard``
script of the environment it runs from), so it starts the same installation the user set it
up from, whether that is the .deb, a venv or ``pip install --user``.
"""

from __future__ import annotations

import argparse
import os
import sys
import sysconfig
from pathlib import Path

from desktop.paths import autostart_file

_ESCAPED = ("\\", '"', "`", "$")


def program() -> Path:
    if getattr(sys, "frozen", False):
        return Path(sys.executable)
    return Path(sysconfig.get_path("scripts")) / "switchboard"


def exec_argument(path: Path) -> str:
    """Quoted as the Desktop Entry Specification asks, so a folder with a space still works."""
    text = str(path)
    for character in _ESCAPED:
        text = text.replace(character, "\\" + character)
    return f'"{text}"'


def entry() -> str:
    return (
        "[Desktop Entry]\n"
        "Type=Application\n"
        "Name=Switchboard\n"
        "Comment=Start Switchboard in the tray\n"
        "Icon=switchboard\n"
        f"Exec={exec_argument(program())} --tray\n"
        "Terminal=false\n"
        "X-GNOME-Autostart-enabled=true\n"
    )


def run_on(_args: argparse.Namespace) -> int:
    path = autostart_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    partial.write_text(entry(), encoding="utf-8")
    os.replace(partial, path)
    print(f"Switchboard will start in the tray when you log in ({path}).")
    return 0


def run_off(_args: argparse.Namespace) -> int:
    path = autostart_file()
    path.unlink(missing_ok=True)
    print("Switchboard will no longer start when you log in.")
    return 0


def run_status(_args: argparse.Namespace) -> int:
    if autostart_file().is_file():
        print("Switchboard starts in the tray when you log in.")
    else:
        print("Switchboard does not start when you log in.")
    return 0
