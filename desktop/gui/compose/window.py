"""The compose window: From always in sight with its profile's colour, and sending that can't go
out from the wrong organization by accident.

The window opens at once and fills in when the draft arrives from the services (a reply needs
the original read from the store). The draft is kept while typing, at most every few seconds
and on close, so a crash loses at most those seconds. Sending first puts the message in the
outbox (committed), then asks the profile's queue to deliver it; the window closes only once
the outbox holds it, and a refusal (an address that is not one) keeps every word typed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.gui.compose.addresses import AddressField
from desktop.gui.compose.attachments import AttachmentList, dropped_files, without
from desktop.gui.compose.body_editor import BodyEditor
from desktop.gui.compose.sender import SenderPicker, confirm_organization
from desktop.gui.icons import icon
from desktop.gui.session.records import (
    Draft,
    DraftAttachment,
    DraftSummary,
    Failure,
    FromChange,
    QueuedMessage,
)
from desktop.gui.session.session import Session
from desktop.gui.session.workspace import Workspace

AUTOSAVE_MS = 5000
Prepare = Callable[[Workspace], Draft]


class ComposeWindow(QMainWindow):
    """Emits ``sent`` once the outbox holds the message (profile id)."""

    sent = Signal(int)

    def __init__(self, session: Session, prepare: Prepare, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(self.tr("New message"))
        self.setAcceptDrops(True)
        self._session = session
        self._draft: Draft | None = None
        self._saved = ""
        self._sending = False
        self._build()
        self._autosave = QTimer(self)
        self._autosave.setInterval(AUTOSAVE_MS)
        self._autosave.timeout.connect(self.save_draft)
        workspace = session.workspace
        session.run(self, lambda: prepare(workspace), self._show_draft, self._could_not_prepare)

    def _build(self) -> None:
        tr = self.tr
        self.sender_picker = SenderPicker(self._session)
        self.sender_picker.chosen.connect(self._sender_chosen)
        self.to = AddressField(self._session, tr("To"))
        self.cc = AddressField(self._session, tr("Cc"))
        self.bcc = AddressField(self._session, tr("Bcc"))
        self.bcc.setToolTip(tr("Recipients that the others do not see"))
        self.subject = QLineEdit()
        self.subject.setAccessibleName(tr("Subject"))
        self.subject.setAccessibleDescription(tr("What the message is about"))
        self.subject.textChanged.connect(self._title)
        self.body = BodyEditor()
        self.attachments = AttachmentList()
        self.attachments.hide()
        self.attachments.files_dropped.connect(self.attach_files)
        self.attachments.removed.connect(self._remove_attachments)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setAccessibleName(tr("About this message"))
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #dc2626; font-weight: 600;")
        self.problem.setAccessibleName(tr("Why the message was not sent"))
        self.problem.hide()
        self.status = QLabel()
        self.status.setAccessibleName(tr("Draft state"))
        self.send_button = QPushButton(icon("send"), tr("&Send"))
        self.send_button.setToolTip(tr("Send the message (Ctrl+Enter)"))
        self.send_button.clicked.connect(self.send)
        self.save_button = QPushButton(icon("draft"), tr("Save &draft"))
        self.save_button.setToolTip(tr("Keep the message to finish later (Ctrl+S)"))
        self.save_button.clicked.connect(self.save_draft)
        self.attach_button = QPushButton(icon("attachment"), tr("&Attach…"))
        self.attach_button.setToolTip(tr("Add files to the message"))
        self.attach_button.clicked.connect(self._choose_files)
        self._lay_out()
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, self.send)
        QShortcut(QKeySequence.StandardKey.Save, self, self.save_draft)
        self._set_editable(False)
        self.resize(720, 560)

    def _lay_out(self) -> None:
        tr = self.tr
        form = QFormLayout()
        form.addRow(tr("&From:"), self.sender_picker)
        form.addRow(self.note)  # why this From: right under it, where the eye checks
        form.setRowVisible(self.note, False)
        self._form = form
        for label, field in ((tr("&To:"), self.to), (tr("&Cc:"), self.cc)):
            form.addRow(label, field)
        form.addRow(tr("&Bcc:"), self.bcc)
        form.addRow(tr("S&ubject:"), self.subject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.send_button)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.attach_button)
        buttons.addStretch(1)
        buttons.addWidget(self.status)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addLayout(buttons)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.body, 1)
        layout.addWidget(self.attachments)
        self.setCentralWidget(page)

    # The draft

    @property
    def draft(self) -> Draft | None:
        """What the window holds now, as typed."""
        draft = self._draft
        if draft is None:
            return None
        return replace(
            draft,
            to=self.to.addresses,
            cc=self.cc.addresses,
            bcc=self.bcc.addresses,
            subject=self.subject.text(),
            body=self.body.body,
            html=self.body.is_rich,
        )

    def _show_draft(self, draft: Draft) -> None:
        self._draft = draft
        self._saved = draft.fingerprint()
        self.to.set_addresses(draft.to)
        self.cc.set_addresses(draft.cc)
        self.bcc.set_addresses(draft.bcc)
        self.subject.setText(draft.subject)
        self.body.show_body(draft.body, draft.html)
        self.attachments.show_attachments(draft.attachments)
        self._show_sender(draft.from_profile_id)
        self._set_editable(True)
        (self.body.text if draft.to else self.to).setFocus()
        self.body.text.moveCursor(self.body.text.textCursor().MoveOperation.Start)
        self._autosave.start()

    def _could_not_prepare(self, failure: Failure) -> None:
        self._show_problem(failure.summary)

    def _set_editable(self, editable: bool) -> None:
        for widget in (self.sender_picker, self.to, self.cc, self.bcc, self.subject, self.body):
            widget.setEnabled(editable)
        for button in (self.send_button, self.save_button, self.attach_button):
            button.setEnabled(editable and not self._sending)

    def _title(self, subject: str) -> None:
        self.setWindowTitle(subject or self.tr("New message"))

    def show_note(self, text: str) -> None:
        """Why the window holds what it holds (a link's message), in sight under the fields."""
        self.note.setText(text)
        self._form.setRowVisible(self.note, bool(text))

    def _show_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.setVisible(bool(text))

    # From

    def _show_sender(self, profile_id: int) -> None:
        self.sender_picker.show_profile(profile_id)

    def _sender_chosen(self, profile_id: int) -> None:
        draft = self.draft
        if draft is None or profile_id == draft.from_profile_id:
            return
        workspace = self._session.workspace
        self._session.run(
            self,
            lambda: workspace.change_from(draft, profile_id),
            self._sender_changed,
            self.tr("Could not change the sender: {reason}"),
        )

    def _sender_changed(self, change: FromChange) -> None:
        draft = change.draft
        if change.warning is not None:
            if not confirm_organization(self, change.warning):
                current = self._draft
                if current is not None:
                    self._show_sender(current.from_profile_id)
                return
            draft = change.confirmed()
        self._draft = draft
        self.body.show_body(draft.body, draft.html)
        self._show_sender(draft.from_profile_id)

    # Attachments

    def _choose_files(self) -> None:
        files, _filter = QFileDialog.getOpenFileNames(self, self.tr("Attach files"))
        self.attach_files([Path(file) for file in files])

    def attach_files(self, paths: Iterable[Path]) -> None:
        """Read in one call, so the files are attached in the order they were chosen."""
        workspace, chosen = self._session.workspace, list(paths)
        if not chosen:
            return
        self._session.run(
            self,
            lambda: [workspace.read_attachment(path) for path in chosen],
            self._attached,
            self.tr("Could not attach the chosen files: {reason}"),
        )

    def _attached(self, read: list[DraftAttachment]) -> None:
        if self._draft is not None:
            attachments = (*self._draft.attachments, *read)
            self._draft = replace(self._draft, attachments=attachments)
            self.attachments.show_attachments(attachments)

    def _remove_attachments(self, rows: list[int]) -> None:
        if self._draft is not None:
            attachments = without(self._draft.attachments, rows)
            self._draft = replace(self._draft, attachments=attachments)
            self.attachments.show_attachments(attachments)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._draft is not None and dropped_files(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        files = dropped_files(event.mimeData())
        if files:
            event.acceptProposedAction()
            self.attach_files(files)

    # Saving and sending

    def save_draft(self) -> None:
        """Writes only when something changed since the last save."""
        self._save(closing=False)

    def _save(self, *, closing: bool) -> None:
        """On close the session owns the save, so it completes after the window is gone."""
        draft = self.draft
        if draft is None or self._sending or draft.fingerprint() == self._saved:
            return
        self._saved = draft.fingerprint()
        workspace = self._session.workspace
        self._session.run(
            self._session if closing else self,
            lambda: workspace.save_draft(draft),
            _ignore if closing else self._show_saved,
            self.tr("Could not save the draft: {reason}"),
        )

    def _show_saved(self, summary: DraftSummary) -> None:
        when = summary.updated_at.astimezone().strftime("%H:%M")
        self.status.setText(self.tr("Draft saved at {time}").format(time=when))

    def send(self) -> None:
        draft = self.draft
        if draft is None or self._sending:
            return
        self._sending = True
        self._set_editable(True)
        self._show_problem("")
        self.status.setText(self.tr("Sending…"))
        workspace = self._session.workspace
        self._session.run(self, lambda: workspace.send_draft(draft), self._queued, self._refused)

    def _queued(self, queued: QueuedMessage) -> None:
        self._session.outbox.deliver(queued.profile_id)
        self._session.outbox.refresh()
        self.sent.emit(queued.profile_id)
        self.close()

    def _refused(self, failure: Failure) -> None:
        self._sending = False
        self._set_editable(True)
        self.status.setText("")
        self._show_problem(failure.summary)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closing keeps the draft (saved once more); sending already dropped it."""
        if not self._sending:
            self._save(closing=True)
        self._autosave.stop()
        super().closeEvent(event)


def _ignore(_summary: DraftSummary) -> None:
    """The window is gone: nothing to show, the draft is in the store."""
