"""The support ID panel: the active profile's sentence, large, ready to read out or copy.

Admin profiles also get "look up": type the sentence support staff heard and see which user and
profile own it. Reading what was typed is the core's one support-ID reading (bounded, a few
milliseconds at most, fine on the GUI thread); the look-up itself is a service call on a worker,
checked and audited against the active profile's role.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.idsentence import (
    AmbiguousSentenceError,
    IdSentenceError,
    default_codec,
    read_support_id,
)
from desktop.core.roles import Action
from desktop.gui.forms import close_buttons, error_label, show_error
from desktop.gui.icons import icon
from desktop.gui.profiles.chip import ProfileChip
from desktop.gui.session.records import SupportIdOwner
from desktop.gui.session.session import Session
from desktop.gui.session.viewdata import ProfileCard
from desktop.gui.session.workers import Workers
from desktop.gui.widgets.id_converter import IdConverter


def _plain(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class LookupBox(QGroupBox):
    """Admin only: from a heard sentence to the user and profile that own it."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Look up a support ID (administrators)"))
        self._session = session
        self._workers = Workers(self)
        self._codec = default_codec()
        self.heard = QLineEdit()
        self.heard.setAccessibleName(self.tr("Heard sentence or number"))
        self.heard.setPlaceholderText(self.tr("type what you heard, e.g. 20 exultant leopards…"))
        self.heard.returnPressed.connect(self.look_up)
        self.button = QPushButton(self.tr("&Look up"))
        self.button.setToolTip(self.tr("Find the profile a support ID belongs to"))
        self.button.clicked.connect(self.look_up)
        self.candidates = QListWidget()
        self.candidates.setAccessibleName(self.tr("Possible IDs"))
        self.candidates.itemActivated.connect(self._pick)
        self.candidates.hide()
        self.result = _plain()
        self.result.setAccessibleName(self.tr("Look-up result"))
        self.error = error_label(self.tr("Look-up problem"))
        row = QHBoxLayout()
        row.addWidget(self.heard, 1)
        row.addWidget(self.button)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.error)
        layout.addWidget(self.candidates)
        layout.addWidget(self.result)

    def look_up(self) -> None:
        self.candidates.hide()
        self.result.clear()
        show_error(self.error, "")
        try:
            read = read_support_id(self.heard.text(), self._codec)
        except AmbiguousSentenceError as error:
            show_error(self.error, str(error))
            self.candidates.clear()
            for candidate in error.candidates:
                item = QListWidgetItem(f"{candidate.sentence}  ({candidate.value})")
                item.setData(Qt.ItemDataRole.UserRole, candidate.value)
                self.candidates.addItem(item)
            self.candidates.show()
            self.candidates.setFocus()
            self.candidates.setCurrentRow(0)
            return
        except IdSentenceError as error:
            show_error(self.error, _sentence_case(str(error)))
            return
        if read.corrections:
            fixed = ", ".join(f"{c.heard} → {c.corrected}" for c in read.corrections)
            self.result.setText(self.tr("Understood with corrections: {c}").format(c=fixed))
        self._ask(read.value)

    def _pick(self, item: QListWidgetItem) -> None:
        self.candidates.hide()
        show_error(self.error, "")
        self._ask(int(item.data(Qt.ItemDataRole.UserRole)))

    def _ask(self, value: int) -> None:
        workspace = self._session.workspace
        self.button.setEnabled(False)
        self._workers.submit(
            lambda: workspace.look_up_support_id(value),
            self._found,
            self._not_found,
        )

    def _found(self, owner: SupportIdOwner) -> None:
        self.button.setEnabled(True)
        lines = [
            self.tr("Support ID {n}").format(n=owner.support_id),
            self.tr("User: {name} ({login})").format(name=owner.display_name, login=owner.login),
            self.tr("Profile: {org}, {role}, {email}").format(
                org=owner.organization, role=owner.role, email=owner.email
            ),
        ]
        prefix = self.result.text()
        self.result.setText("\n".join(([prefix] if prefix else []) + lines))

    def _not_found(self, error: Exception) -> None:
        self.button.setEnabled(True)
        show_error(self.error, _sentence_case(str(error)) + ".")


def _sentence_case(message: str) -> str:
    return message[:1].upper() + message[1:]


class SupportDialog(QDialog):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Support ID"))
        self.setObjectName("supportDialog")
        self._session = session
        self._codec = default_codec()
        self._profile: ProfileCard | None = None

        self.heading = _plain()
        self.chip = ProfileChip()
        self.sentence = _plain()
        self.sentence.setAccessibleName(self.tr("Support sentence"))
        font = self.sentence.font()
        font.setPointSizeF(font.pointSizeF() * 2.0)
        font.setBold(True)
        self.sentence.setFont(font)
        self.spoken = _plain()
        self.spoken.setAccessibleName(self.tr("As read aloud"))
        self.number = _plain()
        self.number.setAccessibleName(self.tr("Support ID number"))
        self.copy_sentence = QPushButton(icon("copy"), self.tr("&Copy sentence"))
        self.copy_sentence.setToolTip(self.tr("Copy the sentence to read to support staff"))
        self.copy_sentence.clicked.connect(lambda: self._copy(self.sentence.text()))
        self.copy_number = QPushButton(icon("copy"), self.tr("Copy &number"))
        self.copy_number.setToolTip(self.tr("Copy the support ID as a number"))
        self.copy_number.clicked.connect(lambda: self._copy(str(self._support_id())))
        self.converter = IdConverter(self._codec)
        converter_box = QGroupBox(self.tr("Convert any support ID"))
        QVBoxLayout(converter_box).addWidget(self.converter)
        self.lookup = LookupBox(session)
        close = close_buttons(self)

        copy_row = QHBoxLayout()
        copy_row.addWidget(self.copy_sentence)
        copy_row.addWidget(self.copy_number)
        copy_row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.chip, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.sentence)
        layout.addWidget(self.spoken)
        layout.addWidget(self.number)
        layout.addLayout(copy_row)
        layout.addWidget(converter_box)
        layout.addWidget(self.lookup)
        layout.addStretch(1)
        layout.addWidget(close)
        self.resize(680, 680)

    def set_profile(self, profile: ProfileCard | None) -> None:
        self._profile = profile
        self.chip.set_profile(profile)
        if profile is None:
            self.heading.setText(self.tr("No active profile."))
            for label in (self.sentence, self.spoken, self.number):
                label.clear()
            self.lookup.hide()
            return
        self.heading.setText(
            self.tr("Read this to support when they ask for your ID for {org}:").format(
                org=profile.organization
            )
        )
        self.sentence.setText(self._codec.encode(profile.support_id))
        self.spoken.setText(
            self.tr("Said aloud: “{words}”").format(
                words=self._codec.read_aloud(profile.support_id)
            )
        )
        self.number.setText(self.tr("Support ID number: {n}").format(n=profile.support_id))
        self.lookup.setVisible(self._session.allows(Action.LOOK_UP_ANY_SUPPORT_ID, profile))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter in a field belongs to that field (the look-up runs on it); it does not press
        the dialog's default button, which would close the dialog under the person typing."""
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if enter and isinstance(self.focusWidget(), QLineEdit):
            event.accept()
            return
        super().keyPressEvent(event)

    def focus_lookup(self) -> None:
        if self.lookup.isVisible():
            self.lookup.heard.setFocus()

    def _support_id(self) -> int:
        return self._profile.support_id if self._profile else 0

    def _copy(self, text: str) -> None:
        clipboard = QGuiApplication.clipboard()
        if clipboard is not None and text:
            clipboard.setText(text)
