"""Qt's idea of which modifier keys are held, put back to none between key presses of tests."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget


def release_modifiers() -> None:
    """QTest's Shift+Tab or Ctrl+key leaves ``QApplication.keyboardModifiers()`` saying the
    modifier is still down (its release event carries it). A later ``selectRow`` then extends or
    toggles the selection instead of choosing the row, as a real keyboard never would; a bare
    key release with no modifier tells Qt that nothing is held."""
    if QApplication.keyboardModifiers() != Qt.KeyboardModifier.NoModifier:
        QTest.keyRelease(QWidget(), Qt.Key.Key_Shift)
