"""The ID converter as staff use it: typing, correcting, picking, copying, all by keyboard."""

from __future__ import annotations

import itertools
import threading
import time

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QKeyEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from desktop.core.idsentence import Codec, Decoded, load_codec
from desktop.core.idsentence.layout import load_layout
from desktop.gui.widgets.id_converter import IdConverter

LEOPARDS = "20 exultant leopards strode intensely"


def make(qtbot: QtBot, bits: int = 32) -> IdConverter:
    widget = IdConverter(load_codec(bits))
    qtbot.addWidget(widget)
    with qtbot.waitExposed(widget):
        widget.show()
    return widget


def type_sentence(qtbot: QtBot, widget: IdConverter, text: str) -> None:
    """Types into the sentence field and waits for its reading, which runs off the GUI thread."""
    qtbot.keyClicks(widget.sentence, text)
    qtbot.waitUntil(lambda: not widget.reading)


def test_typing_a_number_writes_the_sentence_as_you_type(qtbot: QtBot) -> None:
    widget = make(qtbot)
    seen: list[object] = []
    widget.value_changed.connect(seen.append)
    qtbot.keyClicks(widget.number, "2474137653")
    assert seen == [2, 24, 247, 2474, 24741, 247413, 2474137, 24741376, 247413765, 2474137653]
    assert widget.sentence.text() == LEOPARDS
    assert (
        widget.spoken.text() == "Read aloud: \u201ctwenty exultant leopards strode intensely\u201d"
    )
    assert widget.copy_number.isEnabled()
    assert widget.copy_sentence.isEnabled()


def test_typing_a_misheard_sentence_shows_the_number_and_the_corrections(qtbot: QtBot) -> None:
    widget = make(qtbot)
    type_sentence(qtbot, widget, "Twenty exultant leopard strode intensly")
    assert widget.number.text() == "2474137653"
    assert widget.value() == 2474137653
    assert widget.corrections.isVisible()
    assert widget.corrections.text() == (
        "Heard as: leopard \u2192 leopards, intensly \u2192 intensely"
    )
    assert not widget.sentence_error.isVisible()


def test_an_unfinished_sentence_says_what_is_missing(qtbot: QtBot) -> None:
    widget = make(qtbot)
    type_sentence(qtbot, widget, "20 exultant leopards strode")
    assert widget.sentence_error.isVisible()
    assert widget.sentence_error.text().startswith("missing the adverb")
    assert widget.sentence.property("invalid") is True
    assert widget.number.text() == ""
    assert widget.value() is None
    assert not widget.copy_sentence.isEnabled()
    type_sentence(qtbot, widget, " intensely")
    assert not widget.sentence_error.isVisible()
    assert widget.sentence.property("invalid") is False
    assert widget.value() == 2474137653


def test_a_word_of_no_slot_is_named_with_the_closest_words(qtbot: QtBot) -> None:
    widget = make(qtbot)
    type_sentence(qtbot, widget, "20 purple leopards strode intensely")
    assert widget.sentence_error.text().startswith("'purple' is not an adjective here; closest:")

    def offered() -> list[str]:
        return [b.text() for b in widget.findChildren(QPushButton) if b.isVisible()]

    qtbot.waitUntil(lambda: "20 puzzled leopards strode intensely" in offered())


def test_bad_numbers_are_marked_with_the_reason(qtbot: QtBot) -> None:
    widget = make(qtbot)
    qtbot.keyClicks(widget.number, "12")
    assert widget.sentence.text() != ""
    qtbot.keyClicks(widget.number, "x")
    assert widget.number_error.text() == "'12x' is not a whole number"
    assert widget.number.property("invalid") is True
    assert widget.sentence.text() == ""
    widget.number.clear()
    qtbot.keyClicks(widget.number, "-5")
    assert widget.number_error.text() == "an ID cannot be negative: -5"
    widget_16 = make(qtbot, bits=16)
    qtbot.keyClicks(widget_16.number, "65536")
    assert "too large for the phone-16 layout" in widget_16.number_error.text()


