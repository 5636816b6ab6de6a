"""Takes the "Encrypt this store now?" screenshots: a plain store, signed into, as the app shows it.

Run under Xvfb: ``DISPLAY=:82 QT_QPA_PLATFORM=xcb .venv/bin/python
docs/screenshots/take_encrypt_offer.py``. The plain store is made in a temporary folder, as an
older Switchboard left it (one user, a few messages), and signed into through the sign-in page.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from PySide6.QtWidgets import QApplication

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "tests"))
sys.path.insert(0, str(HERE))


def main() -> int:
    home = Path(tempfile.mkdtemp(prefix="switchboard-shots-"))
    os.environ["SWITCHBOARD_HOME"] = str(home / "home")
    from plain_store import PASSWORD, door, make_plain_store
    from take_a11y import shoot, wait_until

    from desktop.gui.application import create_application
    from desktop.gui.controller import AppController
    from desktop.gui.mainwindow.window import MainWindow
    from desktop.gui.session.backend import Backend

    store = home / "home" / "switchboard.sqlite3"
    make_plain_store(store, home)
    app = create_application(sys.argv[:1])
    window = MainWindow()
    window.move(0, 0)
    window.resize(1280, 800)
    window.show()
    found = door(store)
    controller = AppController(window, lambda: Backend(found.open_unencrypted(), door=found))
    controller.start()
    wait_until(lambda: controller.sign_in is not None and controller.sign_in.isVisible())
    assert controller.sign_in is not None
    controller.sign_in.password.setText(PASSWORD)
    controller.sign_in.submit()
    wait_until(
        lambda: controller.encrypt_offer is not None and controller.encrypt_offer.isVisible()
    )
    for width, height in ((800, 600), (1280, 800)):
        window.resize(width, height)
        shoot(f"encrypt-offer-{width}x{height}.png", width, height)
    controller.shut_down()
    window.close()
    QApplication.processEvents()
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
