"""``switchboard --tray`` (the autostart entry) starts with only the tray icon, never with nothing.

Run in a child process like tests/gui/test_launch.py. The offscreen platform has no tray, so the
probe reports one where asked: what is tested is the window's choice, not Qt's tray.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import Seeded
from sqlalchemy import Engine

pytestmark = pytest.mark.gui

PROBE = textwrap.dedent(
    """
    import sys, time
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QSystemTrayIcon
    from desktop.gui.launch import run_gui
    from desktop.gui.mainwindow.window import MainWindow
    from desktop.gui.signin.sign_in_page import SignInPage

    if sys.argv[2] == "with-tray":
        QSystemTrayIcon.isSystemTrayAvailable = staticmethod(lambda: True)
    app = QApplication(sys.argv[:1])
    deadline = time.monotonic() + 20

    def look():
        windows = [w for w in app.topLevelWidgets() if isinstance(w, MainWindow)]
        pages = [p for w in windows for p in w.findChildren(SignInPage) if p.isVisibleTo(w)]
        if pages or time.monotonic() > deadline:
            window = windows[0]
            print(f"SIGN-IN:{bool(pages)} SHOWN:{window.isVisible()}", flush=True)
            window.notifier.activated.emit()
            print(f"AFTER-CLICK:{window.isVisible()}", flush=True)
            app.quit()
        else:
            QTimer.singleShot(50, look)

    QTimer.singleShot(50, look)
    sys.exit(run_gui(sys.argv[1], tray=True))
    """
)


def start_in_tray(engine: Engine, app_home: Path, tray: str) -> str:
    url = engine.url.render_as_string(hide_password=False)
    environment = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "SWITCHBOARD_HOME": str(app_home)}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, url, tray],
        capture_output=True,
        text=True,
        timeout=60,
        env=environment,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_with_a_tray_the_window_waits_for_a_click_on_the_icon(
    seeded: Seeded, engine: Engine, app_home: Path
) -> None:
    output = start_in_tray(engine, app_home, "with-tray")
    assert "SIGN-IN:True SHOWN:False" in output
    assert "AFTER-CLICK:True" in output


def test_without_a_tray_the_window_opens_anyway(
    seeded: Seeded, engine: Engine, app_home: Path
) -> None:
    output = start_in_tray(engine, app_home, "no-tray")
    assert "SIGN-IN:True SHOWN:True" in output
