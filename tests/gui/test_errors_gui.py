"""The window's error channel: a failure in a slot or a thread is logged and explained, not lost."""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator

import pytest
from PySide6.QtCore import qWarning
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QPushButton, QWidget
from pytestqt.qtbot import QtBot

from desktop.gui.error_dialog import ErrorChannel, FailureDialog, show_failure

pytestmark = pytest.mark.gui


@pytest.fixture
def window(qtbot: QtBot) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    widget.show()
    return widget


@pytest.fixture
def channel(window: QWidget) -> Iterator[ErrorChannel]:
    installed = ErrorChannel(window)
    yield installed
    installed.uninstall()
    if installed.dialog is not None:
        installed.dialog.close()


def shown_dialog(qtbot: QtBot, channel: ErrorChannel) -> FailureDialog:
    qtbot.waitUntil(lambda: channel.dialog is not None and channel.dialog.isVisible())
    assert channel.dialog is not None
    return channel.dialog


def assert_explained(dialog: FailureDialog, raw: str) -> None:
    assert "did not expect" in dialog.text()
    assert raw not in dialog.text() + dialog.informativeText()
    assert "Traceback" in dialog.detailedText()
    assert raw in dialog.detailedText()
    dialog.copy_button.click()
    assert QGuiApplication.clipboard().text() == dialog.detailedText()
    assert dialog.isVisible(), "copying leaves the dialog open"


def test_an_exception_in_a_slot_is_logged_and_shown(
    qtbot: QtBot, window: QWidget, channel: ErrorChannel, caplog: pytest.LogCaptureFixture
) -> None:
    button = QPushButton("Break", window)

    def broken_slot() -> None:
        raise KeyError("slot-internal-key")

    button.clicked.connect(broken_slot)
    with qtbot.captureExceptions() as caught:
        channel.install()
        button.click()
    assert [kind for kind, *_ in caught] == [KeyError]  # pytest-qt still sees it
    dialog = shown_dialog(qtbot, channel)
    assert_explained(dialog, "slot-internal-key")
    assert any(
        "Traceback" in record.getMessage() and "slot-internal-key" in record.getMessage()
        for record in caplog.records
    )


def test_an_exception_in_a_background_thread_is_logged_and_shown(
    qtbot: QtBot, channel: ErrorChannel, caplog: pytest.LogCaptureFixture
) -> None:
    channel.install()

    def broken_job() -> None:
        raise ZeroDivisionError("thread-internal-division")

    worker = threading.Thread(target=broken_job, name="sync-worker")
    worker.start()
    worker.join()
    dialog = shown_dialog(qtbot, channel)
    assert_explained(dialog, "thread-internal-division")
    [record] = [r for r in caplog.records if "thread-internal-division" in r.getMessage()]
    assert "uncaught in sync-worker" in record.getMessage()
    assert "Traceback" in record.getMessage()


@pytest.mark.qt_log_ignore("a deliberate Qt warning")
def test_qt_warnings_go_to_the_log(channel: ErrorChannel, caplog: pytest.LogCaptureFixture) -> None:
    channel.install()
    qWarning("a deliberate Qt warning")
    assert [(r.name, r.levelno) for r in caplog.records if "deliberate" in r.getMessage()] == [
        ("qt", logging.WARNING)
    ]


def test_a_caught_store_error_is_shown_in_plain_words(qtbot: QtBot, window: QWidget) -> None:
    try:
        sqlite3.connect(":memory:").execute("PRAGMA query_only=1; ").connection.execute(
            "CREATE TABLE t (x)"
        )
    except sqlite3.Error as error:
        failure_of = error
    dialog = show_failure(failure_of, window)
    qtbot.addWidget(dialog)
    assert dialog.text().startswith("The store is read-only")
    assert "readonly" not in dialog.text() + dialog.informativeText()
    assert "attempt to write a readonly database" in dialog.detailedText()
    dialog.close()
