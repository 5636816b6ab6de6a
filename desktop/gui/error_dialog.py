"""The window's one error channel: every unexpected failure logged with its traceback, then shown.

Without it an exception in a slot is printed to a terminal nobody sees and one in a background
thread vanishes, while the window carries on as if nothing happened. :class:`ErrorChannel`
takes over ``sys.excepthook`` (slots and the GUI thread), ``threading.excepthook`` (any other
thread) and Qt's message handler (Qt's own warnings, to the log only). Each failure is explained
by :func:`desktop.services.failures.describe` and shown on the GUI thread in a
:class:`FailureDialog`: what failed, what was kept, what to do, and the technical details behind
"Copy details" for the support desk. Expected problems (a wrong password, an unusable store) are
handled where they happen; this is for everything else, so nothing crashes the window.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Any

from PySide6.QtCore import (
    QMessageLogContext,
    QObject,
    QtMsgType,
    Signal,
    Slot,
    qInstallMessageHandler,
)
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget

from desktop.gui.session.records import Failure, describe

log = logging.getLogger("desktop.gui.errors")
qt_log = logging.getLogger("qt")

_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}

ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], Any]
QtHandler = Callable[[QtMsgType, QMessageLogContext, str], Any]


class FailureDialog(QMessageBox):
    """What failed, what was kept and what to do; the details one click from the clipboard."""

    def __init__(self, failure: Failure, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.failure = failure
        self.setIcon(QMessageBox.Icon.Warning)
        self.setWindowTitle(self.tr("Something went wrong"))
        self.setText(failure.what_failed)
        self.setInformativeText(
            " ".join(p for p in (failure.what_was_kept, failure.what_to_do) if p)
        )
        self.setDetailedText(failure.details)
        self.copy_button = QPushButton(self.tr("&Copy details"))
        self.copy_button.setToolTip(self.tr("Copy the technical details for your support desk"))
        self.addButton(self.copy_button, QMessageBox.ButtonRole.ActionRole)
        # An action-role button would close the box; copying should leave it open.
        self.copy_button.clicked.disconnect()
        self.copy_button.clicked.connect(self.copy_details)
        self.addButton(QMessageBox.StandardButton.Close)

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(self.failure.details)


def show_failure(error: BaseException, parent: QWidget | None = None) -> FailureDialog:
    """For an expected place that caught ``error`` and wants it explained, not shown raw."""
    failure = describe(error)
    log.warning("%s\n%s", failure.what_failed, failure.details)
    dialog = FailureDialog(failure, parent)
    dialog.open()
    return dialog


class ErrorChannel(QObject):
    """Owns the process-wide hooks while installed; shows at most one dialog at a time."""

    failed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._window = parent
        self.dialog: FailureDialog | None = None
        self._previous_hook: ExceptHook | None = None
        self._previous_thread_hook: Callable[[threading.ExceptHookArgs], Any] | None = None
        self._previous_qt_handler: QtHandler | None = None
        self._installed = False
        # Hooks may run on any thread; the dialog is built on the thread this object lives on.
        self.failed.connect(self._present)

    def install(self) -> ErrorChannel:
        if not self._installed:
            self._previous_hook = sys.excepthook
            self._previous_thread_hook = threading.excepthook
            sys.excepthook = self._uncaught
            threading.excepthook = self._uncaught_in_thread
            self._previous_qt_handler = qInstallMessageHandler(self._qt_message)
            self._installed = True
        return self

    def uninstall(self) -> None:
        if not self._installed:
            return
        if sys.excepthook == self._uncaught and self._previous_hook is not None:
            sys.excepthook = self._previous_hook
        if threading.excepthook == self._uncaught_in_thread and self._previous_thread_hook:
            threading.excepthook = self._previous_thread_hook
        qInstallMessageHandler(self._previous_qt_handler)
        self._installed = False

    def _uncaught(
        self, kind: type[BaseException], error: BaseException, trace: TracebackType | None
    ) -> None:
        self._report(error.with_traceback(trace), "the window")
        previous = self._previous_hook
        if previous is not None and previous is not sys.__excepthook__:
            previous(kind, error, trace)  # another owner (a test harness) wants to know too

    def _uncaught_in_thread(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None or isinstance(args.exc_value, SystemExit):
            return
        thread = args.thread.name if args.thread is not None else "a background thread"
        self._report(args.exc_value.with_traceback(args.exc_traceback), thread)

    def _report(self, error: BaseException, where: str) -> None:
        failure = describe(error)
        log.error("uncaught in %s: %s\n%s", where, failure.what_failed, failure.details)
        self.failed.emit(failure)

    def _qt_message(self, kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
        qt_log.log(_QT_LEVELS.get(kind, logging.WARNING), "%s", message)
        if self._previous_qt_handler is not None:
            self._previous_qt_handler(kind, context, message)

    @Slot(object)
    def _present(self, failure: Failure) -> None:
        if self.dialog is not None and self.dialog.isVisible():
            return  # one at a time; the rest are in the log
        self.dialog = FailureDialog(failure, self._window)
        self.dialog.open()
