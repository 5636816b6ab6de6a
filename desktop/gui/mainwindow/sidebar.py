"""The profile sidebar: "All inboxes" first, then each profile with colour, role and unread count.

Selecting rows filters the inbox (several with Ctrl or Shift); moving to a profile row makes it
the active profile, whose role decides what the user may do. Keeping the two apart lets a user
read every inbox at once while still knowing exactly which account they act as.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QContextMenuEvent, QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListView,
    QMenu,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from desktop.gui.icons import icon
from desktop.gui.profiles.chip import readable_text_colour
from desktop.gui.session.viewdata import ProfileCard

ProfileRole = Qt.ItemDataRole.UserRole + 1
MutedRole = Qt.ItemDataRole.UserRole + 2
ALL_ROW = 0
ADMIN_COLOUR = QColor("#b91c1c")

AnyIndex = QModelIndex | QPersistentModelIndex


class ProfileListModel(QAbstractListModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._profiles: list[ProfileCard] = []
        self._muted: set[int] = set()

    @property
    def profiles(self) -> list[ProfileCard]:
        return list(self._profiles)

    def set_profiles(self, profiles: Sequence[ProfileCard]) -> None:
        self.beginResetModel()
        self._profiles = list(profiles)
        self.endResetModel()

    def update_profiles(self, profiles: Sequence[ProfileCard]) -> None:
        """Refreshes counts in place when the same profiles come back, keeping the selection."""
        if [p.id for p in profiles] != [p.id for p in self._profiles]:
            self.set_profiles(profiles)
            return
        self._profiles = list(profiles)
        self.dataChanged.emit(self.index(0), self.index(len(self._profiles)))

    def set_muted(self, muted: set[int]) -> None:
        self._muted = set(muted)
        self.dataChanged.emit(self.index(0), self.index(len(self._profiles)))

    def total_unread(self) -> int:
        return sum(p.unread for p in self._profiles)

    def row_of(self, profile_id: int) -> int | None:
        for position, profile in enumerate(self._profiles):
            if profile.id == profile_id:
                return position + 1
        return None

    def profile_at(self, row: int) -> ProfileCard | None:
        return self._profiles[row - 1] if 1 <= row <= len(self._profiles) else None

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._profiles) + 1

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        profile = self.profile_at(index.row())
        if role == ProfileRole:
            return profile
        if role == MutedRole:
            return profile is not None and profile.id in self._muted
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._describe(index.row(), profile)
        if role == Qt.ItemDataRole.ToolTipRole:
            if profile is None:
                return self.tr("Every profile's mail in one list (Ctrl+0)")
            shortcut = f" (Ctrl+{index.row()})" if index.row() <= 9 else ""
            return f"{profile.organization} — {profile.title or profile.role}\n{profile.email}" + (
                shortcut
            )
        return None

    def _describe(self, row: int, profile: ProfileCard | None) -> str:
        if profile is None:
            return self.tr("All inboxes, {n} unread").format(n=self.total_unread())
        role = self.tr("administrator") if profile.is_admin else self.tr("member")
        muted = self.tr(", muted") if profile.id in self._muted else ""
        return self.tr("{org}, {role}, {n} unread{muted}").format(
            org=profile.organization, role=role, n=profile.unread, muted=muted
        )


class ProfileDelegate(QStyledItemDelegate):
    """Paints a profile as two lines beside its colour, with role and unread pills on the right."""

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        metrics = QFontMetrics(option.font)
        return QSize(220, metrics.height() * 2 + 16)

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
        if profile is None:
            model = index.model()
            unread = model.total_unread() if isinstance(model, ProfileListModel) else 0
            icon("inbox").paint(painter, QRect(left, rect.center().y() - 10, 20, 20))
            title, subtitle = self.tr("All inboxes"), self.tr("Every profile")
        else:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(profile.colour))
            painter.drawRoundedRect(QRect(left, rect.top() + 6, 6, rect.height() - 12), 3, 3)
            unread = profile.unread
            title, subtitle = profile.organization, profile.title or profile.email
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
        if number:
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
    background = fill if fill is not None else QColor("#64748b")
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(background)
    painter.drawRoundedRect(box, height / 2, height / 2)
    painter.setPen(readable_text_colour(background))
    painter.setFont(bold)
    painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
    return box.left()


class ProfileSidebar(QListView):
    """Emits ``scope_changed`` (profile ids or None for all) and ``profile_activated``."""

    scope_changed = Signal(object, str)
    profile_activated = Signal(int)
    mute_requested = Signal(int, bool)
    sync_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.profiles = ProfileListModel(self)
        self.setModel(self.profiles)
        self.setItemDelegate(ProfileDelegate(self))
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setUniformItemSizes(True)
        self.setAccessibleName(self.tr("Profiles"))
        self.setToolTip(self.tr("Click a profile to act as it; Ctrl+click to list several"))
        self.setMinimumWidth(200)
        self.selectionModel().selectionChanged.connect(self._selection_changed)
        self.selectionModel().currentRowChanged.connect(self._current_changed)

    def set_profiles(self, profiles: Sequence[ProfileCard]) -> None:
        self.profiles.set_profiles(profiles)

    def profile_menu(self, row: int) -> QMenu | None:
        """What one profile offers on right-click (or the menu key), without acting as it."""
        profile = self.profiles.profile_at(row)
        if profile is None:
            return None
        index = self.profiles.index(row)
        menu = QMenu(self)
        act = menu.addAction(self.tr("&Act as this profile"))
        act.triggered.connect(lambda: self.select_profile(profile.id))
        mute = menu.addAction(icon("bell-off"), self.tr("&Mute notifications"))
        mute.setCheckable(True)
        mute.setChecked(bool(index.data(MutedRole)))
        mute.toggled.connect(lambda muted: self.mute_requested.emit(profile.id, muted))
        sync = menu.addAction(icon("sync"), self.tr("&Sync now"))
        sync.triggered.connect(lambda: self.sync_requested.emit(profile.id))
        return menu

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        index = self.indexAt(event.pos()) if event.reason() == event.Reason.Mouse else None
        row = index.row() if index is not None and index.isValid() else self.currentIndex().row()
        menu = self.profile_menu(row)
        if menu is not None:
            menu.exec(event.globalPos())

    def show_all(self) -> None:
        self.setCurrentIndex(self.profiles.index(ALL_ROW))

    def select_profile(self, profile_id: int) -> bool:
        """Selects that profile alone and makes it current (so it becomes the active one)."""
        row = self.profiles.row_of(profile_id)
        if row is None:
            return False
        index = self.profiles.index(row)
        self.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
        )
        return True

    def selected_profile_ids(self) -> frozenset[int] | None:
        rows = {index.row() for index in self.selectionModel().selectedIndexes()}
        if not rows or ALL_ROW in rows:
            return None
        profiles = (self.profiles.profile_at(row) for row in rows)
        return frozenset(p.id for p in profiles if p is not None)

    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        ids = self.selected_profile_ids()
        if ids is None:
            self.scope_changed.emit(None, self.tr("All inboxes"))
            return
        names = [p.organization for p in self.profiles.profiles if p.id in ids]
        description = names[0] if len(names) == 1 else self.tr("{n} profiles").format(n=len(names))
        self.scope_changed.emit(ids, description)

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        profile = self.profiles.profile_at(current.row())
        if profile is not None:
            self.profile_activated.emit(profile.id)
