"""What a screen reader would find nameless: the controls of a window without a name or a
description, read through ``QAccessible`` as assistive technology reads them, not from the
widget properties (a button's text or a label's buddy counts as its name there)."""

from __future__ import annotations

from PySide6.QtGui import QAccessible, QAccessibleInterface
from PySide6.QtWidgets import QWidget

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
