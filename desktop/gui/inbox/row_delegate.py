"""Two-line inbox rows: sender and date on the first line, the subject below with the width.

The date is always drawn whole (it is short, see ``model.short_date``) and the sender gives way
to it; the subject has the full width of the second line, bold while unread. A profile's chip
leads the first line when the list shows several profiles: its colour with its letters in it
(``core.profile_marks``), and the row's tooltip and accessible text name the profile, so colour
is never the only sign of it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QIcon, QPainter, QPalette
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from desktop.gui.inbox.model import Role

MARGIN = 8
PADDING = 5
LINE_GAP = 2
CHIP_PADDING = 3
DATE_GAP = 12
FLAG = "\N{BLACK FLAG}"
FLAG_COLOUR = "#dc2626"

AnyIndex = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True, slots=True)
class RowLayout:
    """Where each part of a row goes; ``chip`` is empty when the chip is hidden."""

    chip: QRect
    sender: QRect
    date: QRect
    subject: QRect


def row_height(font: QFont) -> int:
    metrics = QFontMetrics(font)
    return 2 * metrics.height() + LINE_GAP + 2 * PADDING


def chip_font(font: QFont) -> QFont:
    small = QFont(font)
    small.setPointSizeF(font.pointSizeF() * 0.8)
    small.setBold(True)
    return small


def row_layout(rect: QRect, font: QFont, date_text: str, mark: str | None) -> RowLayout:
    """The parts of a row in ``rect``; the date takes what it needs, the sender the rest."""
    metrics = QFontMetrics(font)
    line = metrics.height()
    left, right = rect.left() + MARGIN, rect.right() - MARGIN
    first = rect.top() + PADDING
    chip = QRect()
    if mark is not None:
        # As wide as "WW" at least, so the senders of every profile start at one edge.
        letters = QFontMetrics(chip_font(font))
        width = max(letters.horizontalAdvance(mark), letters.horizontalAdvance("WW"))
        chip = QRect(left, first, width + 2 * CHIP_PADDING, line)
        left = chip.right() + 1 + MARGIN
    date_width = metrics.horizontalAdvance(date_text)
    date = QRect(right - date_width + 1, first, date_width, line)
    sender = QRect(left, first, max(0, date.left() - DATE_GAP - left), line)
    subject_left = rect.left() + MARGIN
    subject = QRect(subject_left, first + line + LINE_GAP, right - subject_left + 1, line)
    return RowLayout(chip, sender, date, subject)


class RowDelegate(QStyledItemDelegate):
    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        return QSize(option.rect.width(), row_height(option.font))

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        self.initStyleOption(option, index)
        rect: QRect = option.rect
        palette: QPalette = option.palette
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        widget = option.widget
        # The style draws the background (selection, alternate rows, focus); the rest is ours.
        option.text = ""
        option.icon = QIcon()
        option.features &= ~QStyleOptionViewItem.ViewItemFeature.HasDecoration
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, widget)

        plain = QFont(option.font)
        plain.setBold(False)
        date_text = str(index.data(Role.DATE) or "")
        colour = index.data(Qt.ItemDataRole.DecorationRole)
        mark = str(index.data(Role.MARK) or "") if isinstance(colour, QColor) else None
        parts = row_layout(rect, plain, date_text, mark)
        flagged = bool(index.data(Role.FLAGGED))
        if flagged:  # a flag before the date, in the sender's room (named in the row's text too)
            flag = QRect(parts.date.left() - DATE_GAP - parts.sender.height(), parts.date.top(),
                         parts.sender.height(), parts.sender.height())  # fmt: skip
            parts = replace(parts, sender=parts.sender.adjusted(0, 0, -flag.width() - 4, 0))
        painter.save()
        if isinstance(colour, QColor) and mark is not None:
            _draw_chip(painter, chip_font(plain), parts.chip, colour, mark)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        painter.setPen(palette.color(role))
        left = Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft
        _draw_elided(painter, plain, parts.sender, str(index.data(Role.SENDER) or ""), left)
        right = Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight
        painter.drawText(parts.date, right, date_text)
        if flagged:
            painter.save()
            painter.setPen(QColor(FLAG_COLOUR))
            painter.drawText(flag, Qt.AlignmentFlag.AlignCenter, FLAG)
            painter.restore()
        subject_font = QFont(plain)
        subject_font.setBold(bool(index.data(Role.UNREAD)))
        subject = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        _draw_elided(painter, subject_font, parts.subject, subject, left)
        painter.restore()


def _draw_chip(painter: QPainter, font: QFont, rect: QRect, colour: QColor, mark: str) -> None:
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    painter.drawRoundedRect(rect, 3, 3)
    # Black or white, whichever reads better on the profile's colour (WCAG relative luminance).
    painter.setPen(QColor("#000000") if _luminance(colour) > 0.179 else QColor("#ffffff"))
    painter.setFont(font)
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, mark)
    painter.restore()


def _luminance(colour: QColor) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(c) for c in (colour.redF(), colour.greenF(), colour.blueF()))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def _draw_elided(
    painter: QPainter, font: QFont, rect: QRect, text: str, align: Qt.AlignmentFlag
) -> None:
    painter.setFont(font)
    elided = QFontMetrics(font).elidedText(text, Qt.TextElideMode.ElideRight, rect.width())
    painter.drawText(rect, align, elided)
