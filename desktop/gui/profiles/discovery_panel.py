"""The first step of a new profile: the email address, then the servers found for it.

The look-up runs on a worker through the session layer and can be cancelled at any moment: the
panel stops waiting at once (a late answer is dropped) and the worker stops before its next
question. Nothing is filled into the profile form until the person confirms what they were
shown; "Set up by hand" skips the look-up entirely.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QHideEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop.gui.forms import error_label, show_error
from desktop.gui.profiles.discovery_result import ChosenSetup, FoundSettings
from desktop.gui.session.discovery import DiscoveryReport, ServerFinder
from desktop.gui.session.records import AccountError
from desktop.gui.session.workers import Workers


class DiscoveryPanel(QWidget):
    chosen = Signal(object)
    """The person confirmed the settings (a :class:`ChosenSetup`)."""
    by_hand = Signal(str)
    """The person wants to fill the form themselves (the address typed so far)."""

    def __init__(self, finder: ServerFinder, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        tr = self.tr
        self.setObjectName("profileDiscovery")
        self._finder = finder
        self._workers = Workers(self)
        self._task: int | None = None
        self._stop = threading.Event()
        self.intro = QLabel(
            tr(
                "Enter the account's email address. Switchboard asks the address's own domain "
                "for its mail servers and shows you what it found; no password is sent."
            )
        )
        self.intro.setWordWrap(True)
        self.email = QLineEdit()
        self.email.setAccessibleName(tr("Email address to set up"))
        self.email.setAccessibleDescription(tr("The servers are looked up from this address"))
        self.email.setPlaceholderText(tr("name@organization.org"))
        self.email.returnPressed.connect(self.look_up)
        self.email.textChanged.connect(lambda _text: self._update_buttons())
        self.find_button = self._button(tr("&Find settings"), tr("Look up the servers"))
        self.find_button.clicked.connect(self.look_up)
        self.cancel_button = self._button(tr("&Cancel search"), tr("Stop looking up the servers"))
        self.cancel_button.clicked.connect(self.cancel)
        self.hand_button = self._button(
            tr("Set up by &hand"), tr("Skip the look-up and fill in the servers yourself")
        )
        self.hand_button.clicked.connect(lambda: self.by_hand.emit(self.email.text().strip()))
        self.status = QLabel()
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        self.status.setAccessibleName(tr("Search status"))
        self.error = error_label(tr("Search problem"))
        self.found = FoundSettings()
        self.asked = QListWidget()
        self.asked.setAccessibleName(tr("Sources asked"))
        self.asked.setAccessibleDescription(tr("Every place asked for settings, and its answer"))
        self.asked.setMaximumHeight(120)
        self.asked.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.asked.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.asked_label = QLabel(tr("What was asked:"))
        self.asked_label.setBuddy(self.asked)
        self.use_button = self._button(
            tr("&Use these settings"), tr("Fill the profile form with the settings shown")
        )
        self.use_button.setDefault(True)
        self.use_button.clicked.connect(self.confirm)
        self._lay_out()
        self.reset()

    def _button(self, text: str, description: str) -> QPushButton:
        button = QPushButton(text)
        button.setToolTip(description)
        button.setAccessibleDescription(description)
        return button

    def _lay_out(self) -> None:
        row = QHBoxLayout()
        row.addWidget(self.email, 1)
        row.addWidget(self.find_button)
        row.addWidget(self.cancel_button)
        actions = QHBoxLayout()
        actions.addWidget(self.hand_button)
        actions.addStretch(1)
        actions.addWidget(self.use_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(row)
        layout.addWidget(self.status)
        layout.addWidget(self.error)
        results = QWidget()
        column = QVBoxLayout(results)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.found)
        column.addWidget(self.asked_label)
        column.addWidget(self.asked)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(results)
        layout.addWidget(scroll, 1)
        layout.addLayout(actions)

    def reset(self, email: str = "") -> None:
        """Back to an empty address, nothing found (each new profile starts here)."""
        self.cancel()
        self.email.setText(email)
        self.status.clear()
        show_error(self.error, "")
        self.found.hide()
        self.asked.clear()
        self._show_asked(False)
        self._update_buttons()
        self.email.setFocus(Qt.FocusReason.OtherFocusReason)

    @property
    def searching(self) -> bool:
        return self._task is not None

    def look_up(self) -> None:
        email = self.email.text().strip()
        if not email or self.searching:
            return
        self._stop = threading.Event()
        stop, finder = self._stop, self._finder
        show_error(self.error, "")
        self.found.hide()
        self._show_asked(False)
        self.status.setText(self.tr("Looking up the servers of {email}…").format(email=email))
        self._task = self._workers.submit(
            lambda: finder.find(email, stop), self._show_report, self._failed
        )
        self._update_buttons()

    def hideEvent(self, event: QHideEvent) -> None:
        """Leaving the step (by hand, another profile, closing the dialog) ends the search, so
        no question goes out for an address the person has moved away from."""
        self.cancel()
        super().hideEvent(event)

    def _show_asked(self, shown: bool) -> None:
        self.asked.setVisible(shown)
        self.asked_label.setVisible(shown)

    def cancel(self) -> None:
        if self._task is None:
            return
        self._stop.set()
        self._workers.forget(self._task)
        self._task = None
        self.status.setText(self.tr("Search cancelled. Try again, or set up by hand."))
        self._update_buttons()

    def _show_report(self, report: DiscoveryReport) -> None:
        self._task = None
        self.status.setText(report.summary)
        self.asked.clear()
        for attempt in report.attempts:
            self.asked.addItem(f"{attempt.outcome} ({attempt.source})")
            self.asked.item(self.asked.count() - 1).setToolTip(attempt.source)
        self._show_asked(bool(report.attempts))
        if report.found is not None:
            self.found.show_found(report.email, report.found)
            self.found.show()
            self.use_button.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.hand_button.setFocus(Qt.FocusReason.OtherFocusReason)
        self._update_buttons()

    def _failed(self, error: Exception) -> None:
        self._task = None
        reason = str(error) or type(error).__name__
        show_error(self.error, reason[:1].upper() + reason[1:])
        self.status.clear()
        self._update_buttons()

    def confirm(self) -> None:
        try:
            setup: ChosenSetup = self.found.chosen()
        except AccountError as error:
            show_error(self.error, str(error))
            return
        self.chosen.emit(setup)

    def _update_buttons(self) -> None:
        searching = self.searching
        self.find_button.setEnabled(not searching and bool(self.email.text().strip()))
        self.cancel_button.setEnabled(searching)
        self.use_button.setEnabled(not searching and self.found.isVisibleTo(self))
