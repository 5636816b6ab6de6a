"""Takes the "sign in again" screenshots: a profile whose OAuth2 grant the organization ended.

Run under Xvfb (see README.md): ``DISPLAY=:83 QT_QPA_PLATFORM=xcb .venv/bin/python
docs/screenshots/take_sign_in_again.py``. The demo data has no provider to revoke a grant at,
so the scheduler's report of a gone grant is given to the session as the profile's queue gives
it (tests/gui/test_sign_in_again.py runs the whole flow against a real provider); the sentence
is the app's own, and the tooltip is opened over the profile's status as a hover opens it.
"""

from __future__ import annotations

import sys

from take_a11y import open_demo, settle, shoot, wait_until

from desktop.services.sign_in_needed import GRANT_ENDED, sign_in_again


def main() -> int:
    from PySide6.QtCore import QPoint
    from PySide6.QtWidgets import QToolTip

    demo = open_demo()
    window = demo.window
    wait_until(lambda: len(window.profiles) > 1)
    session = window.session
    assert session is not None
    assert session.scheduler is not None
    profile = window.profiles[0]
    reason = sign_in_again(profile.organization, profile.email, GRANT_ENDED)
    session.scheduler.sign_in_needed.emit(profile.id, reason)
    status = window.sync_status
    wait_until(lambda: status.reason(profile.id) == reason)
    for width, height in ((800, 600), (1280, 800)):
        window.resize(width, height)
        window.activateWindow()
        settle()
        button = status.button_for(profile.id)
        above = button.mapToGlobal(button.rect().topLeft()) - QPoint(0, 100)
        QToolTip.showText(above, button.toolTip(), button)
        wait_until(QToolTip.isVisible)
        shoot(f"sign-in-again-{width}x{height}.png", width, height)
        QToolTip.hideText()
    demo.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
