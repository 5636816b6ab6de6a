"""The header block above a message: who, to whom, when, and which profile it belongs to.

Every value is shown as plain text: a subject or sender is written by a stranger, and a QLabel
left to guess would render ``<img src=...>`` in it as HTML.
"""

from __future__ import annotations

from PySide6.QtCore import QDateTime, QLocale, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QFormLayout, QLabel, QVBoxLayout, QWidget

from desktop.gui.profiles.chip import ProfileChip
from desktop.gui.session.records import MessageDetail
from desktop.gui.session.viewdata import ProfileCard


def _plain_label(accessible_name: str) -> QLabel:
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setWordWrap(True)
    label.setAccessibleName(accessible_name)
    return label


class HeaderPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.subject = _plain_label(self.tr("Subject"))
        font = QFont(self.subject.font())
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.subject.setFont(font)
        self.profile = ProfileChip()
        self.from_label = _plain_label(self.tr("From"))
        self.to_label = _plain_label(self.tr("To"))
        self.cc_label = _plain_label(self.tr("Cc"))
        self.date_label = _plain_label(self.tr("Date"))

        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(self.tr("From:"), self.from_label)
        form.addRow(self.tr("To:"), self.to_label)
        form.addRow(self.tr("Cc:"), self.cc_label)
        form.addRow(self.tr("Date:"), self.date_label)
        self._form = form
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.subject)
        layout.addWidget(self.profile, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addLayout(form)

    def show_message(self, message: MessageDetail, profile: ProfileCard | None) -> None:
        self.subject.setText(message.subject or self.tr("(no subject)"))
        self.profile.set_profile(profile)
        self.from_label.setText(message.sender)
        self.to_label.setText(message.to)
        self.cc_label.setText(message.cc)
        self._form.setRowVisible(self.cc_label, bool(message.cc))
        when = QDateTime.fromSecsSinceEpoch(int(message.date.timestamp()))
        shown = QLocale().toString(when, QLocale.FormatType.LongFormat)
        if message.date_guessed:
            shown = self.tr("{date} (guessed: the message carried no usable date)").format(
                date=shown
            )
        self.date_label.setText(shown)
