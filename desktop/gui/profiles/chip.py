"""A small coloured badge naming a profile, used wherever a profile must be recognised at a glance.

The text is black or white, whichever contrasts more with the background by WCAG's measure
(at least 4.5:1 for every colour of the default palette), so any profile colour stays readable
in light and dark palettes alike.
"""

from __future__ import annotations

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QWidget

from desktop.core.profile_colours import contrast_ratio
from desktop.gui.session.viewdata import ProfileCard


def readable_text_colour(background: QColor) -> QColor:
    colour = background.name()
    black = contrast_ratio(colour, "#000000") > contrast_ratio(colour, "#ffffff")
    return QColor("#000000") if black else QColor("#ffffff")


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
