"""To, Cc and Bcc fields that complete addresses from the user's own mail as they are typed.

A field holds several addresses separated by commas; completion works on the one being typed
and keeps the others. The look-up runs on a worker after a short pause in typing, so a large
mailbox never slows a key press.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QStringListModel, Qt, QTimer
from PySide6.QtWidgets import QCompleter, QLineEdit, QWidget

from desktop.core.compose.recipients import split_addresses
from desktop.gui.session.records import Failure, KnownRecipient
from desktop.gui.session.session import Session

PAUSE_MS = 150


class _LastAddressCompleter(QCompleter):
    """Completes the address after the last comma, and puts the others back around it."""

    def splitPath(self, path: str) -> list[str]:
        return [path.rsplit(",", 1)[-1].strip()]

    def pathFromIndex(self, index: QModelIndex | QPersistentModelIndex) -> str:
        chosen = super().pathFromIndex(index)
        widget = self.widget()
        typed = widget.text() if isinstance(widget, QLineEdit) else ""
        before = typed.rsplit(",", 1)[0] + ", " if "," in typed else ""
        return f"{before}{chosen}, "


class AddressField(QLineEdit):
    def __init__(self, session: Session, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self.setAccessibleName(name)
        self.setPlaceholderText(self.tr("name@example.org, another@example.org"))
        self._model = QStringListModel(self)
        completer = _LastAddressCompleter(self._model, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.setCompleter(completer)
        self._pause = QTimer(self)
        self._pause.setSingleShot(True)
        self._pause.setInterval(PAUSE_MS)
        self._pause.timeout.connect(self._look_up)
        self.textEdited.connect(lambda _text: self._pause.start())

    @property
    def addresses(self) -> tuple[str, ...]:
        return split_addresses(self.text())

    def set_addresses(self, addresses: Sequence[str]) -> None:
        self.setText(", ".join(addresses))

    def _look_up(self) -> None:
        typed = self.text().rsplit(",", 1)[-1].strip()
        if not typed:
            return
        workspace = self._session.workspace
        self._session.run(
            self,
            lambda: list(workspace.complete_addresses(typed)),
            self._offer,
            _quietly,
        )

    def _offer(self, known: list[KnownRecipient]) -> None:
        self._model.setStringList([person.formatted for person in known])
        if known and self.hasFocus():
            self.completer().complete()


def _quietly(_failure: Failure) -> None:
    """A completion that could not be looked up offers nothing; typing goes on."""