def test_an_ambiguous_sentence_offers_the_candidates_to_pick_by_keyboard(qtbot: QtBot) -> None:
    widget = make(qtbot)
    type_sentence(qtbot, widget, "20 furzy leopards strode intensely")
    assert "could be the adjective 'furry' or 'fuzzy'" in widget.sentence_error.text()
    expected = ["20 furry leopards strode intensely", "20 fuzzy leopards strode intensely"]

    def offered() -> list[QPushButton]:
        return [
            b for b in widget.findChildren(QPushButton) if b.isVisible() and b.text()[:3] == "20 "
        ]

    qtbot.waitUntil(lambda: [b.text() for b in offered()] == expected)
    buttons = offered()
    assert buttons[1].accessibleName() == "Use 20 fuzzy leopards strode intensely"
    buttons[1].setFocus()
    qtbot.keyClick(buttons[1], Qt.Key.Key_Space)
    assert widget.sentence.text() == "20 fuzzy leopards strode intensely"
    assert widget.value() == 2485671989
    assert not widget.sentence_error.isVisible()
    assert not widget.candidates_label.isVisible()


def test_copy_buttons_put_the_number_and_the_clean_sentence_on_the_clipboard(
    qtbot: QtBot,
) -> None:
    widget = make(qtbot)
    type_sentence(qtbot, widget, "twenty EXULTANT leopard strode intensely")
    qtbot.mouseClick(widget.copy_number, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == "2474137653"
    qtbot.mouseClick(widget.copy_sentence, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == LEOPARDS


def test_every_control_has_an_accessible_name_and_the_tab_order_is_natural(
    qtbot: QtBot,
) -> None:
    widget = make(qtbot)
    for control in (widget.number, widget.sentence, widget.copy_number, widget.copy_sentence):
        assert control.accessibleName()
    with qtbot.waitActive(widget):
        widget.activateWindow()
    widget.number.setFocus()
    qtbot.keyClicks(widget.number, "5")
    order = [QApplication.focusWidget()]
    for _ in range(3):
        qtbot.keyClick(order[-1], Qt.Key.Key_Tab)
        order.append(QApplication.focusWidget())
    assert order == [widget.number, widget.copy_number, widget.sentence, widget.copy_sentence]


def test_set_value_shows_an_id_from_the_program(qtbot: QtBot) -> None:
    widget = make(qtbot)
    widget.set_value(0)
    assert widget.sentence.text() == "2 adorable aardvarks ambled absentmindedly"
    widget.set_value(None)
    assert widget.sentence.text() == ""
    assert widget.value() is None


NASTY = [" ", "!!!", "\u00b2", "\u00bd", "9" * 60, "0x10", "\U0001f981", "20 " * 100]


def type_text(field: QLineEdit, text: str) -> None:
    """Key events carrying any character, which QTest's keyClicks (ASCII only) cannot send."""
    for character in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            event = QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, character)
            QApplication.sendEvent(field, event)


def test_nothing_typed_in_either_field_raises(qtbot: QtBot) -> None:
    widget = make(qtbot)
    for text in NASTY:
        for field in (widget.number, widget.sentence):
            field.clear()
            type_text(field, text)
            qtbot.waitUntil(lambda: not widget.reading)
            assert field.text() == text
            assert widget.value() is None
            shown = widget.number_error.isVisible() or widget.sentence_error.isVisible()
            assert shown == bool(text.strip())  # blank is no ID yet, not a mistake


def test_tab_reaches_the_candidates_right_after_the_sentence(qtbot: QtBot) -> None:
    widget = make(qtbot)
    with qtbot.waitActive(widget):
        widget.activateWindow()
    widget.sentence.setFocus()
    type_sentence(qtbot, widget, "20 furzy leopards strode intensely")
    qtbot.waitUntil(lambda: widget.sentence.nextInFocusChain().isVisible())
    qtbot.keyClick(widget.sentence, Qt.Key.Key_Tab)
    first = QApplication.focusWidget()
    assert isinstance(first, QPushButton)
    assert first.text() == "20 furry leopards strode intensely"
    qtbot.keyClick(first, Qt.Key.Key_Return)
    assert widget.value() == 2484623413


class GatedCodec:
    """A real codec whose sentence reading waits for the test to open a gate, and notes which
    thread it ran on: a reading as slow as the test likes, without any sleeping."""

    def __init__(self) -> None:
        self.codec = Codec(load_layout("classic-32"))
        self.gate = threading.Event()
        self.read: list[tuple[str, threading.Thread]] = []
        decode = self.codec.decode

        def gated(text: str) -> Decoded:
            self.read.append((text, threading.current_thread()))
            assert self.gate.wait(timeout=20), "the test never opened the gate"
            return decode(text)

        self.codec.decode = gated


def ticking(owner: QWidget) -> list[float]:
    """Times at which a 10 ms timer fired: they keep coming only while the GUI thread is free."""
    ticks: list[float] = []
    timer = QTimer(owner)
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start()
    return ticks


def test_a_pasted_page_is_read_off_the_gui_thread_which_stays_responsive(qtbot: QtBot) -> None:
    gated = GatedCodec()
    widget = IdConverter(gated.codec)
    qtbot.addWidget(widget)
    with qtbot.waitExposed(widget):
        widget.show()
    ticks = ticking(widget)
    QGuiApplication.clipboard().setText("leopards " * 20_000)
    widget.sentence.setFocus()
    widget.sentence.paste()
    qtbot.waitUntil(lambda: len(gated.read) == 1)
    started = len(ticks)
    qtbot.waitUntil(lambda: len(ticks) >= started + 10)  # the reading is still held at the gate
    assert widget.reading
    assert widget.value() is None
    assert gated.read[0][1] is not threading.main_thread()
    gated.gate.set()
    qtbot.waitUntil(widget.sentence_error.isVisible)
    assert "characters are far too many for a support ID sentence" in widget.sentence_error.text()
    assert not widget.reading


def test_a_pasted_page_never_stalls_the_window(qtbot: QtBot) -> None:
    """The real codec, a real paste of 100 kB: the timer never waits long for the GUI thread."""
    widget = make(qtbot)
    ticks = ticking(widget)
    qtbot.waitUntil(lambda: len(ticks) >= 2)
    widget.sentence.setMaxLength(200_000)
    QGuiApplication.clipboard().setText("x" * 100_000)
    widget.sentence.setFocus()
    widget.sentence.paste()
    qtbot.waitUntil(widget.sentence_error.isVisible)
    qtbot.waitUntil(lambda: len(ticks) >= 5)
    gaps = [later - earlier for earlier, later in itertools.pairwise(ticks)]
    assert max(gaps) < 0.5  # it froze 5.6 s when the page was read on the GUI thread
    assert "100,000 characters are far too many" in widget.sentence_error.text()


def test_typing_is_read_once_it_pauses_and_the_newest_text_wins(qtbot: QtBot) -> None:
    gated = GatedCodec()
    widget = IdConverter(gated.codec)
    qtbot.addWidget(widget)
    with qtbot.waitExposed(widget):
        widget.show()
    seen: list[object] = []
    widget.value_changed.connect(seen.append)
    qtbot.keyClicks(widget.sentence, LEOPARDS)
    qtbot.waitUntil(lambda: len(gated.read) == 1)
    assert gated.read[0][0] == LEOPARDS  # 36 keystrokes, one reading
    widget.sentence.clear()
    qtbot.keyClicks(widget.sentence, "2 adorable aardvarks ambled absentmindedly")
    gated.gate.set()
    qtbot.waitUntil(lambda: widget.value() == 0)
    assert not widget.reading
    assert 2474137653 not in seen  # the older reading finished, and was dropped
    assert widget.number.text() == "0"
