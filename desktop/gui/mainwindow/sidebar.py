"""The profile sidebar: "All inboxes" first, then each profile with colour, role and unread count.

Selecting rows filters the inbox (several with Ctrl or Shift); moving to a profile row makes it
the active profile, whose role decides what the user may do. Keeping the two apart lets a user
read every inbox at once while still knowing exactly which account they act as. A right-click
only opens the profile's menu: acting as a profile by accident, on the way to muting it, is how
mail gets sent from the wrong account.
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
    QPoint,
    Qt,
    Signal,
)
from PySide6.QtGui import QContextMenuEvent, QMouseEvent
from PySide6.QtWidgets import QAbstractItemView, QListView, QMenu, QWidget

from desktop.gui.icons import icon
from desktop.gui.mainwindow.profile_delegate import (
    AnyIndex,
    MutedRole,
    ProfileDelegate,
    ProfileRole,
    UnreadRole,
)
from desktop.gui.session.viewdata import ProfileCard

ALL_ROW = 0


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
        if role == UnreadRole:
            return self.total_unread() if profile is None else profile.unread
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._describe(index.row(), profile)
        if role == Qt.ItemDataRole.ToolTipRole:
            if profile is None:
                return self.tr("Every profile's mail in one list (Ctrl+0)")
            shortcut = f" (Ctrl+{index.row()})" if index.row() <= 9 else ""
            tip = f"{profile.organization} — {profile.title or profile.role}\n{profile.email}"
            if not profile.mail_server:
                tip += "\n" + self.tr("Not set up: right-click and choose Set up… to add a server.")
            return tip + shortcut
        return None

    def _describe(self, row: int, profile: ProfileCard | None) -> str:
        if profile is None:
            return self.tr("All inboxes, {n} unread").format(n=self.total_unread())
        role = self.tr("administrator") if profile.is_admin else self.tr("member")
        muted = self.tr(", muted") if profile.id in self._muted else ""
        set_up = "" if profile.mail_server else self.tr(", not set up")
        return self.tr("{org}, {role}{set_up}, {n} unread{muted}").format(
            org=profile.organization, role=role, set_up=set_up, n=profile.unread, muted=muted
        )


class ProfileSidebar(QListView):
    """Emits ``scope_changed`` (profile ids or None for all) and ``profile_activated``; its
    profile menu emits ``edit_requested`` (set up or edit), ``mute_requested``, ``sync_requested``.
    """

    scope_changed = Signal(object, str)
    profile_activated = Signal(int)
    edit_requested = Signal(int)
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
        # Rows fit the sidebar's width and shorten the name; a sideways scroll would hide the
        # unread counts at the right edge.
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.selectionModel().selectionChanged.connect(self._selection_changed)
        self.selectionModel().currentRowChanged.connect(self._current_changed)
        self.open_menu: QMenu | None = None

    def set_profiles(self, profiles: Sequence[ProfileCard]) -> None:
        self.profiles.set_profiles(profiles)

    def profile_menu(self, row: int) -> QMenu | None:
        """What one profile offers on right-click (or the menu key), without acting as it."""
        profile = self.profiles.profile_at(row)
        if profile is None:
            return None
        index = self.profiles.index(row)
        menu = QMenu(self)
        menu.setAccessibleName(self.tr("{org} menu").format(org=profile.organization))
        if profile.mail_server:
            edit = menu.addAction(icon("edit"), self.tr("&Edit…"))
        else:
            edit = menu.addAction(icon("profiles"), self.tr("Set &up…"))
        menu.setDefaultAction(edit)
        edit.triggered.connect(lambda: self.edit_requested.emit(profile.id))
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
        """Opens the menu of the row under the mouse, or of the current row for the menu key."""
        if event.reason() == event.Reason.Mouse:
            row = self.indexAt(event.pos()).row()
            at = event.globalPos()
        else:
            row = self.currentIndex().row()
            at = self.viewport().mapToGlobal(self.visualRect(self.currentIndex()).center())
        self.popup_menu(row, at)

    def popup_menu(self, row: int, at: QPoint) -> QMenu | None:
        """Shows ``row``'s menu without blocking: the window keeps syncing and repainting."""
        if self.open_menu is not None:
            self.open_menu.close()
            self.open_menu.deleteLater()
        self.open_menu = self.profile_menu(row)
        if self.open_menu is not None:
            self.open_menu.popup(at)
        return self.open_menu

    def mousePressEvent(self, event: QMouseEvent) -> None:
        """A right press neither selects nor makes current; the context menu follows it."""
        if event.button() == Qt.MouseButton.RightButton:
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.RightButton:
            event.accept()
            return
        super().mouseReleaseEvent(event)

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
