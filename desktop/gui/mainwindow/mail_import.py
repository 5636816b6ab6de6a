"""Importing mail files into the active profile from the window, with a progress bar.

The import runs on a worker; its progress callback is called on that worker thread and is
relayed by a queued signal, so the status area only ever changes on the GUI thread.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QFileDialog

from desktop.gui.mainwindow.window import MainWindow
from desktop.gui.session.records import Failure, ImportProgress, ImportResult


class _ProgressRelay(QObject):
    moved = Signal(int, int, int)

    def report(self, progress: ImportProgress) -> None:
        self.moved.emit(progress.bytes_done, progress.bytes_total, progress.messages)


class MailImport(QObject):
    finished = Signal(object)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        self._relay = _ProgressRelay()
        self._relay.moved.connect(self._moved)
        window.import_action.triggered.connect(self.choose)

    def choose(self) -> None:
        profile = self._window.active_profile
        if profile is None:
            return
        paths, _filter = QFileDialog.getOpenFileNames(
            self._window,
            self.tr("Import mail into {org}").format(org=profile.organization),
            "",
            self.tr("Mail files (*.mbox *.mbx *.eml);;All files (*)"),
        )
        if paths:
            self.start(profile.id, [Path(p) for p in paths])

    def start(self, profile_id: int, paths: list[Path]) -> None:
        """Imports as whoever is signed in when the import starts, not when the app started."""
        session = self._window.session
        if session is None:
            return
        workspace, relay = session.workspace, self._relay
        self._window.sync_status.import_progress(0, 0)
        session.run(
            self,
            lambda: workspace.import_files(profile_id, paths, relay.report),
            self._done,
            self._failed,
        )

    @Slot(int, int, int)
    def _moved(self, done: int, total: int, _messages: int) -> None:
        self._window.sync_status.import_progress(done, total)

    def _done(self, result: ImportResult) -> None:
        self._window.sync_status.import_finished()
        self._window.statusBar().showMessage(
            self.tr("Imported {added} message(s); {skipped} already there.").format(
                added=result.added, skipped=result.skipped
            ),
            8000,
        )
        session = self._window.session
        if session is not None:
            session.mail_arrived()
        self.finished.emit(result)

    def _failed(self, failure: Failure) -> None:
        self._window.sync_status.import_finished()
        self._window.show_error(self.tr("Import failed: {reason}").format(reason=failure.summary))
        self.finished.emit(failure)
