"""Takes the screenshots of a copy to another profile: the move picker with the other profiles'
folders under their names, and the question asked before the copy, on the real app's demo data.

Run under Xvfb (see README.md): ``DISPLAY=:81 QT_QPA_PLATFORM=xcb .venv/bin/python
docs/screenshots/take_copy.py``. The demo profiles have no mail server, so the services would
refuse the copy before asking; the question is the window's own dialog, opened with the words
the session would hand it for the chosen message and folder.
"""

from __future__ import annotations

import sys

from take_a11y import HERE, open_demo, settle, shoot, wait_until

from desktop.gui.mainwindow.copy_question import ask_copy
from desktop.gui.session.mail_copy import CopyQuestion, CopySide


def main() -> int:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    demo = open_demo()
    window = demo.window
    page = window.workspace_page
    assert page is not None
    session = window.session
    assert session is not None
    wait_until(lambda: page.inbox_model.rowCount() > 10 and session.folders.tree is not None)
    row = page.inbox_model.row_at(2)
    source = session.profile(row.profile_id)
    target = next(p for p in session.profiles if p.id != row.profile_id)
    question = CopyQuestion(
        3, (CopySide(source.organization, source.email),) if source else (),
        CopySide(target.organization, target.email), "INBOX",
    )  # fmt: skip
    for width, height in ((800, 600), (1280, 800)):
        window.resize(width, height)
        window.activateWindow()
        page.inbox.table.setFocus()
        page.inbox.table.selectRow(2)
        window.mail.move_action.trigger()
        wait_until(lambda: window.mail.picker is not None and window.mail.picker.isVisible())
        picker = window.mail.picker
        assert picker is not None
        picker.move(max(0, (width - picker.width()) // 2), 40)
        shoot(f"copy-picker-{width}x{height}.png", width, height)
        QTest.keyClick(picker.filter, Qt.Key.Key_Escape)
        wait_until(lambda picker=picker: not picker.isVisible())
        box = ask_copy(window, question, lambda _yes: None)
        wait_until(box.isVisible)
        settle()
        box.move(max(0, (width - box.width()) // 2), max(0, (height - box.height()) // 2))
        window.repaint()  # no window manager here: the box's first, smaller frame stays drawn
        settle()
        shoot(f"copy-question-{width}x{height}.png", width, height)
        box.reject()
        settle()
    print("into", HERE)
    demo.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
