"""What a screen reader would find nameless: the controls of a window without a name or a
description, read through ``QAccessible`` as assistive technology reads them, not from the
widget properties (a button's text or a label's buddy counts as its name there)."""

from __future__ import annotations

import itertools

from held_keys import release_modifiers
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QAccessible, QAccessibleInterface
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QPlainTextEdit, QTextEdit, QWidget

Role = QAccessible.Role
CONTROL_ROLES = frozenset(
    {
        Role.PushButton,
        Role.CheckBox,
        Role.RadioButton,
        Role.ComboBox,
        Role.EditableText,
        Role.SpinBox,
        Role.Slider,
        Role.ButtonMenu,
        Role.ButtonDropDown,
        Role.List,
        Role.Table,
        Role.Tree,
    }
)


def nameless_controls(root: QWidget) -> list[str]:
    """Each visible control of ``root`` that lacks an accessible name or description."""
    found = []
    for widget in [root, *root.findChildren(QWidget)]:
        if not widget.isVisibleTo(root) and widget is not root:
            continue
        interface = QAccessible.queryAccessibleInterface(widget)
        if interface is None:
            continue
        if interface.role() == Role.PageTabList:  # Qt reads a tab bar through its tabs
            tabs = (interface.child(i) for i in range(interface.childCount()))
            found += [
                problem
                for tab in tabs
                if tab is not None and tab.role() == Role.PageTab
                for problem in _unnamed(tab, "tab")
            ]
        elif interface.role() in CONTROL_ROLES:
            found += _unnamed(interface, type(widget).__name__)
    return found


def _unnamed(interface: QAccessibleInterface, kind: str) -> list[str]:
    name = interface.text(QAccessible.Text.Name).strip()
    description = interface.text(QAccessible.Text.Description).strip()
    if name and description:
        return []
    what = "name" if not name else "description"
    return [f"{kind} {name!r} ({interface.role().name}): no {what}"]


def interactive_widgets(root: QWidget) -> list[QWidget]:
    """What Tab should reach in ``root``'s window: shown, enabled and taking focus by Tab."""
    window = root.window()
    found = []
    for widget in [root, *root.findChildren(QWidget)]:
        if widget.window() is not window or widget.isWindow():
            continue
        if not widget.isVisibleTo(window) or not widget.isEnabled():
            continue
        if widget.focusProxy() is not None:
            continue
        if widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
            found.append(widget)
    return found


def takes_tab(widget: QWidget) -> bool:
    """A text editor that types Tab leaves by Ctrl+Tab, as Qt documents."""
    return (
        isinstance(widget, QTextEdit | QPlainTextEdit)
        and not widget.isReadOnly()
        and not widget.tabChangesFocus()
    )


def tab_chain(start: QWidget, backwards: bool = False, limit: int = 80) -> list[QWidget]:
    """The controls Tab (or Shift+Tab) visits from ``start`` until it comes back to it, by key
    presses; stops at ``limit`` presses, so a trap shows as a chain that never closes."""
    start.setFocus(Qt.FocusReason.OtherFocusReason)
    chain = [start]
    for _ in range(limit):
        focused = QApplication.focusWidget()
        assert focused is not None, f"focus left the window after {describe(chain[-1])}"
        key = Qt.Key.Key_Backtab if backwards else Qt.Key.Key_Tab
        modifiers = Qt.KeyboardModifier.ShiftModifier if backwards else Qt.KeyboardModifier(0)
        if takes_tab(focused):
            modifiers |= Qt.KeyboardModifier.ControlModifier
        QTest.keyClick(focused, key, modifiers)
        release_modifiers()
        now = QApplication.focusWidget()
        assert now is not None, f"focus left the window after {describe(focused)}"
        if now is start:
            return chain
        chain.append(now)
    raise AssertionError("Tab never came back: " + " > ".join(describe(w) for w in chain[-8:]))


def describe(widget: QWidget) -> str:
    interface = QAccessible.queryAccessibleInterface(widget)
    name = interface.text(QAccessible.Text.Name) if interface is not None else ""
    return f"{type(widget).__name__}({name or widget.objectName()!s})"


def place(widget: QWidget) -> QRect:
    return QRect(widget.mapTo(widget.window(), QPoint(0, 0)), widget.size())


def out_of_reading_order(chain: list[QWidget]) -> list[str]:
    """Each step of ``chain`` that goes back up (to a control above, not in a column to the
    right) or back left on the same line: what reading top to bottom, left to right never does."""
    # A chain is a circle: read it from the control nearest the top left corner.
    first = min(range(len(chain)), key=lambda i: (place(chain[i]).top(), place(chain[i]).left()))
    found = []
    for before, after in itertools.pairwise(chain[first:] + chain[:first]):
        a, b = place(before), place(after)
        above = b.bottom() < a.top() and b.left() < a.right()
        same_line = b.top() <= a.bottom() and a.top() <= b.bottom()
        left = same_line and b.right() < a.left()
        if above or left:
            found.append(f"{describe(before)} -> {describe(after)}")
    return found
