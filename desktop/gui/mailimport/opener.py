"""File > Import mail… opens the import dialog; once mail is in, the window shows it.

One dialog at a time: asking again while it is open brings it forward, so two imports never
race for one progress bar.
"""

from __future__ import annotations

from PySide6.QtCore import QObject

from desktop.gui.mailimport.dialog import MailImportDialog
from desktop.gui.main_window import MainWindow
from desktop.gui.session.workspace import ImportResult


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
        workspace, active = self._window.workspace, self._window.active_profile
        if workspace is None:
            return
        dialog = MailImportDialog(
            workspace,
            self._window.profiles,
            active.id if active is not None else None,
            self._window,
        )
        dialog.imported.connect(self._imported)
        dialog.finished.connect(self._closed)
        self.dialog = dialog
        dialog.open()

    def _imported(self, _result: ImportResult) -> None:
        """New mail changes the inbox and the unread counts of the profile it went to."""
        self._window.refresh_profiles()
        page = self._window.workspace_page
        if page is not None:
            page.inbox_model.reload()

    def _closed(self) -> None:
        if self.dialog is not None:
            self.dialog.deleteLater()
        self.dialog = None
