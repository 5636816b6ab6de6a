"""The status-bar area showing each profile's sync state, overall progress, and retry on error.

A profile that silently stops syncing is the classic multi-account failure, so each profile has
its own always-visible state, and a failure stays on screen with its reason until retried. A
profile without a mail server has not failed: it is "not set up", and its button offers set-up.
An OAuth2 profile whose grant ended is neither failed nor retried: it "needs sign-in", says why
in its tooltip, and its button opens the browser to sign that profile in again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from PySide6.QtCore import QSize, Qt, QTime, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap, QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QToolButton, QWidget

from desktop.gui.icons import icon
from desktop.gui.profiles.chip import shortened_name
from desktop.gui.session.viewdata import ProfileCard


class SyncPhase(Enum):
    IDLE = "idle"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    NOT_SET_UP = "not set up"
    SIGN_IN_NEEDED = "sign in again"
    SIGNING_IN = "signing in"


@dataclass(slots=True)
class _ProfileSync:
    profile: ProfileCard
    button: QToolButton
    phase: SyncPhase = SyncPhase.IDLE
    done: int = 0
    total: int = 0
    reason: str = ""
    finished_at: str = ""
    # The state's words after the name ("not set up — Set up…"): they stay whole when the
    # name has to be shortened to fit a narrow window.
    state_text: str = ""


def colour_dot(colour: str, size: int = 12) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(colour))
    return QIcon(pixmap)


def _resting_phase(profile: ProfileCard) -> SyncPhase:
    return SyncPhase.IDLE if profile.mail_server else SyncPhase.NOT_SET_UP


class SyncStatusArea(QWidget):
    """Emits ``retry_requested`` to sync a profile, ``setup_requested`` to give it a server,
    ``sign_in_requested`` to sign it in again."""

    retry_requested = Signal(int)
    setup_requested = Signal(int)
    sign_in_requested = Signal(int)
    """Sign the profile in again (or, while its browser sign-in waits, stop waiting)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(self.tr("Sync status"))
        self._states: dict[int, _ProfileSync] = {}
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.progress = QProgressBar()
        self.progress.setAccessibleName(self.tr("Sync progress"))
        self.progress.setMaximumWidth(160)
        self.progress.setTextVisible(True)
        self.progress.hide()
        self._layout.addWidget(self.progress)
        # The layout would otherwise make the window at least as wide as every full label.
        self.setMinimumWidth(1)

    def minimumSizeHint(self) -> QSize:
        """Narrow windows shorten the names instead of growing past the screen."""
        return QSize(0, super().minimumSizeHint().height())

    def sizeHint(self) -> QSize:
        """The room of the whole labels, asked for even while they are shortened."""
        spacing = self._layout.spacing()
        width = sum(self._whole_width(s.button) + spacing for s in self._states.values())
        if self.progress.isVisible():
            width += self.progress.sizeHint().width() + spacing
        return QSize(width, super().sizeHint().height())

    @staticmethod
    def _whole_width(button: QToolButton) -> int:
        metrics = button.fontMetrics()
        shown = metrics.horizontalAdvance(button.text())
        return (
            button.sizeHint().width() - shown + metrics.horizontalAdvance(button.accessibleName())
        )

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def set_profiles(self, profiles: Sequence[ProfileCard]) -> None:
        if [p.id for p in profiles] == list(self._states):
            self._update_profiles(profiles)
            return
        for state in self._states.values():
            state.button.deleteLater()
        self._states = {}
        for profile in profiles:
            button = QToolButton()
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            button.setAutoRaise(True)
            button.setIcon(colour_dot(profile.colour))
            button.clicked.connect(lambda _checked=False, pid=profile.id: self._clicked(pid))
            self._layout.addWidget(button)
            self._states[profile.id] = _ProfileSync(profile, button, _resting_phase(profile))
            self._refresh(profile.id)
        self._refresh_progress()

    def _update_profiles(self, profiles: Sequence[ProfileCard]) -> None:
        """The same profiles again: a server just set up (or removed) changes the state."""
        for profile in profiles:
            state = self._states[profile.id]
            had_server = bool(state.profile.mail_server)
            state.profile = profile
            if had_server != bool(profile.mail_server):
                state.phase = _resting_phase(profile)
            self._refresh(profile.id)

    def button_for(self, profile_id: int) -> QToolButton:
        return self._states[profile_id].button

    def phase(self, profile_id: int) -> SyncPhase:
        return self._states[profile_id].phase

    def started(self, profile_id: int) -> None:
        self._update(profile_id, phase=SyncPhase.RUNNING, done=0, total=0, reason="")

    def progressed(self, profile_id: int, done: int, total: int) -> None:
        self._update(profile_id, phase=SyncPhase.RUNNING, done=done, total=total)

    def finished(self, profile_id: int) -> None:
        stamp = QTime.currentTime().toString("HH:mm")
        self._update(profile_id, phase=SyncPhase.DONE, reason="", finished_at=stamp)

    def failed(self, profile_id: int, reason: str) -> None:
        self._update(profile_id, phase=SyncPhase.FAILED, reason=reason)

    def not_set_up(self, profile_id: int) -> None:
        self._update(profile_id, phase=SyncPhase.NOT_SET_UP, reason="")

    def sign_in_needed(self, profile_id: int, reason: str) -> None:
        self._update(profile_id, phase=SyncPhase.SIGN_IN_NEEDED, reason=reason)

    def signing_in(self, profile_id: int) -> None:
        self._update(profile_id, phase=SyncPhase.SIGNING_IN)

    def reason(self, profile_id: int) -> str:
        """Why the profile failed or must sign in again, as its tooltip says it."""
        return self._states[profile_id].reason

    def _update(self, profile_id: int, **changes: object) -> None:
        state = self._states.get(profile_id)
        if state is None:
            return
        for name, value in changes.items():
            setattr(state, name, value)
        self._refresh(profile_id)
        self._refresh_progress()

    def _clicked(self, profile_id: int) -> None:
        phase = self._states[profile_id].phase
        if phase is SyncPhase.NOT_SET_UP:
            self.setup_requested.emit(profile_id)
        elif phase in (SyncPhase.SIGN_IN_NEEDED, SyncPhase.SIGNING_IN):
            self.sign_in_requested.emit(profile_id)
        elif phase in (SyncPhase.FAILED, SyncPhase.DONE, SyncPhase.IDLE):
            self.retry_requested.emit(profile_id)

    def _refresh(self, profile_id: int) -> None:
        state = self._states[profile_id]
        name = state.profile.organization
        button = state.button
        if state.phase is SyncPhase.FAILED:
            state.state_text = self.tr("failed — Retry")
            button.setIcon(icon("retry"))
            button.setToolTip(
                self.tr("{name}: {reason}\nClick to try again").format(
                    name=name, reason=state.reason
                )
            )
            button.setStyleSheet("QToolButton { color: #dc2626; font-weight: 600; }")
        elif state.phase is SyncPhase.SIGN_IN_NEEDED:
            state.state_text = self.tr("Sign in again…")
            button.setIcon(icon("retry"))
            button.setToolTip(
                self.tr(
                    "{reason}\nIts mail and outbox wait; your other accounts go on.\n"
                    "Click to sign in again in your browser"
                ).format(reason=state.reason.replace(": ", ":\n", 1))  # fits 800 px
            )
            button.setStyleSheet("QToolButton { color: #b45309; font-weight: 600; }")
        elif state.phase is SyncPhase.SIGNING_IN:
            state.state_text = self.tr("signing in in your browser — Cancel")
            button.setIcon(colour_dot(state.profile.colour))
            button.setStyleSheet("")
            button.setToolTip(
                self.tr(
                    "Finish signing in to {name} in your browser. Click to stop waiting."
                ).format(name=name)
            )
        elif state.phase is SyncPhase.NOT_SET_UP:
            state.state_text = self.tr("not set up — Set up…")
            button.setIcon(colour_dot(state.profile.colour))
            button.setStyleSheet("")
            button.setToolTip(
                self.tr("{name} has no mail server yet. Click to set one up.").format(name=name)
            )
        else:
            button.setIcon(colour_dot(state.profile.colour))
            button.setStyleSheet("")
            if state.phase is SyncPhase.RUNNING:
                share = f" {state.done}/{state.total}" if state.total else ""
                state.state_text = self.tr("syncing{share}").format(share=share)
            elif state.phase is SyncPhase.DONE:
                state.state_text = self.tr("synced {at}").format(at=state.finished_at)
            else:
                state.state_text = self.tr("not synced yet")
            button.setToolTip(self.tr("{name}: click to sync now").format(name=name))
        button.setAccessibleName(self._label(name, state.state_text))
        self.updateGeometry()
        self._fit()

    def _label(self, name: str, state_text: str) -> str:
        return self.tr("{name}: {state}").format(name=name, state=state_text)

    def _fit(self) -> None:
        """Full labels when they fit; otherwise each name is shortened to an equal share.

        The state words are never cut: "failed — Retry" is the part a person must read.
        """
        states = list(self._states.values())
        if not states:
            return
        spacing = self._layout.spacing()
        room = self.width() - spacing * len(states)
        if self.progress.isVisible():
            room -= self.progress.width() + spacing
        if sum(self._whole_width(state.button) for state in states) <= room:
            for state in states:
                state.button.setText(state.button.accessibleName())
            return
        share = max(room // len(states), 0)
        for state in states:
            button = state.button
            metrics = button.fontMetrics()
            frame = button.sizeHint().width() - metrics.horizontalAdvance(button.text())
            suffix = self._label("", state.state_text)
            name = shortened_name(metrics, state.profile.organization, suffix, share - frame)
            button.setText(self._label(name, state.state_text))

    def _refresh_progress(self) -> None:
        running = [s for s in self._states.values() if s.phase is SyncPhase.RUNNING]
        parts = [(s.done, s.total) for s in running]
        if not parts:
            self.progress.hide()
            self._fit()
            return
        total = sum(t for _d, t in parts)
        self.progress.setRange(0, total if total else 0)
        self.progress.setValue(sum(d for d, _t in parts))
        self.progress.setFormat(self.tr("sync %p%"))
        self.progress.show()
        self._fit()
