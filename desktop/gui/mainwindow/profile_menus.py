"""The profile switcher and the Profiles menu, rebuilt from the session's list when it changes.

Both number the profiles the same way as the Ctrl+1…9 shortcuts, so what a person reads in the
menu is the key that switches.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QComboBox, QMenu

from desktop.gui.mainwindow.sync_status import colour_dot
from desktop.gui.session.viewdata import ProfileCard


def rebuild_switcher(
    switcher: QComboBox, profiles: Sequence[ProfileCard], active: ProfileCard | None
) -> None:
    switcher.blockSignals(True)
    switcher.clear()
    for number, profile in enumerate(profiles, start=1):
        switcher.addItem(colour_dot(profile.colour), profile.label, profile.id)
        if number <= 9:
            tip = f"{profile.label} (Ctrl+{number})"
            switcher.setItemData(number - 1, tip, Qt.ItemDataRole.ToolTipRole)
    if active is not None:
        switcher.setCurrentIndex(switcher.findData(active.id))
    switcher.blockSignals(False)


def rebuild_profile_menu(
    menu: QMenu,
    profiles: Sequence[ProfileCard],
    switches: Sequence[QAction],
    first: Sequence[QAction],
    last: Sequence[QAction],
) -> None:
    """``first`` before the profiles (All inboxes), ``last`` after a separator (Profiles…)."""
    menu.clear()
    menu.addActions(list(first))
    for (number, profile), action in zip(enumerate(profiles, start=1), switches, strict=False):
        action.setText(f"&{number} {profile.label}")
        action.setIcon(colour_dot(profile.colour))
        menu.addAction(action)
    menu.addSeparator()
    menu.addActions(list(last))
