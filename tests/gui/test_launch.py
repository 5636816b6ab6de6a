"""``switchboard`` opens the window, upgrades and opens the store, and offers the sign-in.

Run in a child process: the entry point owns the application's event loop from start to quit.
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
    from PySide6.QtWidgets import QApplication
    from desktop.gui.launch import run_gui
    from desktop.gui.signin.sign_in_page import SignInPage

    app = QApplication(sys.argv[:1])
    deadline = time.monotonic() + 20

    def look():
        pages = [p for w in app.topLevelWidgets() for p in w.findChildren(SignInPage)
                 if p.isVisible()]
        if pages or time.monotonic() > deadline:
            print("SIGN-IN:" + "|".join(p.user.currentText() for p in pages), flush=True)
            app.quit()
        else:
            QTimer.singleShot(100, look)

    QTimer.singleShot(100, look)
    sys.exit(run_gui(sys.argv[1]))
    """
)


def test_launch_shows_the_sign_in_for_an_existing_store(
    seeded: Seeded, engine: Engine, app_home: Path
) -> None:
    url = engine.url.render_as_string(hide_password=False)
    environment = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "SWITCHBOARD_HOME": str(app_home)}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, url],
        capture_output=True,
        text=True,
        timeout=60,
        env=environment,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "SIGN-IN:Ada Lovelace (ada)" in done.stdout
