"""A ring around the control that has the keyboard focus, in every window, in any style.

Fusion marks focus with a thin tint that disappears on some palettes (and not at all on a list
whose current row is also selected), so one ring is drawn over the focused control instead:
2 px, inside its edges (so a parent never clips it), in a colour that stands out on the palette.
As the web's ``:focus-visible`` does, a click that moves the focus draws no ring; a key does.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QRect, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QApplication, QWidget
from shiboken6 import Shiboken

RING_WIDTH = 2


class _Ring(QWidget):
    def __init__(self, colour: Callable[[], QColor]) -> None:
        super().__init__()
        self._colour = colour
        self.setObjectName("focusRing")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        pen = QPen(self._colour(), RING_WIDTH)
        pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
        painter.setPen(pen)
        half = RING_WIDTH // 2
        painter.drawRect(QRect(self.rect()).adjusted(half, half, -half, -half))


class FocusRing(QObject):
    """Follows ``QApplication.focusChanged``; ``colour`` is asked at each paint, so a change of
    theme recolours the ring at once."""

    def __init__(self, app: QApplication, colour: Callable[[], QColor]) -> None:
        super().__init__(app)
        self._colour = colour
        self._ring: _Ring | None = None
        self._target: QWidget | None = None
        app.focusChanged.connect(self._focus_changed)

    @property
    def target(self) -> QWidget | None:
        """The control the ring is drawn on now, if any."""
        return self._target if self._ring is not None and self._ring.isVisible() else None

    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        self._release()
        clicked = QGuiApplication.mouseButtons() != Qt.MouseButton.NoButton
        if new is None or clicked or new.isWindow():
            return
        ring = self._ring
        if ring is None:
            ring = self._ring = _Ring(self._colour)
            ring.destroyed.connect(self._ring_destroyed)
        self._target = new
        new.installEventFilter(self)
        ring.setParent(new)
        ring.setGeometry(new.rect())
        ring.show()
        ring.raise_()

    def _release(self) -> None:
        if self._target is not None and Shiboken.isValid(self._target):
            self._target.removeEventFilter(self)
        self._target = None
        if self._ring is not None:
            self._ring.hide()
            # Away from its control, so it is not destroyed with it.
            self._ring.setParent(None)

    def _ring_destroyed(self) -> None:
        self._ring = None
        self._target = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        ring = self._ring
        if watched is self._target and ring is not None:
            if event.type() == QEvent.Type.Resize:
                ring.setGeometry(self._target.rect())
            elif event.type() == QEvent.Type.ChildAdded:
                ring.raise_()
            elif event.type() == QEvent.Type.MouseButtonPress:
                ring.hide()
        return False
