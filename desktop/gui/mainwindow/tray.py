"""The tray icon with the total unread count, and new-mail notifications naming the profile.

Notifications say how many messages arrived for which profile, never a subject or sender: the
text shows up on a shared workstation's screen, and mail here may be patient data. While the
window is locked they do not even name the profile, and the tray's tooltip is just the app's name.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QLocale, QObject, QRect, Qt, Signal
from PySide6.QtGui import QColor, QFont, QIcon, QPainter
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from desktop.gui.application import app_icon
from desktop.gui.session.viewdata import ProfileCard


@dataclass(frozen=True, slots=True)
class Notification:
    title: str
    text: str
    profile_id: int


def unread_icon(base: QIcon, unread: int, size: int = 64) -> QIcon:
    pixmap = base.pixmap(size, size)
    if unread <= 0:
        return QIcon(pixmap)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    badge = QRect(size // 3, 0, size * 2 // 3, size // 2)
    painter.setBrush(QColor("#dc2626"))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawRoundedRect(badge, size / 4, size / 4)
    font = QFont()
    font.setBold(True)
    font.setPixelSize(size // 3)
    painter.setFont(font)
    painter.setPen(QColor("#ffffff"))
    painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, "99+" if unread > 99 else str(unread))
    painter.end()
    return QIcon(pixmap)


class Notifier(QObject):
    """Owns the tray icon when the desktop has a tray; otherwise notifications go to ``shown``."""

    shown = Signal(object)
    activated = Signal()
    profile_requested = Signal(int)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._muted: set[int] = set()
        self._tray: QSystemTrayIcon | None = None
        self._unread = 0
        self._private = False
        self._last: Notification | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            self._tray = QSystemTrayIcon(app_icon(), self)
            menu = QMenu()
            menu.addAction(self.tr("Show Switchboard"), self.activated.emit)
            self._menu = menu
            self._tray.setContextMenu(menu)
            self._tray.activated.connect(lambda _reason: self.activated.emit())
            self._tray.messageClicked.connect(self.open_last)
            self._tray.show()
        self.set_unread(0)

    @property
    def in_tray(self) -> bool:
        """Whether the desktop shows the icon: only then may the window start hidden."""
        return self._tray is not None

    @property
    def unread(self) -> int:
        return self._unread

    @property
    def tooltip(self) -> str:
        if self._private:
            return "Switchboard"
        return self.tr("Switchboard — {n} unread").format(n=self._unread)

    def set_private(self, private: bool) -> None:
        """While locked: no profile in notifications, nothing but the name in the tooltip."""
        if private != self._private:
            self._private = private
            self.set_unread(self._unread)

    def set_muted(self, muted: set[int]) -> None:
        self._muted = set(muted)

    def is_muted(self, profile_id: int) -> bool:
        return profile_id in self._muted

    def set_unread(self, unread: int) -> None:
        self._unread = unread
        if self._tray is not None:
            self._tray.setIcon(unread_icon(app_icon(), unread))
            self._tray.setToolTip(self.tooltip)

    def new_mail(self, profile: ProfileCard, count: int) -> Notification | None:
        """Announces ``count`` new messages for ``profile`` unless that profile is muted."""
        if count <= 0 or profile.id in self._muted:
            return None
        news = (
            self.tr("1 new message")
            if count == 1
            else self.tr("{n} new messages").format(n=QLocale().toString(count))
        )
        if self._private:
            title, text = self.tr("New mail"), news
        else:
            title = self.tr("New mail — {org}").format(org=profile.organization)
            text = self.tr("{news} for {profile}").format(news=news, profile=profile.label)
        note = Notification(title=title, text=text, profile_id=profile.id)
        if self._tray is not None:
            self._tray.showMessage(note.title, note.text, QSystemTrayIcon.MessageIcon.Information)
        self._last = note
        self.shown.emit(note)
        return note

    def open_last(self) -> None:
        """A click on the notification brings the window up on the profile it named."""
        self.activated.emit()
        if self._last is not None:
            self.profile_requested.emit(self._last.profile_id)

    def hide(self) -> None:
        if self._tray is not None:
            self._tray.hide()
