"""Support ID <-> sentence, live both ways, for staff taking an ID over the phone.

A number typed is turned into its sentence at every keystroke (an encode is a few lookups). A
sentence is read once typing pauses (a short single-shot timer) on a worker thread of the
widget's own: reading a sentence that is not spelt as listed searches word lists, and whatever is
pasted, the window must not wait on it. The newest text wins: an older reading still in flight
is forgotten and its result dropped. While a sentence is being read no ID is shown, so nothing
stale can be copied. What was corrected is shown beside the field, a sentence that fits several
IDs offers them to pick instead of guessing, and bad input is outlined with its reason: nothing
typed here ever raises.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.idsentence import (
    AmbiguousSentenceError,
    Candidate,
    Codec,
    Correction,
    Decoded,
    IdSentenceError,
    default_codec,
    parse_id,
)
from desktop.gui.forms import error_label, mark_invalid, show_error
from desktop.gui.session.workers import Workers

log = logging.getLogger(__name__)

#: More readings than this are not worth reading through; the person should ask again instead.
MAX_SHOWN_CANDIDATES = 6
#: How long typing must pause before the sentence is read: short enough to feel live.
READ_DELAY_MS = 150


def describe_corrections(corrections: list[Correction]) -> str:
    return ", ".join(f"{c.heard} \N{RIGHTWARDS ARROW} {c.corrected}" for c in corrections)


class IdConverter(QWidget):
    """``value_changed`` carries the ID shown (an int), or None while there is none."""

    value_changed = Signal(object)

    def __init__(self, codec: Codec | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("idConverter")
        self._codec = codec or default_codec()
        self._value: int | None = None
        self._candidate_buttons: list[QPushButton] = []

        self.number = QLineEdit()
        self.number.setObjectName("idNumber")
        self.number.setAccessibleName("Support ID number")
        self.number.setPlaceholderText(f"a whole number from 0 to {2**self._codec.bits - 1}")
        self.sentence = QLineEdit()
        self.sentence.setObjectName("idSentence")
        self.sentence.setAccessibleName("Support ID sentence")
        example = f"e.g. {self._codec.encode(2474137653 % 2**self._codec.bits)}"
        self.sentence.setPlaceholderText(example)
        # wide enough for a whole sentence of this layout, so staff read it without scrolling
        self.sentence.setMinimumWidth(self.sentence.fontMetrics().horizontalAdvance(example) + 40)

        self.copy_number = self._copy_button("Copy the support ID number", self._copy_number)
        self.copy_sentence = self._copy_button("Copy the support ID sentence", self._copy_sentence)

        self.number_error = error_label("Problem with the support ID number")
        self.sentence_error = error_label("Problem with the support ID sentence")
        self.corrections = self._hint_label("Corrections made to the sentence")
        self.spoken = self._hint_label("Sentence as read aloud")
        self.spoken.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.candidates_label = QLabel("Did you mean:")
        self.candidates_label.setAccessibleName("Possible sentences")
        self.candidates_box = QVBoxLayout()
        self.candidates_box.setContentsMargins(0, 0, 0, 0)
        self.candidates_label.hide()
        self._lay_out()

        # one thread: readings run in the order asked, and one still queued is cancelled
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._workers = Workers(self, self._pool)
        self._reading: int | None = None
        self._read_timer = QTimer(self)
        self._read_timer.setSingleShot(True)
        self._read_timer.setInterval(READ_DELAY_MS)
        self._read_timer.timeout.connect(self._read_sentence)

        self.number.textEdited.connect(self._number_edited)
        self.sentence.textEdited.connect(self._sentence_edited)
        self._show(None)

    def _lay_out(self) -> None:
        grid = QGridLayout(self)
        number_label = QLabel("Support &ID:")
        number_label.setBuddy(self.number)
        sentence_label = QLabel("&Sentence:")
        sentence_label.setBuddy(self.sentence)
        grid.addWidget(number_label, 0, 0)
        grid.addWidget(self.number, 0, 1)
        grid.addWidget(self.copy_number, 0, 2)
        grid.addWidget(self.number_error, 1, 1, 1, 2)
        grid.addWidget(sentence_label, 2, 0)
        grid.addWidget(self.sentence, 2, 1)
        grid.addWidget(self.copy_sentence, 2, 2)
        grid.addWidget(self.corrections, 3, 1, 1, 2)
        grid.addWidget(self.sentence_error, 4, 1, 1, 2)
        grid.addWidget(self.spoken, 5, 1, 1, 2)
        candidates = QHBoxLayout()
        candidates.addWidget(self.candidates_label, 0, Qt.AlignmentFlag.AlignTop)
        candidates.addLayout(self.candidates_box, 1)
        grid.addLayout(candidates, 6, 1, 1, 2)
        grid.setColumnStretch(1, 1)
        grid.setRowStretch(7, 1)

        self.setTabOrder(self.number, self.copy_number)
        self.setTabOrder(self.copy_number, self.sentence)
        self.setTabOrder(self.sentence, self.copy_sentence)

    # -- public -----------------------------------------------------------------------------

    def value(self) -> int | None:
        return self._value

    def set_value(self, value: int | None) -> None:
        """Shows an ID from the program (a profile's), as if it had been typed."""
        self.number.setText("" if value is None else str(value))
        self._number_edited(self.number.text())

    # -- reacting to typing -------------------------------------------------------------------

    def _number_edited(self, text: str) -> None:
        self._clear_candidates()
        self._forget_reading()
        show_error(self.sentence_error, "")
        mark_invalid(self.sentence, False)
        self.corrections.hide()
        if not text.strip():
            self._fail_number("")
            self.sentence.clear()
            return
        try:
            value = parse_id(text)
            sentence = self._codec.encode(value)
        except IdSentenceError as error:
            self._fail_number(str(error))
            self.sentence.clear()
            return
        show_error(self.number_error, "")
        mark_invalid(self.number, False)
        self.sentence.setText(sentence)
        self.sentence.setCursorPosition(0)
        self._show(value)

    @property
    def reading(self) -> bool:
        """True from a sentence edit until its reading is shown."""
        return self._read_timer.isActive() or self._reading is not None

    def _sentence_edited(self, text: str) -> None:
        self._clear_candidates()
        self._forget_reading()
        show_error(self.number_error, "")
        mark_invalid(self.number, False)
        if not text.strip():
            self._fail_sentence("")
            return
        self.number.clear()
        self._show(None)
        self._read_timer.start()

    def _forget_reading(self) -> None:
        self._read_timer.stop()
        if self._reading is not None:
            self._workers.forget(self._reading)
            self._pool.clear()  # a reading queued behind the running one never starts
            self._reading = None

    def _read_sentence(self) -> None:
        text = self.sentence.text()
        decode = self._codec.decode

        def read() -> Decoded | IdSentenceError:
            try:
                return decode(text)
            except IdSentenceError as error:
                return error

        self._reading = self._workers.submit(read, self._sentence_read, self._reading_failed)

    def _sentence_read(self, outcome: Decoded | IdSentenceError) -> None:
        self._reading = None
        if isinstance(outcome, AmbiguousSentenceError):
            self._fail_sentence(str(outcome))
            self._offer(outcome.candidates)
        elif isinstance(outcome, IdSentenceError):
            self._fail_sentence(str(outcome))
        else:
            self._show_decoded(outcome)

    def _reading_failed(self, error: Exception) -> None:
        """Not bad input (that comes back as an IdSentenceError) but a fault: logged in full."""
        self._reading = None
        log.error("reading a support ID sentence failed", exc_info=error)
        self._fail_sentence("This sentence could not be read; the problem was logged.")

    def _show_decoded(self, decoded: Decoded) -> None:
        show_error(self.sentence_error, "")
        mark_invalid(self.sentence, False)
        self.number.setText(str(decoded.value))
        fixes = describe_corrections(decoded.corrections)
        self.corrections.setText(f"Heard as: {fixes}" if fixes else "")
        self.corrections.setVisible(bool(fixes))
        self._show(decoded.value)

    def _fail_number(self, reason: str) -> None:
        show_error(self.number_error, reason)
        mark_invalid(self.number, bool(reason))
        self._show(None)

    def _fail_sentence(self, reason: str) -> None:
        """The number is cleared too: an ID left over from an earlier sentence would mislead."""
        self.number.clear()
        show_error(self.sentence_error, reason)
        mark_invalid(self.sentence, bool(reason))
        self.corrections.hide()
        self._show(None)

    def _show(self, value: int | None) -> None:
        changed = value != self._value
        self._value = value
        self.copy_number.setEnabled(value is not None)
        self.copy_sentence.setEnabled(value is not None)
        if value is None:
            self.spoken.hide()
        else:
            self.spoken.setText(
                f"Read aloud: \N{LEFT DOUBLE QUOTATION MARK}"
                f"{self._codec.read_aloud(value)}\N{RIGHT DOUBLE QUOTATION MARK}"
            )
            self.spoken.show()
        if changed:
            self.value_changed.emit(value)

    # -- candidates ---------------------------------------------------------------------------

    def _offer(self, candidates: list[Candidate]) -> None:
        for candidate in candidates[:MAX_SHOWN_CANDIDATES]:
            button = QPushButton(candidate.sentence)
            button.setAccessibleName(f"Use {candidate.sentence}")
            button.setToolTip(f"Support ID {candidate.value}")
            button.setAutoDefault(True)  # Enter picks it, not only Space
            button.setStyleSheet("text-align: left; padding: 3px 8px;")
            button.clicked.connect(lambda _=False, c=candidate: self._pick(c))
            self.candidates_box.addWidget(button)
            self._candidate_buttons.append(button)
        self.candidates_label.setVisible(bool(self._candidate_buttons))
        previous: QWidget = self.sentence
        for button in self._candidate_buttons:
            self.setTabOrder(previous, button)
            previous = button

    def _pick(self, candidate: Candidate) -> None:
        """A candidate is a sentence as printed with its ID known: nothing is left to read."""
        self._clear_candidates()
        self.sentence.setText(candidate.sentence)
        self._show_decoded(Decoded(candidate.value, []))
        self.sentence.setFocus()

    def _clear_candidates(self) -> None:
        for button in self._candidate_buttons:
            # deleteLater: the button being clicked may be the one removed here
            self.candidates_box.removeWidget(button)
            button.hide()
            button.deleteLater()
        self._candidate_buttons.clear()
        self.candidates_label.hide()

    # -- building blocks ----------------------------------------------------------------------

    def _copy_button(self, accessible_name: str, slot: Callable[[], None]) -> QPushButton:
        button = QPushButton("Copy")
        button.setAutoDefault(True)  # Enter copies, not only Space
        button.setAccessibleName(accessible_name)
        button.setToolTip(accessible_name)
        button.clicked.connect(slot)
        return button

    @staticmethod
    def _hint_label(accessible_name: str) -> QLabel:
        label = QLabel()
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(True)
        label.setAccessibleName(accessible_name)
        label.hide()
        return label

    def _copy_number(self) -> None:
        if self._value is not None:
            QGuiApplication.clipboard().setText(str(self._value))

    def _copy_sentence(self) -> None:
        if self._value is not None:
            QGuiApplication.clipboard().setText(self._codec.encode(self._value))
