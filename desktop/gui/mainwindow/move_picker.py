"""Message > Move to… (Ctrl+Shift+V): a folder picker that is used from the keyboard first.

Typing filters the folders (any part of the folder's path, case aside), Up and Down choose, Enter
moves, Esc cancels; a double click moves too. Only the folders of the messages' own profile are
offered: mail never moves to another organization's account by accident. A selection over
several profiles can only go to each profile's Archive or Trash, which the picker says.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.core.folders import FolderRole
from desktop.core.mail_views import MailView
from desktop.gui.session.folders import FolderTree
from desktop.gui.session.mail_actions import BY_ROLE

Target = MailView | FolderRole
"""One folder of the messages' profile, or a role that every profile has."""


def folder_choices(
    tree: FolderTree | None, profile_ids: Sequence[int], current: MailView | None
) -> list[tuple[str, Target]]:
    """The picker's entries: one profile's folders by path, or the roles all profiles share.

    A profile without an Archive or a Trash yet is offered them by role all the same: the
    services make the folder with the first message that goes there.
    """
    by_role: list[tuple[str, Target]] = [
        ("Archive", FolderRole.ARCHIVE),
        ("Trash", FolderRole.TRASH),
    ]
    if len(set(profile_ids)) != 1:
        return by_role
    if tree is None:
        return []
    wanted = profile_ids[0]
    choices: list[tuple[str, Target]] = []
    roles: set[FolderRole] = set()
    for profile in tree.profiles:
        if profile.profile_id != wanted:
            continue
        path: list[str] = []
        for card in profile.folders:
            del path[card.depth :]
            path.append(card.label)
            roles.add(card.role)
            if card.view != current:
                choices.append((" / ".join(path), card.view))
    return choices + [(text, role) for text, role in by_role if role not in roles]


class MovePicker(QDialog):
    """Emits ``chosen`` with the target, once, when the person picks one."""

    chosen = Signal(object)  # Target

    def __init__(
        self, choices: Sequence[tuple[str, Target]], profiles: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        tr = self.tr
        self.setWindowTitle(tr("Move to folder"))
        self.filter = QLineEdit()
        self.filter.setPlaceholderText(tr("Type part of a folder's name"))
        self.filter.setAccessibleName(tr("Folder name"))
        self.filter.setAccessibleDescription(
            tr("Typing narrows the folders below; Enter moves to the chosen one, Esc cancels")
        )
        self.folders = QListWidget()
        self.folders.setAccessibleName(tr("Folders"))
        self.folders.setAccessibleDescription(tr("The folders the messages can be moved to"))
        # Kept here, not in the items: Qt would hand a role back as a bare string.
        self._targets = [target for _text, target in choices]
        for text, target in choices:
            self.folders.addItem(QListWidgetItem(tr(text) if target in BY_ROLE else text))
        self._hint = (
            tr(
                "These messages belong to {n} profiles: each can go to its own profile's "
                "Archive or Trash. To move them to a folder by name, choose one profile's messages."
            ).format(n=profiles)
            if profiles > 1
            else tr("Only the folders of this message's profile are listed.")
        )
        self.note = QLabel(self._hint)
        self.note.setWordWrap(True)
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.move_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.move_button.setText(tr("&Move"))
        self.move_button.setAccessibleDescription(tr("Move the messages to the chosen folder"))
        cancel = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setAccessibleDescription(tr("Close without moving anything"))
        buttons.accepted.connect(self._pick)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.filter)
        layout.addWidget(self.folders, 1)
        layout.addWidget(self.note)
        layout.addWidget(buttons)
        self.filter.textChanged.connect(self._narrow)
        self.filter.returnPressed.connect(self._pick)
        self._picked = False
        self.filter.installEventFilter(self)
        self.folders.itemDoubleClicked.connect(lambda _item: self._pick())
        self.folders.currentRowChanged.connect(lambda _row: self._update_button())
        self.resize(420, 420)
        self._narrow("")

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.filter.setFocus(Qt.FocusReason.PopupFocusReason)

    def visible_texts(self) -> list[str]:
        return [
            item.text()
            for row in range(self.folders.count())
            if (item := self.folders.item(row)) is not None and not item.isHidden()
        ]

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Up and Down in the field move through the list, so the hands stay on the keys."""
        arrows = (Qt.Key.Key_Up, Qt.Key.Key_Down)
        if (
            watched is self.filter
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() in arrows
        ):
            self._step(-1 if event.key() == Qt.Key.Key_Up else 1)
            return True
        return super().eventFilter(watched, event)

    def _narrow(self, text: str) -> None:
        words = text.casefold().split()
        first: int | None = None
        for row in range(self.folders.count()):
            item = self.folders.item(row)
            shown = all(word in item.text().casefold() for word in words)
            item.setHidden(not shown)
            if shown and first is None:
                first = row
        current = self.folders.currentItem()
        if current is None or current.isHidden():
            self.folders.setCurrentRow(first if first is not None else -1)
        self.note.setText(
            self.tr("No folder matches “{text}”.").format(text=text.strip())
            if first is None and text.strip()
            else self._hint
        )
        self._update_button()

    def _step(self, by: int) -> None:
        rows = [r for r in range(self.folders.count()) if not self.folders.item(r).isHidden()]
        if not rows:
            return
        at = self.folders.currentRow()
        place = rows.index(at) + by if at in rows else 0
        self.folders.setCurrentRow(rows[max(0, min(place, len(rows) - 1))])

    def _update_button(self) -> None:
        item = self.folders.currentItem()
        self.move_button.setEnabled(item is not None and not item.isHidden())

    def _pick(self) -> None:
        item = self.folders.currentItem()
        if self._picked or item is None or item.isHidden():
            return
        self._picked = True
        self.chosen.emit(self._targets[self.folders.row(item)])
        self.accept()
