"""The outbox dialog: each message that has not left, why, and the choices that fit its state.

A failed message is retried only by the person, after reading the server's reason; a message
that may have been sent is never sent again on its own: that choice is the person's, here.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.gui.forms import close_buttons
from desktop.gui.outbox.wording import explanation, state_text
from desktop.gui.session.outbox import SessionOutbox
from desktop.gui.session.records import OutboxEntry, OutboxState
from desktop.gui.session.session import Session

ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1


class OutboxDialog(QDialog):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Outbox"))
        self.setAccessibleName(self.tr("Outbox"))
        self._session = session
        self._outbox: SessionOutbox = session.outbox
        self.entries = QTreeWidget()
        self.entries.setAccessibleName(self.tr("Messages not sent yet"))
        self.entries.setRootIsDecorated(False)
        self.entries.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.entries.setHeaderLabels(
            [self.tr("From"), self.tr("To"), self.tr("Subject"), self.tr("State")]
        )
        header = self.entries.header()
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        self.explanation = QLabel()
        self.explanation.setWordWrap(True)
        self.explanation.setAccessibleName(self.tr("What happened to the chosen message"))
        self.empty = QLabel(self.tr("Every message has been sent."))
        self.retry_button = self._button(
            self.tr("&Retry"), self.tr("Try to send the chosen message now"), self._retry
        )
        self.again_button = self._button(
            self.tr("Send &again"),
            self.tr("Send the chosen message although it may have gone out once"),
            self._send_again,
        )
        self.sent_button = self._button(
            self.tr("&Mark as sent"),
            self.tr("The chosen message did go out: stop trying to send it"),
            self._mark_sent,
        )
        self.discard_button = self._button(
            self.tr("&Discard"),
            self.tr("Delete the chosen message without sending it"),
            self._discard,
        )
        actions = QHBoxLayout()
        for button in (self.retry_button, self.again_button, self.sent_button):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.discard_button)
        close = close_buttons(self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty)
        layout.addWidget(self.entries, 1)
        layout.addWidget(self.explanation)
        layout.addLayout(actions)
        layout.addWidget(close)
        self.resize(640, 360)
        self.entries.currentItemChanged.connect(lambda *_: self._update())
        self._outbox.changed.connect(self._show_entries)
        self._show_entries()
        self._outbox.refresh()

    def chosen(self) -> OutboxEntry | None:
        item = self.entries.currentItem()
        entry = item.data(0, ENTRY_ROLE) if item is not None else None
        return entry if isinstance(entry, OutboxEntry) else None

    def _button(self, text: str, tip: str, clicked: Callable[[], None]) -> QPushButton:
        button = QPushButton(text)
        button.setToolTip(tip)
        button.setAutoDefault(False)
        button.clicked.connect(clicked)
        return button

    def _show_entries(self) -> None:
        chosen = self.chosen()
        self.entries.clear()
        for entry in self._outbox.entries:
            profile = self._session.profile(entry.profile_id)
            sender = profile.organization if profile is not None else ""
            item = QTreeWidgetItem(
                [
                    sender,
                    ", ".join(entry.recipients),
                    entry.subject or self.tr("(no subject)"),
                    state_text(entry),
                ]
            )
            item.setData(0, ENTRY_ROLE, entry)
            item.setToolTip(3, explanation(entry))
            self.entries.addTopLevelItem(item)
            if chosen is not None and entry.id == chosen.id:
                self.entries.setCurrentItem(item)
        first = self.entries.topLevelItem(0)
        if self.entries.currentItem() is None and first is not None:
            self.entries.setCurrentItem(first)
        self.empty.setVisible(not self._outbox.entries)
        self.entries.setVisible(bool(self._outbox.entries))
        self._update()

    def _update(self) -> None:
        entry = self.chosen()
        state = entry.state if entry is not None else None
        self.explanation.setText(explanation(entry) if entry is not None else "")
        self.retry_button.setVisible(state is OutboxState.FAILED)
        self.again_button.setVisible(state is OutboxState.MAY_HAVE_BEEN_SENT)
        self.sent_button.setVisible(state is OutboxState.MAY_HAVE_BEEN_SENT)
        self.discard_button.setEnabled(entry is not None and state is not OutboxState.SENDING)

    def _retry(self) -> None:
        entry = self.chosen()
        if entry is not None:
            self._outbox.retry(entry.id)

    def _send_again(self) -> None:
        entry = self.chosen()
        if entry is not None:
            self._outbox.send_again(entry.id)

    def _mark_sent(self) -> None:
        entry = self.chosen()
        if entry is not None:
            self._outbox.mark_sent(entry.id)

    def _discard(self) -> None:
        """Asks first: a discarded message is gone, and nothing else keeps a copy of it."""
        entry = self.chosen()
        if entry is None:
            return
        answer = QMessageBox.question(
            self,
            self.tr("Discard the message?"),
            self.tr("“{subject}” will not be sent, and it cannot be brought back.").format(
                subject=entry.subject or self.tr("(no subject)")
            ),
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.Discard:
            self._outbox.discard(entry.id)
