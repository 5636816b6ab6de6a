"""The installed Qt binding keeps Python's reference counts straight when signals are emitted.

PySide6 6.12.0 returned ``True`` from ``Signal.emit()`` without taking a reference to it, so each
emit dropped one; on Python 3.11 the interpreter aborts after a few hundred emits (the ID
converter emits at every keystroke). pyproject.toml keeps that version out; this test keeps any
other with the same fault out.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal
from pytestqt.qtbot import QtBot


class Emitter(QObject):
    changed = Signal(object)


def test_emitting_a_signal_keeps_every_reference(qtbot: QtBot) -> None:
    emitter = Emitter()
    received: list[object] = []
    emitter.changed.connect(received.append)
    before = sys.getrefcount(True), sys.getrefcount(None)
    for _ in range(50):
        emitter.changed.emit(None)
    assert (sys.getrefcount(True), sys.getrefcount(None)) == (before[0], before[1] + 50)
    assert received == [None] * 50
