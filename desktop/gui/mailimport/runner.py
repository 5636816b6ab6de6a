"""The import dialog's work off the GUI thread: the preview, the import, and stopping it.

Both calls run on a worker. The import reports its progress on that worker's thread; a relay
turns each report into a queued signal, so the dialog only ever changes on the GUI thread.
Cancelling sets an event the importer looks at between messages: it takes effect within one
message, and whatever was stored stays stored.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

from desktop.gui.session.records import ImportPreview, ImportProgress, ImportResult, describe
from desktop.gui.session.workers import Workers
from desktop.gui.session.workspace import Workspace


class _ProgressRelay(QObject):
    """Emits from the import's thread; its signal reaches the runner's slot queued."""

    moved = Signal(int, int, int)

    def report(self, progress: ImportProgress) -> None:
        self.moved.emit(progress.bytes_done, progress.bytes_total, progress.messages)


class ImportRunner(QObject):
    previewed = Signal(object)  # ImportPreview
    preview_failed = Signal(str)  # why, in sentences
    progressed = Signal(int, int, int)  # bytes done, bytes in all, messages read
    finished = Signal(object)  # ImportResult (``cancelled`` when stopped on request)
    failed = Signal(str)  # why, in sentences

    def __init__(self, workspace: Workspace, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._workspace = workspace
        self._workers = Workers(self)
        self._relay = _ProgressRelay()
        self._relay.moved.connect(self._moved)
        self._preview_task: int | None = None
        self._cancel: threading.Event | None = None

    @property
    def running(self) -> bool:
        return self._cancel is not None

    def preview(self, paths: Sequence[Path]) -> None:
        """Looks again for the new choice of sources; an older look still running is dropped."""
        if self._preview_task is not None:
            self._workers.forget(self._preview_task)
        workspace, chosen = self._workspace, list(paths)
        self._preview_task = self._workers.submit(
            lambda: workspace.preview_import(chosen), self._previewed, self._preview_error
        )

    def start(self, profile_id: int, paths: Sequence[Path]) -> None:
        cancel = threading.Event()
        self._cancel = cancel
        workspace, chosen, report = self._workspace, list(paths), self._relay.report
        self._workers.submit(
            lambda: workspace.import_mail(profile_id, chosen, report, cancel),
            self._done,
            self._failed,
        )

    def cancel(self) -> None:
        if self._cancel is not None:
            self._cancel.set()

    @Slot(int, int, int)
    def _moved(self, done: int, total: int, messages: int) -> None:
        if self.running:
            self.progressed.emit(done, total, messages)

    def _previewed(self, preview: ImportPreview) -> None:
        self._preview_task = None
        self.previewed.emit(preview)

    def _preview_error(self, error: Exception) -> None:
        self._preview_task = None
        self.preview_failed.emit(describe(error).summary)

    def _done(self, result: ImportResult) -> None:
        self._cancel = None
        self.finished.emit(result)

    def _failed(self, error: Exception) -> None:
        self._cancel = None
        self.failed.emit(describe(error).summary)
