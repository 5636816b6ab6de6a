"""An attachment opened in another app: a private copy that lock, sign-out, quit and the next
start delete, while a copy saved where the person chose stays theirs."""

from __future__ import annotations

import stat
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from pathlib import Path

import pytest
from conftest import PASSWORD, Seeded, import_messages, mail
from PySide6.QtCore import QObject, QThreadPool, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot
from test_reader import PROFILE, message, no_remote

from desktop.gui.controller import AppController
from desktop.gui.mainwindow.window import MainWindow
from desktop.gui.reader.pane import ReaderPane
from desktop.gui.session.backend import Backend
from desktop.paths import opened_attachments_dir
from desktop.services.mail.inbox import AttachmentInfo

pytestmark = pytest.mark.gui

REPORT = b"%PDF-1.4 the lab report of the ward"
ATTACHMENT = AttachmentInfo(3, "lab results.pdf", "application/pdf", len(REPORT))


class Desktop(QObject):
    """Qt's own hook for a URL scheme (``QDesktopServices.setUrlHandler``): what the desktop
    was asked to open, instead of starting a viewer on the test machine."""

    def __init__(self) -> None:
        super().__init__()
        self.opened: list[Path] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        path = Path(url.toLocalFile())
        assert path.read_bytes()  # the viewer reads it as soon as it is asked to
        self.opened.append(path)

    @contextmanager
    def handling(self) -> Iterator[None]:
        QDesktopServices.setUrlHandler("file", self, "open")  # PySide6 takes the name as str
        try:
            yield
        finally:
            QDesktopServices.unsetUrlHandler("file")


@pytest.fixture
def desktop() -> Iterator[Desktop]:
    handler = Desktop()
    with handler.handling():
        yield handler


def make_pane(qtbot: QtBot, loader: object = None) -> ReaderPane:
    pane = ReaderPane(loader or (lambda _id: REPORT), no_remote)  # type: ignore[arg-type]
    qtbot.addWidget(pane)
    pane.show()
    pane.show_message(message(None, text="see attached", attachments=(ATTACHMENT,)), PROFILE)
    return pane


def open_attachment(qtbot: QtBot, pane: ReaderPane) -> Path:
    with qtbot.waitSignal(pane.attachments.opened, timeout=10000) as opened:
        pane.attachments.open_selected()
    return Path(opened.args[0])


def test_an_opened_attachment_is_a_private_copy_named_for_its_type_only(
    qtbot: QtBot, app_home: Path, desktop: Desktop
) -> None:
    pane = make_pane(qtbot)
    path = open_attachment(qtbot, pane)
    assert desktop.opened == [path]
    assert path.read_bytes() == REPORT
    assert path.parent == opened_attachments_dir() == app_home / "opened"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert path.suffix == ".pdf"
    assert "lab" not in path.name
    second = open_attachment(qtbot, pane)
    assert second != path
    assert path.exists()

    pane.attachments.discard_opened()
    assert not path.exists()
    assert not second.exists()
    assert not opened_attachments_dir().exists()


def test_an_attachment_saved_where_chosen_is_not_deleted_with_the_opened_ones(
    qtbot: QtBot, tmp_path: Path, desktop: Desktop, monkeypatch: pytest.MonkeyPatch
) -> None:
    pane = make_pane(qtbot)
    chosen = tmp_path / "kept.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_args: (str(chosen), ""))
    with qtbot.waitSignal(pane.attachments.saved):
        pane.attachments.save_selected()
    opened = open_attachment(qtbot, pane)
    pane.attachments.discard_opened()
    assert not opened.exists()
    assert chosen.read_bytes() == REPORT


def test_an_open_still_loading_when_the_reader_is_discarded_opens_and_leaves_nothing(
    qtbot: QtBot, desktop: Desktop
) -> None:
    release = threading.Event()

    def slow(_attachment_id: int) -> bytes:
        release.wait(10)
        return REPORT

    pane = make_pane(qtbot, slow)
    pane.attachments.open_selected()
    pane.attachments.discard_opened()
    release.set()
    assert QThreadPool.globalInstance().waitForDone(10000)
    qtbot.wait(50)  # the worker's result, queued to the GUI thread, is dropped there
    assert desktop.opened == []
    assert not opened_attachments_dir().exists()


def test_an_attachment_that_cannot_be_written_is_explained_and_nothing_opens(
    qtbot: QtBot, app_home: Path, desktop: Desktop
) -> None:
    app_home.mkdir()
    (app_home / "opened").write_text("in the way")
    pane = make_pane(qtbot)
    with qtbot.waitSignal(pane.attachments.open_failed, timeout=10000) as failed:
        pane.attachments.open_selected()
    assert failed.args[0].startswith("Could not open the attachment: ")
    assert "Errno" not in failed.args[0]
    assert desktop.opened == []


def with_report(number: int) -> EmailMessage:
    letter = mail(number, "Lab report attached")
    letter.add_attachment(REPORT, maintype="application", subtype="pdf", filename="report.pdf")
    return letter


def sign_in(qtbot: QtBot, controller: AppController) -> MainWindow:
    page = controller.sign_in
    assert page is not None
    page.password.setText(PASSWORD)
    with qtbot.waitSignal(controller.workspace_shown, timeout=20000):
        page.submit()
    return controller.window


def open_in_window(qtbot: QtBot, window: MainWindow) -> Path:
    page = window.workspace_page
    assert page is not None
    page.inbox.search.setText("Lab report")
    model = page.inbox_model
    qtbot.waitUntil(lambda: model.rowCount() == 1, timeout=10000)
    if page.reader.message is None:
        with qtbot.waitSignal(page.message_shown, timeout=10000):
            page.inbox.table.selectRow(0)
    return open_attachment(qtbot, page.reader)


def test_lock_sign_out_quit_and_the_next_start_delete_opened_attachments(
    qtbot: QtBot, seeded: Seeded, tmp_path: Path, desktop: Desktop
) -> None:
    import_messages(seeded.services, tmp_path, seeded.hospital_id, [with_report(30)])
    left_by_a_crash = opened_attachments_dir() / "attachment-crash.pdf"
    left_by_a_crash.parent.mkdir(parents=True)
    left_by_a_crash.write_bytes(REPORT)

    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    controller = AppController(window, lambda: Backend(seeded.services))
    with qtbot.waitSignal(controller.ready):
        controller.start()
    assert not left_by_a_crash.exists()

    opened = open_in_window(qtbot, sign_in(qtbot, controller))
    assert opened.read_bytes() == REPORT
    controller.lock()
    assert not opened.exists()

    opened = open_in_window(qtbot, sign_in(qtbot, controller))
    controller.sign_out()
    assert not opened.exists()
    assert controller.sign_in is not None
    qtbot.waitUntil(controller.sign_in.isVisible, timeout=10000)

    opened = open_in_window(qtbot, sign_in(qtbot, controller))
    controller.shut_down()
    assert not opened.exists()
    assert len(desktop.opened) == 3
