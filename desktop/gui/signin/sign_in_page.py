"""The sign-in screen: pick a user, type the password once, optionally be remembered.

The password check is slow on purpose (argon2id) and runs on a worker; a wrong password keeps
what was typed, selected, with the focus back in the field, so retyping replaces it at once.
The same page is the lock screen: then the user is fixed and not shown (a locked screen on a
shared workstation must not say whose it is), and "remember me" is not offered.
Without a usable keyring the page says once that typed passwords last until the app closes, and
"remember me" is disabled with the reason, rather than ticking a box that does nothing.
On an encrypted store the page says that only the password opens the mail, and offers no way
around it: there is no reset, hint or recovery that would open the store for someone else.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.gui.application import app_icon
from desktop.gui.forms import error_label, show_error
from desktop.gui.session.backend import SignIn
from desktop.gui.session.records import (
    SignedInUser,
    SignInThrottledError,
    UserInfo,
    WrongPasswordError,
)
from desktop.gui.session.workers import Workers


def centred_card(content: QWidget, parent: QWidget) -> None:
    """Places ``content`` in a framed card in the middle of ``parent``, like an OS login."""
    card = QFrame()
    card.setFrameShape(QFrame.Shape.StyledPanel)
    card.setMinimumWidth(420)
    card.setMaximumWidth(520)
    inner = QVBoxLayout(card)
    inner.setContentsMargins(28, 24, 28, 24)
    inner.addWidget(content)
    # Centred by stretches, not by an alignment flag: an aligned item is given the height its
    # wrapped notes need at the page's full width, so on the narrower card they were cut off.
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(card)
    row.addStretch(1)
    outer = QVBoxLayout(parent)
    outer.addStretch(1)
    outer.addLayout(row)
    outer.addStretch(2)


def heading(text: str, scale: float = 1.5) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * scale)
    font.setBold(True)
    label.setFont(font)
    return label


def logo_label() -> QLabel:
    logo = QLabel()
    logo.setPixmap(app_icon().pixmap(56, 56))
    logo.setAlignment(Qt.AlignmentFlag.AlignHCenter)
    logo.setMinimumHeight(64)
    return logo


def waiting_note(name: str) -> QLabel:
    label = QLabel()
    label.setObjectName("waitingNote")
    label.setWordWrap(True)
    label.setAccessibleName(name)
    label.hide()
    return label


class SignInPage(QWidget):
    signed_in = Signal(object)

    def __init__(self, accounts: SignIn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("signInPage")
        self._accounts = accounts
        self._workers = Workers(self)
        self._locked_login: str | None = None

        logo = logo_label()
        self.title = heading(self.tr("Sign in to Switchboard"))
        self.title.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.subtitle = QLabel(self.tr("One sign-in opens every profile you hold."))
        self.subtitle.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.subtitle.setWordWrap(True)
        self.user = QComboBox()
        self.user.setAccessibleName(self.tr("User"))
        self.user.setAccessibleDescription(self.tr("Who is signing in"))
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName(self.tr("Password"))
        self.password.setAccessibleDescription(self.tr("The password of the chosen user"))
        self.password.returnPressed.connect(self.submit)
        self._build_remember(accounts)
        self.encrypted_note = QLabel(
            self.tr(
                "Your mail is encrypted on this computer. Only your password, or a sign-in "
                "this computer remembers, can open it: a forgotten password cannot be reset."
            )
        )
        self.encrypted_note.setObjectName("encryptedNote")
        self.encrypted_note.setWordWrap(True)
        self.encrypted_note.setAccessibleName(self.tr("Encryption"))
        self.error = error_label(self.tr("Sign-in problem"))
        self.waiting = waiting_note(self.tr("Waiting for sign-in"))
        self.button = QPushButton(self.tr("&Sign in"))
        self.button.setDefault(True)
        self.button.setAccessibleDescription(
            self.tr("Opens every profile of the user once the password is right")
        )
        self.button.clicked.connect(self.submit)

        self._form = form = QFormLayout()
        form.addRow(self.tr("&User:"), self.user)
        form.addRow(self.tr("&Password:"), self.password)
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(logo)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addSpacing(12)
        layout.addLayout(form)
        layout.addWidget(self.remember)
        layout.addWidget(self.no_keyring)
        layout.addWidget(self.encrypted_note)
        layout.addWidget(self.waiting)
        layout.addWidget(self.error)
        layout.addWidget(self.button)
        centred_card(content, self)
        self.no_keyring.setHidden(accounts.remembers_sign_ins)
        self.encrypted_note.setHidden(not accounts.encrypted)

    def _build_remember(self, accounts: SignIn) -> None:
        self.remember = QCheckBox(self.tr("&Remember me on this computer"))
        self.remember.setToolTip(
            self.tr(
                "Keep a sign-in token in the system keyring for {days} days; signing out "
                "forgets it on every computer"
            ).format(days=accounts.remember_days)
        )
        self.no_keyring = QLabel(
            self.tr(
                "There is no usable keyring on this computer, so passwords you type are kept "
                "only until Switchboard closes, and it cannot remember you."
            )
        )
        self.no_keyring.setObjectName("noKeyringNote")
        self.no_keyring.setWordWrap(True)
        if not accounts.remembers_sign_ins:
            self.remember.setEnabled(False)
            self.remember.setChecked(False)
            self.remember.setToolTip(
                self.tr(
                    "Needs a keyring (GNOME Keyring, KWallet or KeePassXC) running in this "
                    "desktop session; none is usable now"
                )
            )

    def set_users(self, users: Sequence[UserInfo], preferred: str | None = None) -> None:
        self._locked_login = None
        self.title.setText(self.tr("Sign in to Switchboard"))
        self.subtitle.setText(self.tr("One sign-in opens every profile you hold."))
        self.user.clear()
        for user in users:
            self.user.addItem(f"{user.display_name} ({user.login})", user.login)
        index = self.user.findData(preferred) if preferred else 0
        self.user.setCurrentIndex(max(index, 0))
        self.user.setEnabled(True)
        self._form.setRowVisible(self.user, True)
        self.remember.show()
        self.no_keyring.setVisible(not self._accounts.remembers_sign_ins)
        self.encrypted_note.setVisible(self._accounts.encrypted)
        self._reset()

    def lock(self, actor: SignedInUser) -> None:
        """The lock screen: only the signed-in person can come back, with their password."""
        self._locked_login = actor.login
        self.title.setText(self.tr("Switchboard is locked"))
        self.subtitle.setText(
            self.tr("Locked to protect the data on screen. Enter your password to continue.")
        )
        self.user.clear()
        self.user.setEnabled(False)
        self._form.setRowVisible(self.user, False)
        self.remember.hide()
        self.no_keyring.hide()
        self.encrypted_note.hide()
        self._reset()

    def show_waiting(self, text: str) -> None:
        """What opens once the person is in (a link's message); it never opens before."""
        self.waiting.setText(text)
        self.waiting.setVisible(bool(text))

    def _reset(self) -> None:
        self.password.clear()
        show_error(self.error, "")
        self._busy(False)
        self.password.setFocus(Qt.FocusReason.OtherFocusReason)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.password.setFocus(Qt.FocusReason.OtherFocusReason)

    def submit(self) -> None:
        login = self._locked_login or self.user.currentData()
        password = self.password.text()
        if not isinstance(login, str) or not self.button.isEnabled():
            return
        if not password:
            self._fail(self.tr("Type your password."))
            return
        remember = self.remember.isChecked() and self._locked_login is None
        accounts = self._accounts
        self._busy(True)
        self._workers.submit(
            lambda: accounts.sign_in(login, password, remember=remember),
            self._succeeded,
            self._failed,
        )

    def _succeeded(self, actor: SignedInUser) -> None:
        self._busy(False)
        self.password.clear()
        show_error(self.error, "")
        self.signed_in.emit(actor)

    def _failed(self, error: Exception) -> None:
        self._busy(False)
        if isinstance(error, WrongPasswordError):
            self._fail(self.tr("Wrong password. Check Caps Lock and try again."))
        elif isinstance(error, SignInThrottledError):
            wait = math.ceil(error.retry_after_s)
            self._fail(self.tr("Too many wrong passwords. Try again in {n} s.").format(n=wait))
        else:
            self._fail(self.tr("Could not sign in: {reason}").format(reason=error))

    def _fail(self, message: str) -> None:
        show_error(self.error, message)
        self.password.setFocus(Qt.FocusReason.OtherFocusReason)
        self.password.selectAll()

    def _busy(self, busy: bool) -> None:
        self.button.setEnabled(not busy)
        idle = self.tr("&Unlock") if self._locked_login else self.tr("&Sign in")
        self.button.setText(self.tr("Signing in…") if busy else idle)
