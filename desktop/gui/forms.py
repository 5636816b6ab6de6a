"""Small helpers shared by the forms: a plain-text error line, marking the field at fault, and
the Close button every dialog ends with."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QWidget

ERROR_STYLE = "color: #dc2626; font-weight: 600;"
INVALID_PROPERTY = "invalid"
INVALID_FIELD_STYLE = '*[invalid="true"] { border: 2px solid #dc2626; border-radius: 3px; }'


def error_label(accessible_name: str) -> QLabel:
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setStyleSheet(ERROR_STYLE)
    label.setAccessibleName(accessible_name)
    label.hide()
    return label


def show_error(label: QLabel, message: str) -> None:
    label.setText(message)
    label.setVisible(bool(message))


def mark_invalid(field: QWidget, invalid: bool) -> None:
    """Outlines a field in red; the property drives a style rule so the palette is kept."""
    if field.property(INVALID_PROPERTY) == invalid:
        return
    field.setProperty(INVALID_PROPERTY, invalid)
    field.setStyleSheet(INVALID_FIELD_STYLE if invalid else "")


def close_buttons(dialog: QDialog) -> QDialogButtonBox:
    """The dialog's Close button, described for screen readers like every other control."""
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    button = box.button(QDialogButtonBox.StandardButton.Close)
    button.setToolTip(dialog.tr("Close this window (Esc)"))
    box.rejected.connect(dialog.reject)
    return box
