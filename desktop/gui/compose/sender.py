"""The From of a message: the profile's name and its colour chip, always in sight.

Only profiles that may send are offered. Choosing one does not change the draft by itself: the
window asks the services first, because leaving the original's organization needs the
person's confirmation.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QMessageBox, QWidget

from desktop.core.roles import Action
from desktop.gui.mainwindow.sync_status import colour_dot
from desktop.gui.profiles.chip import ProfileChip
from desktop.gui.session.records import OrganizationWarning
from desktop.gui.session.session import Session


class SenderPicker(QWidget):
    """Emits ``chosen`` (profile id) when the person picks another profile."""

    chosen = Signal(int)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self.profiles = QComboBox()
        self.profiles.setAccessibleName(self.tr("From"))
        self.profiles.setAccessibleDescription(
            self.tr("The profile the message is sent from; its organization sees it")
        )
        for profile in session.profiles:
            if session.allows(Action.SEND_OWN_MAIL, profile):
                self.profiles.addItem(colour_dot(profile.colour), profile.label, profile.id)
        self.profiles.activated.connect(self._activated)
        # The chip has the room first: its colour and role are what the eye checks.
        self.profiles.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.profiles.setMinimumContentsLength(16)
        self.chip = ProfileChip()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.profiles, 1)
        layout.addWidget(self.chip)

    def show_profile(self, profile_id: int) -> None:
        self.profiles.setCurrentIndex(self.profiles.findData(profile_id))
        self.chip.set_profile(self._session.profile(profile_id))

    def _activated(self, index: int) -> None:
        profile_id = self.profiles.itemData(index)
        if isinstance(profile_id, int):
            self.chosen.emit(profile_id)


def confirm_organization(parent: QWidget, warning: OrganizationWarning) -> bool:
    """Asks before a message leaves through another organization's server. The buttons name
    both choices ("Yes" would not say which organization it means); keeping is the default."""
    box = QMessageBox(
        QMessageBox.Icon.Warning,
        parent.tr("Send from another organization?"),
        warning.message,
        parent=parent,
    )
    send = box.addButton(
        parent.tr("Send from {org}").format(org=warning.chosen_organization),
        QMessageBox.ButtonRole.AcceptRole,
    )
    keep = box.addButton(
        parent.tr("Keep {org}").format(org=warning.original_organization),
        QMessageBox.ButtonRole.RejectRole,
    )
    box.setDefaultButton(keep)
    box.exec()
    return box.clickedButton() is send
