"""Importing mail files into the active profile from the window, with a progress bar.

The import runs on a worker; its progress callback is called on that worker thread and is
relayed by a queued signal, so the status area only ever changes on the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QFileDialog

from desktop.gui.main_window import MainWindow
from desktop.gui.session.workers import Workers
from desktop.services.failures import describe
from desktop.services.mail.importer import ImportProgress, ImportResult, ProgressCallback

ImportFiles = Callable[[int, Sequence[Path], ProgressCallback], ImportResult]
"""Imports into a profile for the signed-in user (the workspace's, so the role check applies)."""


class _ProgressRelay(QObject):
    moved = Signal(int, int, int)

    def report(self, progress: ImportProgress) -> None:
        self.moved.emit(progress.bytes_done, progress.bytes_total, progress.messages)


class MailImport(QObject):
    finished = Signal(object)

    def __init__(self, window: MainWindow, import_files: ImportFiles) -> None:
        super().__init__(window)
        self._window = window
        self._import_files = import_files
        self._workers = Workers(self)
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
        import_files, relay = self._import_files, self._relay
        self._window.sync_status.import_progress(0, 0)
        self._workers.submit(
            lambda: import_files(profile_id, paths, relay.report),
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
        self._window.refresh_profiles()
        page = self._window.workspace_page
        if page is not None:
            page.inbox_model.reload()
        self.finished.emit(result)

    def _failed(self, error: Exception) -> None:
        self._window.sync_status.import_finished()
        reason = describe(error).summary
        self._window.show_error(self.tr("Import failed: {reason}").format(reason=reason))
        self.finished.emit(error)
