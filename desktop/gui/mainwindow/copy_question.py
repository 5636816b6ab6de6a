"""The one question before mail is copied into another profile: how many, from which
organization and address to which, and a safe default (Enter and Esc both copy nothing).

Each profile is an account at another employer, so a copy moves what may be patient data from one
organization to another: the question names both, as the person knows them.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from desktop.gui.session.mail_copy import CopyQuestion, CopySide


def _tr(text: str) -> str:
    return QCoreApplication.translate("CopyQuestion", text)


def _side(side: CopySide) -> str:
    return _tr("{organization} ({email})").format(organization=side.organization, email=side.email)


def question_text(question: CopyQuestion) -> str:
    sources = _tr(" and ").join(_side(side) for side in question.sources)
    words = (
        _tr("Copy this message from {sources} to {target}?")
        if question.count == 1
        else _tr("Copy {n} messages from {sources} to {target}?")
    )
    return words.format(n=question.count, sources=sources, target=_side(question.target))


def ask_copy(
    parent: QWidget, question: CopyQuestion, answered: Callable[[bool], None]
) -> QMessageBox:
    """Opens the question (window-modal, not blocking) and calls ``answered`` once."""
    box = QMessageBox(
        QMessageBox.Icon.Warning, _tr("Copy to another profile"), question_text(question)
    )
    box.setParent(parent, box.windowFlags())
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setInformativeText(
        _tr(
            "The copies go to the folder {folder} of {target}, on its mail server too; the "
            "messages also stay where they are. {target} is another organization's account: "
            "copy only what it may hold."
        ).format(folder=question.folder, target=question.target.organization)
    )
    copy = box.addButton(_tr("Copy"), QMessageBox.ButtonRole.AcceptRole)
    keep = box.addButton(QMessageBox.StandardButton.Cancel)
    copy.setAccessibleDescription(
        _tr("Copy the messages into {target}").format(target=_side(question.target))
    )
    keep.setAccessibleDescription(_tr("Copy nothing"))
    box.setDefaultButton(keep)
    box.setEscapeButton(keep)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.finished.connect(lambda _result: answered(box.clickedButton() is copy))
    box.open()
    return box
