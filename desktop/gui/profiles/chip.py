"""A small coloured badge naming a profile, used wherever a profile must be recognised at a glance.

The text is black or white, whichever contrasts more with the background by WCAG's measure
(at least 4.5:1 for every colour of the default palette), so any profile colour stays readable
in light and dark palettes alike.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QResizeEvent
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


def shortened_name(metrics: QFontMetrics, name: str, kept: str, width: int) -> str:
    """``name`` cut to fit ``width`` beside the ``kept`` words (a role, a sync state), which
    are what a person must read; never empty, so something still marks the place."""
    room = max(width - metrics.horizontalAdvance(kept), 0)
    return metrics.elidedText(name, Qt.TextElideMode.ElideRight, room) or "…"


def chip_role(profile: ProfileCard) -> str:
    return "ADMIN" if profile.is_admin else profile.role


def chip_text(profile: ProfileCard) -> str:
    return f"{profile.organization} · {chip_role(profile)}"


class ProfileChip(QLabel):
    """Shortens the organization, never the role, when its pane is narrow.

    The role is what decides what the person may do, so it is the part that must stay readable.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(self.textFormat().PlainText)
        self._organization = ""
        self._role = ""
        self.set_profile(None)

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        metrics = self.fontMetrics()
        whole = self._whole_text()
        return QSize(
            hint.width()
            - metrics.horizontalAdvance(self.text())
            + metrics.horizontalAdvance(whole),
            hint.height(),
        )

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        metrics = self.fontMetrics()
        shortest = f"… · {self._role}" if self._role else ""
        width = (
            hint.width()
            - metrics.horizontalAdvance(self.text())
            + metrics.horizontalAdvance(shortest)
        )
        return QSize(width, hint.height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _whole_text(self) -> str:
        return f"{self._organization} · {self._role}" if self._role else ""

    def _elide(self) -> None:
        if not self._role:
            return
        metrics = self.fontMetrics()
        suffix = f" · {self._role}"
        padding = super().sizeHint().width() - metrics.horizontalAdvance(self.text())
        if metrics.horizontalAdvance(self._whole_text()) <= self.width() - padding:
            self.setText(self._whole_text())
            return
        organization = shortened_name(metrics, self._organization, suffix, self.width() - padding)
        self.setText(f"{organization}{suffix}")

    def set_profile(self, profile: ProfileCard | None) -> None:
        if profile is None:
            self._organization = self._role = ""
            self.clear()
            self.setStyleSheet("")
            self.setAccessibleName(self.tr("No profile"))
            self.hide()
            return
        self._organization, self._role = profile.organization, chip_role(profile)
        self.setText(chip_text(profile))
        self.setStyleSheet(chip_style(profile.colour))
        self.setToolTip(
            f"{profile.organization} — {profile.title or profile.role}, {profile.email}"
        )
        self.setAccessibleName(self.tr("Profile %s") % chip_text(profile))
        self.updateGeometry()
        self.show()
        self._elide()
