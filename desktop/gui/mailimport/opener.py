"""File > Import mail… opens the import dialog; once mail is in, the window shows it.

One dialog at a time: asking again while it is open brings it forward, so two imports never
race for one progress bar.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QDialog

from desktop.gui.mailimport.dialog import MailImportDialog
from desktop.gui.mainwindow.window import MainWindow
from desktop.gui.session.records import ImportResult


class MailImport(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        self.dialog: MailImportDialog | None = None
        window.import_action.triggered.connect(self.open)

    def open(self) -> None:
        if self.dialog is not None:
            self.dialog.raise_()
            self.dialog.activateWindow()
            return
        session = self._window.session
        if session is None:
            return
        active = session.active
        dialog = MailImportDialog(
            session.workspace,
            session.profiles,
            active.id if active is not None else None,
            self._window,
        )
        dialog.imported.connect(self._imported)
        dialog.finished.connect(self._closed)
        self.dialog = dialog
        dialog.open()

    def _imported(self, _result: ImportResult) -> None:
        """New mail changes the inbox and the unread counts of the profile it went to."""
        session = self._window.session
        if session is not None:
            session.mail_arrived()

    def hide(self) -> None:
        """On lock: the dialog names files and addresses, so it goes out of sight; an import
        running goes on and is shown again after sign-in."""
        if self.dialog is not None:
            self.dialog.hide()

    def show_again(self) -> None:
        if self.dialog is not None:
            self.dialog.show()

    def stop(self) -> None:
        """On sign-out: what was imported stays; the rest is not imported as anyone else."""
        if self.dialog is not None:
            self.dialog.runner.cancel()
            self.dialog.done(QDialog.DialogCode.Rejected)

    def _closed(self) -> None:
        if self.dialog is not None:
            self.dialog.deleteLater()
        self.dialog = None
