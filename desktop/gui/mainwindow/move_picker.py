"""Message > Move to… (Ctrl+Shift+V): a folder picker that is used from the keyboard first.

Typing filters the folders (any part of the folder's path, case aside), Up and Down choose, Enter
moves, Esc cancels; a double click moves too. The folders of the messages' own profile come
first; below them, under a heading with each one's organization and address, the folders of the
user's other profiles, where mail is never moved but copied, after a question
(:mod:`desktop.gui.mainwindow.copy_flow`): mail never reaches another organization's account by
accident. Typing an organization's name finds its folders. A selection over several profiles can
only go to each profile's Archive or Trash, which the picker says.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

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
from desktop.gui.session.folders import FolderCard, FolderTree
from desktop.gui.session.mail_actions import BY_ROLE

Target = MailView | FolderRole
"""One folder of the messages' profile (or of another, to copy to), or a role every profile has."""
Choice = tuple[str, Target | None]
"""An entry's text and where it leads; None for the heading of another profile's folders (its
organization and address on two lines)."""


def folder_choices(
    tree: FolderTree | None,
    profile_ids: Sequence[int],
    current: MailView | None,
    others: Mapping[int, tuple[str, str]] | None = None,
) -> list[Choice]:
    """The picker's entries: one profile's folders by path, or the roles all profiles share.

    A profile without an Archive or a Trash yet is offered them by role all the same: the
    services make the folder with the first message that goes there. ``others`` names the
    user's other profiles (organization, address) whose folders follow, each under its name.
    """
    by_role: list[Choice] = [("Archive", FolderRole.ARCHIVE), ("Trash", FolderRole.TRASH)]
    if len(set(profile_ids)) != 1:
        return list(by_role)
    if tree is None:
        return []
    wanted = profile_ids[0]
    choices: list[Choice] = []
    roles: set[FolderRole] = set()
    for profile in tree.profiles:
        if profile.profile_id == wanted:
            for text, card in _paths(profile.folders):
                roles.add(card.role)
                if card.view != current:
                    choices.append((text, card.view))
    choices += [(text, role) for text, role in by_role if role not in roles]
    for profile in tree.profiles:
        named = (others or {}).get(profile.profile_id)
        if profile.profile_id != wanted and named is not None and profile.folders:
            choices.append(("\n".join(named), None))
            choices += [(text, card.view) for text, card in _paths(profile.folders)]
    return choices


def _paths(folders: Sequence[FolderCard]) -> list[tuple[str, FolderCard]]:
    path: list[str] = []
    found = []
    for card in folders:
        del path[card.depth :]
        path.append(card.label)
        found.append((" / ".join(path), card))
    return found


class MovePicker(QDialog):
    """Emits ``chosen`` with the target, once, when the person picks one."""

    chosen = Signal(object)  # Target

    def __init__(
        self, choices: Sequence[Choice], profiles: int, parent: QWidget | None = None
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
        self.folders.setAccessibleDescription(
            tr(
                "The folders the messages can be moved to; under another profile's name, the "
                "folders they can be copied to"
            )
        )
        # Kept here, not in the items: Qt would hand a role back as a bare string.
        self._targets = [target for _text, target in choices]
        self._matched = self._fill(choices)
        self._hint = (
            tr(
                "These messages belong to {n} profiles: each can go to its own profile's "
                "Archive or Trash. To move them to a folder by name, choose one profile's messages."
            ).format(n=profiles)
            if profiles > 1
            else tr(
                "A folder under another profile's name gets a copy, after you confirm: the "
                "messages stay here too."
            )
        )
        self.note = QLabel(self._hint)
        self.note.setWordWrap(True)
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.move_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.move_button.setText(tr("&Move"))
        self.move_button.setAccessibleDescription(
            tr("Move the messages to the chosen folder, or copy them to another profile's")
        )
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

    def _fill(self, choices: Sequence[Choice]) -> list[str]:
        """The list's items; what typing matches in each: a copy's folder by its profile's
        name and address too ("riverside inbox")."""
        tr = self.tr
        matched: list[str] = []
        heading = ""
        for text, target in choices:
            item = QListWidgetItem(tr(text) if target in BY_ROLE else text)
            if target is None:
                heading = text
                organization, _, email = text.partition("\n")
                words = tr("Copy to {organization}\n{email}")
                item.setText(words.format(organization=organization, email=email))
                item.setFlags(Qt.ItemFlag.ItemIsEnabled)  # read, never chosen
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            elif isinstance(target, MailView) and heading:
                item.setText(f"    {text}")
            matched.append(f"{heading} {text}".casefold())
            self.folders.addItem(item)
        return matched

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.filter.setFocus(Qt.FocusReason.PopupFocusReason)

    def visible_texts(self) -> list[str]:
        """The folders shown, by path (the headings of other profiles left out)."""
        return [
            self.folders.item(row).text().strip()
            for row in self._rows()
            if not self.folders.item(row).isHidden()
        ]

    def copies(self, row: int) -> bool:
        """Whether the entry at ``row`` is another profile's folder: a copy, not a move."""
        return any(target is None for target in self._targets[: max(row, 0)])

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

    def _rows(self) -> list[int]:
        """The rows of folders, without the headings."""
        return [row for row, target in enumerate(self._targets) if target is not None]

    def _narrow(self, text: str) -> None:
        words = text.casefold().split()
        first: int | None = None
        heading: QListWidgetItem | None = None
        for row, target in enumerate(self._targets):
            item = self.folders.item(row)
            if target is None:  # shown while a folder under it is
                heading = item
                item.setHidden(True)
                continue
            shown = all(word in self._matched[row] for word in words)
            item.setHidden(not shown)
            if shown and heading is not None:
                heading.setHidden(False)
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
        rows = [r for r in self._rows() if not self.folders.item(r).isHidden()]
        if not rows:
            return
        at = self.folders.currentRow()
        place = rows.index(at) + by if at in rows else 0
        self.folders.setCurrentRow(rows[max(0, min(place, len(rows) - 1))])

    def _chosen(self) -> int | None:
        row = self.folders.currentRow()
        item = self.folders.currentItem()
        if item is None or item.isHidden() or self._targets[row] is None:
            return None
        return row

    def _update_button(self) -> None:
        row = self._chosen()
        self.move_button.setEnabled(row is not None)
        copying = row is not None and self.copies(row)
        self.move_button.setText(self.tr("&Copy…") if copying else self.tr("&Move"))

    def _pick(self) -> None:
        row = self._chosen()
        if self._picked or row is None:
            return
        self._picked = True
        self.chosen.emit(self._targets[row])
        self.accept()
