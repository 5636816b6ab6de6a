"""After signing in to a plain store: the offer to encrypt it now, or not now.

The page says what encrypting means before anything happens: how long it should take for this
store's size, the room it needs on the disk beside the store and the room there is (too little,
and it cannot start), and that the password becomes the only way in. The password is asked once
more, because it becomes the store's key: a typo here is caught by the sign-in check, and a
store is never encrypted by someone who merely found the window signed in. The work runs on a
worker with a progress bar; whatever fails, the reason is shown and the person goes on with the
store that is in use (plain, unless the encrypted one had already taken its place).
"""

from __future__ import annotations

import math

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.gui.forms import error_label, show_error
from desktop.gui.session.backend import Backend, EncryptionOffer
from desktop.gui.session.records import SignedInUser, WrongPasswordError, describe
from desktop.gui.session.workers import Workers
from desktop.gui.signin.sign_in_page import centred_card, heading

PROGRESS_STEPS = 1000


class _Progress(QObject):
    """Lives on the GUI thread; the worker emits, the page's slot runs on the GUI thread."""

    moved = Signal(float)


class EncryptOfferPage(QWidget):
    finished = Signal(object)
    """The actor to go on with: the same person, on whichever store is now the store."""

    def __init__(self, backend: Backend, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("encryptOfferPage")
        self._backend = backend
        self._workers = Workers(self)
        self._progress = _Progress(self)
        self._progress.moved.connect(self._moved)
        self._actor: SignedInUser | None = None

        self.title = heading(self.tr("Encrypt this store now?"))
        self.explanation = QLabel()
        self.explanation.setObjectName("encryptExplanation")
        self.explanation.setWordWrap(True)
        self.explanation.setTextFormat(Qt.TextFormat.PlainText)
        self.room = QLabel()
        self.room.setObjectName("encryptRoom")
        self.room.setWordWrap(True)
        self.room.setTextFormat(Qt.TextFormat.PlainText)
        self.room.setAccessibleName(self.tr("Disk space"))
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName(self.tr("Password"))
        self.password.setAccessibleDescription(
            self.tr("Your password again: it becomes the key of the store")
        )
        self.password.returnPressed.connect(self.encrypt)
        self.bar = QProgressBar()
        self.bar.setRange(0, PROGRESS_STEPS)
        self.bar.setAccessibleName(self.tr("Encryption progress"))
        self.bar.hide()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.hide()
        self.error = error_label(self.tr("Encryption problem"))
        self.encrypt_button = QPushButton(self.tr("&Encrypt this store now"))
        self.encrypt_button.setDefault(True)
        self.encrypt_button.clicked.connect(self.encrypt)
        self.later_button = QPushButton(self.tr("&Not now"))
        self.later_button.setAccessibleDescription(
            self.tr("Keep the store unencrypted and open it; you are asked again next time")
        )
        self.later_button.clicked.connect(self._go_on)
        self._lay_out()

    def _lay_out(self) -> None:
        form = QFormLayout()
        form.addRow(self.tr("&Password:"), self.password)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.later_button)
        buttons.addWidget(self.encrypt_button)
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.explanation)
        layout.addWidget(self.room)
        layout.addSpacing(8)
        layout.addLayout(form)
        layout.addWidget(self.bar)
        layout.addWidget(self.status)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        centred_card(content, self)

    def offer(self, actor: SignedInUser, offer: EncryptionOffer) -> None:
        self._actor = actor
        estimate = offer.estimate
        self.explanation.setText(
            self.tr(
                "Your mail is kept unencrypted on this computer, in {store}. Encrypting makes "
                "a copy that only your password opens, checks every table of it, then "
                "removes the unencrypted file and its older copies. For {size} it should take "
                "about {time}. A forgotten password cannot be reset."
            ).format(
                store=offer.store,
                size=_megabytes(estimate.store_bytes),
                time=_duration(estimate.seconds),
            )
        )
        can = estimate.enough_room and not offer.other_users
        if offer.other_users:
            self.room.setText(
                self.tr(
                    "This store also holds the mail of {names}. Encrypting would lock them "
                    "out, since only their own passwords could open it, so it stays unencrypted."
                ).format(names=", ".join(offer.other_users))
            )
        elif estimate.enough_room:
            self.room.setText(
                self.tr("It needs {needed} free on this disk; {free} are free.").format(
                    needed=_megabytes(estimate.needed_bytes), free=_megabytes(estimate.free_bytes)
                )
            )
        else:
            self.room.setText(
                self.tr(
                    "It needs {needed} free on this disk, and only {free} are free: free some "
                    "space first. Your store stays as it is."
                ).format(
                    needed=_megabytes(estimate.needed_bytes), free=_megabytes(estimate.free_bytes)
                )
            )
        self.encrypt_button.setEnabled(can)
        self.password.setEnabled(can)
        self.password.clear()
        self.bar.hide()
        self.status.hide()
        show_error(self.error, "")
        self.later_button.setEnabled(True)
        (self.password if can else self.later_button).setFocus(Qt.FocusReason.OtherFocusReason)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.password.isEnabled():
            self.password.setFocus(Qt.FocusReason.OtherFocusReason)

    def encrypt(self) -> None:
        actor = self._actor
        password = self.password.text()
        if actor is None or not self.encrypt_button.isEnabled():
            return
        if not password:
            show_error(self.error, self.tr("Type your password: it becomes the store's key."))
            return
        self._running(True)
        backend, progress = self._backend, self._progress
        self._workers.submit(
            lambda: backend.encrypt_store(actor.login, password, progress.moved.emit),
            self._encrypted,
            self._failed,
        )

    @Slot(float)
    def _moved(self, fraction: float) -> None:
        self.bar.setValue(math.floor(fraction * PROGRESS_STEPS))

    def _encrypted(self, actor: SignedInUser) -> None:
        self._running(False)
        self.password.clear()
        self.finished.emit(actor)

    def _failed(self, error: Exception) -> None:
        self._running(False)
        if isinstance(error, WrongPasswordError):
            show_error(self.error, self.tr("Wrong password. Check Caps Lock and try again."))
            self.password.selectAll()
            self.password.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        failure = describe(error)
        show_error(
            self.error,
            self.tr("The store was not encrypted: {reason}").format(reason=failure.summary),
        )
        self.later_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def _go_on(self) -> None:
        if self._actor is not None and not self._workers.busy:
            self.finished.emit(self._actor)

    def _running(self, running: bool) -> None:
        self.encrypt_button.setEnabled(not running)
        self.later_button.setEnabled(not running)
        self.password.setEnabled(not running)
        self.bar.setVisible(running)
        self.bar.setValue(0)
        self.status.setVisible(running)
        self.status.setText(self.tr("Encrypting… keep Switchboard open until it finishes."))
        if running:
            show_error(self.error, "")


def _megabytes(count: int) -> str:
    if count >= 1_000_000_000:
        return f"{count / 1_000_000_000:.1f} GB"
    return f"{max(count / 1_000_000, 0.1):.1f} MB"


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{math.ceil(seconds)} s"
    return f"{math.ceil(seconds / 60)} min"
