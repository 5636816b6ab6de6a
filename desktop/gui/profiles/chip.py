"""A small coloured badge naming a profile, used wherever a profile must be recognised at a glance.

The text colour is chosen from the background's luminance so that any profile colour stays
readable in light and dark palettes alike.
"""

from __future__ import annotations

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QWidget

from desktop.gui.session.viewdata import ProfileCard


def readable_text_colour(background: QColor) -> QColor:
    luminance = (
        0.2126 * background.redF() + 0.7152 * background.greenF() + 0.0722 * background.blueF()
    )
    return QColor("#000000") if luminance > 0.55 else QColor("#ffffff")


def chip_style(colour: str) -> str:
    background = QColor(colour)
    if not background.isValid():
        background = QColor("#6b7280")
    text = readable_text_colour(background)
    return (
        f"QLabel {{ background: {background.name()}; color: {text.name()};"
        " border-radius: 4px; padding: 2px 8px; font-weight: 600; }"
    )


def chip_text(profile: ProfileCard) -> str:
    role = "ADMIN" if profile.is_admin else profile.role
    return f"{profile.organization} · {role}"


class ProfileChip(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(self.textFormat().PlainText)
        self.set_profile(None)

    def set_profile(self, profile: ProfileCard | None) -> None:
        if profile is None:
            self.clear()
            self.setStyleSheet("")
            self.setAccessibleName(self.tr("No profile"))
            self.hide()
            return
        self.setText(chip_text(profile))
        self.setStyleSheet(chip_style(profile.colour))
        self.setToolTip(
            f"{profile.organization} — {profile.title or profile.role}, {profile.email}"
        )
        self.setAccessibleName(self.tr("Profile %s") % chip_text(profile))
        self.show()
