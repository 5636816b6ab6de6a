"""The always-visible badge saying which profile the user is acting as."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from desktop.gui.profiles.chip import ProfileChip
from desktop.gui.session.viewdata import ProfileCard


class ActiveProfileBadge(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.caption = QLabel(self.tr("Acting as"))
        self.caption.setTextFormat(Qt.TextFormat.PlainText)
        self.chip = ProfileChip()
        font = self.chip.font()
        font.setPointSizeF(font.pointSizeF() * 1.1)
        self.chip.setFont(font)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 0, 8, 0)
        layout.addWidget(self.caption)
        layout.addWidget(self.chip)
        self.set_profile(None)

    def set_profile(self, profile: ProfileCard | None) -> None:
        self.chip.set_profile(profile)
        self.caption.setVisible(profile is not None)
        self.setAccessibleName(
            self.tr("Acting as {profile}").format(profile=profile.label)
            if profile
            else self.tr("No active profile")
        )
        self.setToolTip(self.chip.toolTip())

    @property
    def text(self) -> str:
        return self.chip.text()
