"""A message's attachments: listed with their size, saved where the user chooses, or opened.

A sender picks the file name, so it is hostile until cleaned: the mail service's cleaning (path
parts, control and bidi characters, forbidden characters, leading dots) is applied to the name
offered in the save dialog and again to whatever name the user typed.

"Open" hands a private copy to the desktop's viewer (:mod:`desktop.gui.reader.opened_files`);
those copies are discarded with :meth:`AttachmentList.discard_opened`, while a file saved where
the person chose is theirs and is never touched again.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QLocale, QStandardPaths, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.gui.reader.opened_files import discard_opened, write_opened
from desktop.gui.session.records import AttachmentInfo, clean_filename, describe
from desktop.gui.session.workers import Workers
from desktop.paths import opened_attachments_dir

AttachmentLoader = Callable[[int], bytes]


def human_size(size: int) -> str:
    return QLocale().formattedDataSize(size, 1, QLocale.DataSizeFormat.DataSizeTraditionalFormat)


def _write_file(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


class AttachmentList(QWidget):
    """Lists attachments; Enter, double-click or "Save…" saves the selected one, "Open" opens
    it in the desktop's viewer."""

    saved = Signal(str)
    save_failed = Signal(str)
    opened = Signal(str)
    open_failed = Signal(str)

    def __init__(self, loader: AttachmentLoader, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._loader = loader
        self._workers = Workers(self)
        self._attachments: tuple[AttachmentInfo, ...] = ()
        self._opening: set[int] = set()

        self._title = QLabel(self.tr("Attachments"))
        self._list = QListWidget()
        self._list.setAccessibleName(self.tr("Attachments"))
        self._list.setMaximumHeight(96)
        self._list.itemActivated.connect(lambda _item: self.save_selected())
        self._save = QPushButton(self.tr("&Save attachment…"))
        self._save.setToolTip(self.tr("Save the selected attachment to a folder you choose"))
        self._save.clicked.connect(self.save_selected)
        self._open = QPushButton(self.tr("&Open"))
        self._open.setToolTip(
            self.tr(
                "Open the selected attachment in another app; its copy is deleted when you "
                "lock, sign out or quit"
            )
        )
        self._open.setAccessibleName(self.tr("Open attachment"))
        self._open.clicked.connect(self.open_selected)
        self._status = QLabel()
        self._status.setTextFormat(Qt.TextFormat.PlainText)

        buttons = QHBoxLayout()
        buttons.addWidget(self._open)
        buttons.addWidget(self._save)
        buttons.addWidget(self._status, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._title)
        layout.addWidget(self._list)
        layout.addLayout(buttons)
        self.set_attachments(())

    def set_attachments(self, attachments: tuple[AttachmentInfo, ...]) -> None:
        self._attachments = attachments
        self._list.clear()
        self._status.clear()
        for attachment in attachments:
            name = clean_filename(attachment.filename, attachment.content_type)
            item = QListWidgetItem(f"{name}  ({human_size(attachment.size)})")
            item.setData(Qt.ItemDataRole.UserRole, attachment.id)
            item.setToolTip(f"{attachment.content_type}, {attachment.size} bytes")
            self._list.addItem(item)
        if attachments:
            self._list.setCurrentRow(0)
        self.setVisible(bool(attachments))

    def item_texts(self) -> list[str]:
        return [self._list.item(row).text() for row in range(self._list.count())]

    def _selected(self) -> AttachmentInfo | None:
        row = self._list.currentRow()
        return self._attachments[row] if 0 <= row < len(self._attachments) else None

    def save_selected(self) -> None:
        attachment = self._selected()
        if attachment is None:
            return
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DownloadLocation)
        suggested = str(Path(folder) / clean_filename(attachment.filename, attachment.content_type))
        chosen, _filter = QFileDialog.getSaveFileName(self, self.tr("Save attachment"), suggested)
        if not chosen:
            return
        target = Path(chosen).with_name(clean_filename(Path(chosen).name))
        loader = self._loader
        self._status.setText(self.tr("Saving…"))
        self._workers.submit(
            lambda: _write_file(target, loader(attachment.id)),
            self._on_saved,
            self._on_failed,
        )

    def _on_saved(self, path: Path) -> None:
        self._status.setText(self.tr("Saved to %s") % path)
        self.saved.emit(str(path))

    def _on_failed(self, error: Exception) -> None:
        message = self.tr("Could not save the attachment: %s") % describe(error).summary
        self._status.setText(message)
        self.save_failed.emit(message)

    def open_selected(self) -> None:
        """The bytes are read on a worker and written here, on the GUI thread, so that a
        :meth:`discard_opened` in between (a lock) leaves no file behind it and opens nothing."""
        attachment = self._selected()
        if attachment is None:
            return
        loader = self._loader
        self._status.setText(self.tr("Opening…"))
        task = self._workers.submit(
            lambda: loader(attachment.id),
            lambda data: self._open_loaded(task, attachment, data),
            lambda error: self._open_not_loaded(task, error),
        )
        self._opening.add(task)

    def _open_loaded(self, task: int, attachment: AttachmentInfo, data: bytes) -> None:
        self._opening.discard(task)
        try:
            path = write_opened(
                opened_attachments_dir(), attachment.filename, attachment.content_type, data
            )
        except OSError as error:
            self._open_not_loaded(task, error)
            return
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
            path.unlink(missing_ok=True)
            message = self.tr(
                "No app on this computer opens this kind of file; save it and open it from there."
            )
            self._status.setText(message)
            self.open_failed.emit(message)
            return
        self._status.setText(self.tr("Opened in another app"))
        self.opened.emit(str(path))

    def _open_not_loaded(self, task: int, error: Exception) -> None:
        self._opening.discard(task)
        message = self.tr("Could not open the attachment: %s") % describe(error).summary
        self._status.setText(message)
        self.open_failed.emit(message)

    def discard_opened(self) -> None:
        """Every copy handed to another app deleted, and opens still loading forgotten: the
        reader closes, or the person locks, signs out or quits."""
        for task in self._opening:
            self._workers.forget(task)
        self._opening.clear()
        discard_opened(opened_attachments_dir())
