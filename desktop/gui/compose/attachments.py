"""The compose window's attachments: chosen with a file dialog or dropped onto the window.

Files are read on a worker (a large file, or one on a network share, must not freeze typing),
and the draft keeps their bytes, so a draft reopened after the file was moved is still whole.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from PySide6.QtCore import QMimeData, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QListWidget, QListWidgetItem, QWidget

from desktop.gui.session.records import DraftAttachment


def dropped_files(mime: QMimeData) -> list[Path]:
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]


def size_text(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


class AttachmentList(QListWidget):
    """Emits ``files_dropped`` with local files; ``removed`` with the rows taken off the list."""

    files_dropped = Signal(list)
    removed = Signal(list)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(self.tr("Attachments"))
        self.setToolTip(self.tr("Drop files here to attach them; Delete removes the chosen ones"))
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setAcceptDrops(True)
        self.setFlow(QListWidget.Flow.LeftToRight)
        self.setWrapping(True)
        self.setMaximumHeight(72)

    def show_attachments(self, attachments: Sequence[DraftAttachment]) -> None:
        self.clear()
        for attachment in attachments:
            item = QListWidgetItem(f"{attachment.filename} ({size_text(attachment.size)})")
            item.setToolTip(f"{attachment.filename}, {attachment.content_type}")
            self.addItem(item)
        self.setVisible(bool(attachments))

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if dropped_files(event.mimeData()):
            event.acceptProposedAction()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if dropped_files(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        files = dropped_files(event.mimeData())
        if files:
            event.acceptProposedAction()
            self.files_dropped.emit(files)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self.selectedItems():
            self.removed.emit(sorted(self.row(item) for item in self.selectedItems()))
            return
        super().keyPressEvent(event)


def without(
    attachments: Sequence[DraftAttachment], rows: Iterable[int]
) -> tuple[DraftAttachment, ...]:
    gone = set(rows)
    return tuple(a for number, a in enumerate(attachments) if number not in gone)
