"""The one question before mail is destroyed: how many, that it cannot come back, and a safe
default (Enter and Esc both keep the mail), as Thunderbird and Apple Mail ask it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QMessageBox, QWidget


def _tr(text: str) -> str:
    return QCoreApplication.translate("DeleteQuestion", text)


def ask_delete_for_good(
    parent: QWidget, chosen: int, doomed: int, answered: Callable[[bool], None]
) -> QMessageBox:
    """Opens the question (window-modal, not blocking) and calls ``answered`` once."""
    question = (
        _tr("Delete this message for good?")
        if doomed == 1
        else _tr("Delete {n} messages for good?").format(n=doomed)
    )
    detail = _tr("It cannot be brought back, here or on the server.")
    if chosen > doomed:
        detail += " " + _tr("The other {n} chosen go to the Trash.").format(n=chosen - doomed)
    box = QMessageBox(QMessageBox.Icon.Warning, _tr("Delete for good"), question)
    box.setParent(parent, box.windowFlags())
    box.setInformativeText(detail)
    destroy = box.addButton(_tr("Delete for good"), QMessageBox.ButtonRole.DestructiveRole)
    keep = box.addButton(QMessageBox.StandardButton.Cancel)
    destroy.setAccessibleDescription(_tr("Delete the messages; this cannot be undone"))
    keep.setAccessibleDescription(_tr("Keep the messages where they are"))
    box.setDefaultButton(keep)
    box.setEscapeButton(keep)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.finished.connect(lambda _result: answered(box.clickedButton() is destroy))
    box.open()
    return box
