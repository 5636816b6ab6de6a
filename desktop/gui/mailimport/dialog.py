"""The import dialog: what to import, into which profile, a warning, then progress and the result.

The target is chosen here, not taken from the active profile, because importing into the wrong
profile is the mistake that matters: so the dialog also says, before anything is imported, how
much of the mail is addressed to another of the user's profiles, and offers to switch to it. The
progress and its Cancel button stay inside the dialog, which never grows past the window.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.gui.mailimport import wording
from desktop.gui.mailimport.runner import ImportRunner
from desktop.gui.mailimport.source_list import SourceList
from desktop.gui.session.records import ImportPreview, ImportResult
from desktop.gui.session.viewdata import ProfileCard
from desktop.gui.session.workspace import Workspace

PROGRESS_STEPS = 1000
"""The bar counts in steps of a file's size: a QProgressBar holds an int, a file may not fit."""


class MailImportDialog(QDialog):
    imported = Signal(object)  # ImportResult, after every import that ran, stopped or not

    def __init__(
        self,
        workspace: Workspace,
        profiles: Sequence[ProfileCard],
        active_id: int | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Import mail"))
        self.setAccessibleName(self.tr("Import mail"))
        self._profiles = list(profiles)
        self._preview: ImportPreview | None = None
        self._preview_error = ""
        self._switch_to: ProfileCard | None = None
        self._asked = False  # the warning's question is answered once the import starts
        self.runner = ImportRunner(workspace, self)
        self.runner.previewed.connect(self._previewed)
        self.runner.preview_failed.connect(self._preview_failed)
        self.runner.progressed.connect(self._progressed)
        self.runner.finished.connect(self._finished)
        self.runner.failed.connect(self._failed)

        layout = QVBoxLayout(self)
        self._build_sources(layout)
        self._build_target(layout, active_id)
        self._build_progress(layout)
        self._update()

    def _build_sources(self, layout: QVBoxLayout) -> None:
        intro = QLabel(
            self.tr(
                "Choose mbox or .eml files, or a Maildir folder, and the profile to import them "
                "into. You can also drop files onto the list."
            )
        )
        intro.setWordWrap(True)
        self.sources = SourceList()
        self.sources.setAccessibleName(self.tr("Mail to import"))
        self.sources.setAccessibleDescription(
            self.tr("The files and folders to import; Delete removes the selected ones")
        )
        self.sources.dropped.connect(self.add_sources)
        self.sources.itemSelectionChanged.connect(self._update)
        self.add_files_button = self._button(
            self.tr("Add files…"), self.tr("Choose mbox or .eml files"), self._choose_files
        )
        self.add_folder_button = self._button(
            self.tr("Add Maildir folder…"), self.tr("Choose a Maildir folder"), self._choose_folder
        )
        self.remove_button = self._button(
            self.tr("Remove"),
            self.tr("Take the selected sources off the list"),
            self._remove_selected,
        )
        self.remove_button.setAccessibleName(self.tr("Remove the selected sources"))
        choose = QHBoxLayout()
        for button in (self.add_files_button, self.add_folder_button, self.remove_button):
            choose.addWidget(button)
        choose.addStretch(1)
        layout.addWidget(intro)
        layout.addWidget(self.sources, 1)
        layout.addLayout(choose)

    def _build_target(self, layout: QVBoxLayout, active_id: int | None) -> None:
        self.target = QComboBox()
        self.target.setAccessibleName(self.tr("Profile to import into"))
        self.target.setAccessibleDescription(self.tr("The imported mail belongs to this profile"))
        for profile in self._profiles:
            self.target.addItem(f"{profile.organization} — {profile.email}", profile.id)
        self.target.setCurrentIndex(
            next((i for i, p in enumerate(self._profiles) if p.id == active_id), -1)
        )
        self.target.currentIndexChanged.connect(self._target_changed)
        form = QFormLayout()
        form.addRow(self.tr("Import into:"), self.target)
        self.warning = QLabel()
        self.warning.setWordWrap(True)
        self.warning.setAccessibleName(self.tr("Whom the mail is addressed to"))
        self.switch_button = self._button(
            "", self.tr("Import into the profile this mail is addressed to"), self._switch_target
        )
        warning_row = QHBoxLayout()
        warning_row.addWidget(self.warning, 1)
        warning_row.addWidget(self.switch_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(form)
        layout.addLayout(warning_row)

    def _build_progress(self, layout: QVBoxLayout) -> None:
        self.progress = QProgressBar()
        self.progress.setAccessibleName(self.tr("Import progress"))
        self.progress.setRange(0, PROGRESS_STEPS)
        self.cancel_button = self._button(
            self.tr("Cancel import"), self.tr("Stop; what is imported so far stays"), self._cancel
        )
        self.progress_row = QWidget()
        progress_layout = QHBoxLayout(self.progress_row)
        progress_layout.setContentsMargins(0, 0, 0, 0)
        progress_layout.addWidget(self.progress, 1)
        progress_layout.addWidget(self.cancel_button)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName(self.tr("Import status"))
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox()
        self.import_button = buttons.addButton(
            self.tr("Import"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.import_button.setDefault(True)
        self.import_button.setToolTip(self.tr("Import the listed mail into the chosen profile"))
        self.close_button = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.close_button.setToolTip(self.tr("Close this window (Esc)"))
        buttons.accepted.connect(self.start)
        buttons.rejected.connect(self.reject)
        layout.addWidget(self.progress_row)
        layout.addWidget(self.status)
        layout.addWidget(buttons)

    def sizeHint(self) -> QSize:
        """Roomy, yet never larger than the window it is opened from."""
        wanted = QSize(620, 460).expandedTo(self.minimumSizeHint())
        parent = self.parentWidget()
        return wanted.boundedTo(parent.size()) if parent is not None else wanted

    def paths(self) -> list[Path]:
        return [
            Path(self.sources.item(row).data(Qt.ItemDataRole.UserRole))
            for row in range(self.sources.count())
        ]

    def target_profile(self) -> ProfileCard | None:
        profile_id = self.target.currentData()
        return next((p for p in self._profiles if p.id == profile_id), None)

    def add_sources(self, paths: Iterable[Path]) -> None:
        chosen = set(self.paths())
        for path in paths:
            if path not in chosen:
                chosen.add(path)
                item = QListWidgetItem(str(path))
                item.setData(Qt.ItemDataRole.UserRole, str(path))
                self.sources.addItem(item)
        self._sources_changed()

    def start(self) -> None:
        target = self.target_profile()
        if target is None or not self.import_button.isEnabled():
            return
        self._asked = True
        self.progress.setValue(0)
        self.status.setText(wording.progress(0))
        self.runner.start(target.id, self.paths())
        self.cancel_button.setEnabled(True)
        self._update()

    def reject(self) -> None:
        """Closing while importing asks the import to stop; the dialog stays to say how far."""
        if self.runner.running:
            self._cancel()
            return
        super().reject()

    def _cancel(self) -> None:
        self.runner.cancel()
        self.cancel_button.setEnabled(False)
        self.status.setText(self.tr("Stopping after the message being read…"))

    def _button(self, text: str, tip: str, clicked: Callable[[], object]) -> QPushButton:
        button = QPushButton(text)
        button.setToolTip(tip)
        button.setAutoDefault(False)
        button.clicked.connect(clicked)
        return button

    def _choose_files(self) -> None:
        files, _filter = QFileDialog.getOpenFileNames(
            self,
            self.tr("Choose mail files to import"),
            "",
            self.tr("Mail files (*.mbox *.mbx *.eml);;All files (*)"),
        )
        self.add_sources(Path(file) for file in files)

    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Choose a Maildir folder"))
        if folder:
            self.add_sources([Path(folder)])

    def _remove_selected(self) -> None:
        for item in self.sources.selectedItems():
            self.sources.takeItem(self.sources.row(item))
        self._sources_changed()

    def _sources_changed(self) -> None:
        self._preview, self._preview_error, self._asked = None, "", False
        if self.sources.count():
            self.runner.preview(self.paths())
        self._update()

    def _target_changed(self) -> None:
        self._asked = False
        self._update()

    def _switch_target(self) -> None:
        if self._switch_to is not None:
            self.target.setCurrentIndex(self.target.findData(self._switch_to.id))

    def _previewed(self, preview: ImportPreview) -> None:
        self._preview = preview
        self._update()

    def _preview_failed(self, reason: str) -> None:
        self._preview_error = reason
        self._update()

    def _progressed(self, done: int, total: int, messages: int) -> None:
        self.progress.setValue(done * PROGRESS_STEPS // total if total else 0)
        self.status.setText(wording.progress(messages))

    def _finished(self, result: ImportResult) -> None:
        self.status.setText(wording.outcome(result))
        self._update()
        self.imported.emit(result)

    def _failed(self, reason: str) -> None:
        self.status.setText(self.tr("The import did not finish. {reason}").format(reason=reason))
        self._update()

    def _update(self) -> None:
        """Every control's state follows from the choice, the preview and whether it runs."""
        running = self.runner.running
        target = self.target_profile()
        checking = self.sources.count() > 0 and self._preview is None and not self._preview_error
        text, self._switch_to = "", None
        if self._preview_error:
            text = self._preview_error
        elif checking:
            text = self.tr("Checking whom the mail is addressed to…")
        elif self._preview is not None and target is not None and not self._asked:
            text, self._switch_to = wording.addressed_elsewhere(
                self._preview, target, self._profiles
            )
        self.warning.setText(text)
        self.warning.setVisible(bool(text))
        if self._switch_to is not None:
            self.switch_button.setText(
                self.tr("Import into {org} instead").format(org=self._switch_to.organization)
            )
        self.switch_button.setVisible(self._switch_to is not None and not running)
        for control in (self.sources, self.add_files_button, self.add_folder_button, self.target):
            control.setEnabled(not running)
        self.remove_button.setEnabled(not running and bool(self.sources.selectedItems()))
        self.import_button.setEnabled(
            not running
            and target is not None
            and self._preview is not None
            and self.sources.count() > 0
        )
        self.close_button.setEnabled(not running)
        self.progress_row.setVisible(running)
