"""How a row of the profile sidebar looks: colour stripe, two lines, and pills for the state.

A profile without a mail server says "Not set up" on its second line, in the row's usual
colours: it is a step still to take, not an error, so nothing about it is red.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QGuiApplication, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from desktop.gui.icons import icon
from desktop.gui.profiles.chip import readable_text_colour
from desktop.gui.session.viewdata import ProfileCard
from desktop.gui.theme import high_contrast_active

ProfileRole = Qt.ItemDataRole.UserRole + 1
MutedRole = Qt.ItemDataRole.UserRole + 2
UnreadRole = Qt.ItemDataRole.UserRole + 3
ADMIN_COLOUR = QColor("#b91c1c")

AnyIndex = QModelIndex | QPersistentModelIndex


class ProfileDelegate(QStyledItemDelegate):
    """Paints a profile as two lines beside its colour, with role and unread pills on the right."""

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        metrics = QFontMetrics(option.font)
        # Narrower than the sidebar, so that the row takes the view's width: the name is
        # shortened to make room for the pills, never the pills pushed out of sight.
        return QSize(120, metrics.height() * 2 + 16)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        style_option = QStyleOptionViewItem(option)
        self.initStyleOption(style_option, index)
        style_option.text = ""
        widget = style_option.widget
        style = widget.style() if widget is not None else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, style_option, painter, widget)

        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        text_colour = option.palette.color(role)
        profile: ProfileCard | None = index.data(ProfileRole)
        rect = QRect(option.rect)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        left = rect.left() + 8
        unread = int(index.data(UnreadRole) or 0)
        if profile is None:
            icon("inbox").paint(painter, QRect(left, rect.center().y() - 10, 20, 20))
            title, subtitle = self.tr("All inboxes"), self.tr("Every profile")
        else:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(profile.colour))
            painter.drawRoundedRect(QRect(left, rect.top() + 6, 6, rect.height() - 12), 3, 3)
            title, subtitle = profile.organization, profile.title or profile.email
            if not profile.mail_server:
                subtitle = self.tr("Not set up")
        small = QFont(option.font)
        small.setPointSizeF(option.font.pointSizeF() * 0.85)
        right = rect.right() - 8
        if unread:
            right = _pill(painter, str(unread), right=right, rect=rect, font=small) - 6
        if profile is not None and profile.is_admin:
            right = _pill(painter, "ADMIN", right=right, rect=rect, font=small, fill=ADMIN_COLOUR)
            right -= 6
        if profile is not None and index.data(MutedRole):
            icon("bell-off").paint(painter, QRect(right - 16, rect.center().y() - 8, 16, 16))
            right -= 22
        text_box = QRect(left + 28, rect.top() + 6, right - left - 28, rect.height() - 12)
        _two_lines(painter, (title, subtitle), text_box, option.font, text_colour)
        painter.restore()


def _two_lines(
    painter: QPainter, lines: tuple[str, str], box: QRect, font: QFont, colour: QColor
) -> None:
    bold = QFont(font)
    bold.setBold(True)
    small = QFont(font)
    small.setPointSizeF(font.pointSizeF() * 0.85)
    height = box.height() // 2
    for number, (text, face) in enumerate(zip(lines, (bold, small), strict=True)):
        line_box = QRect(box.left(), box.top() + number * height, box.width(), height)
        pen = QColor(colour)
        if number and not high_contrast_active():
            pen.setAlphaF(0.7)
        painter.setPen(pen)
        painter.setFont(face)
        elided = QFontMetrics(face).elidedText(text, Qt.TextElideMode.ElideRight, box.width())
        painter.drawText(line_box, Qt.AlignmentFlag.AlignVCenter, elided)


def _pill(
    painter: QPainter,
    text: str,
    *,
    right: int,
    rect: QRect,
    font: QFont,
    fill: QColor | None = None,
) -> int:
    """Draws a rounded label ending at ``right``; returns its left edge."""
    bold = QFont(font)
    bold.setBold(True)
    metrics = QFontMetrics(bold)
    width = metrics.horizontalAdvance(text) + 12
    height = metrics.height() + 4
    box = QRect(right - width, rect.center().y() - height // 2, width, height)
    neutral = (
        QGuiApplication.palette().color(QPalette.ColorRole.WindowText)
        if high_contrast_active()
        else QColor("#64748b")
    )
    background = fill if fill is not None else neutral
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(background)
    painter.drawRoundedRect(box, height / 2, height / 2)
    painter.setPen(readable_text_colour(background))
    painter.setFont(bold)
    painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
    return box.left()
