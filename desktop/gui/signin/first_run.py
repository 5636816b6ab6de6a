"""The first run on an empty store: create the first user and profile, or open the demo data.

The profile is validated (by the accounts service's own rules) before the user is created, so a
bad email address never leaves behind a user with no profile; the slow password hashing and the
store writes run on a worker. The page offers no role: the first profile of a store is its
administrator (the bootstrap), and says so, because only an administrator sets roles later.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.gui.forms import error_label, mark_invalid, show_error
from desktop.gui.icons import icon
from desktop.gui.session.backend import Backend, FirstAccount
from desktop.gui.session.records import (
    MIN_PASSWORD_LENGTH,
    AccountError,
    ProfileDraft,
    SignedInUser,
    validated_draft,
)
from desktop.gui.session.workers import Workers
from desktop.gui.signin.sign_in_page import centred_card, heading


class FirstRunPage(QWidget):
    signed_in = Signal(object)
    demo_requested = Signal()

    def __init__(self, backend: Backend, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("firstRunPage")
        self._backend = backend
        self._workers = Workers(self)

        title = heading(self.tr("Welcome to Switchboard"))
        intro = QLabel(
            self.tr(
                "Nobody has used Switchboard on this computer yet. Create your account and "
                "your first profile (you can add more profiles later), or look around with "
                "demo data first."
            )
        )
        intro.setWordWrap(True)
        self.display_name = self._field(
            self.tr("Your name"), self.tr("e.g. Ada Lovelace"), self.tr("How others see you")
        )
        self.login = self._field(
            self.tr("Login"), self.tr("e.g. ada"), self.tr("The name you sign in with")
        )
        self.password = self._field(
            self.tr("Password"), "", self.tr("The password that protects this store for you")
        )
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(
            self.tr("at least {n} characters").format(n=MIN_PASSWORD_LENGTH)
        )
        self.repeat = self._field(
            self.tr("Repeat password"), "", self.tr("The same password again, to catch a typo")
        )
        self.repeat.setEchoMode(QLineEdit.EchoMode.Password)
        self.organization = self._field(
            self.tr("Organization"),
            self.tr("e.g. St Mary's Hospital"),
            self.tr("Where your first profile works"),
        )
        self.email = self._field(
            self.tr("Work email"),
            self.tr("e.g. ada@stmarys.example"),
            self.tr("The email address of your first profile"),
        )
        self.admin_note = QLabel(
            self.tr(
                "This first profile is the administrator of this store: only an administrator "
                "adds other users and decides who else is one."
            )
        )
        self.admin_note.setObjectName("adminNote")
        self.admin_note.setWordWrap(True)
        self.error = error_label(self.tr("Problem"))
        self._build_buttons()
        self._lay_out(title, intro)

    def _build_buttons(self) -> None:
        self.create_button = QPushButton(self.tr("&Create account"))
        self.create_button.setDefault(True)
        self.create_button.setToolTip(self.tr("Create your account and its first profile"))
        self.create_button.clicked.connect(self.submit)
        self.demo = QPushButton(icon("demo"), self.tr("Open the &demo data"))
        self.demo.setToolTip(self.tr("Fill this store with made-up users, profiles and mail"))
        self.demo.clicked.connect(self.demo_requested)
        self.demo.hide()

    def _lay_out(self, title: QLabel, intro: QLabel) -> None:
        form = QFormLayout()
        form.addRow(self.tr("Your &name:"), self.display_name)
        form.addRow(self.tr("&Login:"), self.login)
        form.addRow(self.tr("&Password:"), self.password)
        form.addRow(self.tr("&Repeat:"), self.repeat)
        form.addRow(heading(self.tr("Your first profile"), 1.1))
        form.addRow(self.tr("&Organization:"), self.organization)
        form.addRow(self.tr("Work &email:"), self.email)
        form.addRow(self.tr("Role:"), QLabel(self.tr("Administrator")))
        buttons = QHBoxLayout()
        buttons.addWidget(self.demo)
        buttons.addStretch(1)
        buttons.addWidget(self.create_button)
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addSpacing(8)
        layout.addLayout(form)
        layout.addWidget(self.admin_note)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        centred_card(content, self)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.display_name.setFocus(Qt.FocusReason.OtherFocusReason)

    def offer_demo(self, offered: bool) -> None:
        """Shown only when the app can actually build the demo data."""
        self.demo.setVisible(offered)

    def _field(self, name: str, placeholder: str, description: str) -> QLineEdit:
        field = QLineEdit()
        field.setAccessibleName(name)
        field.setAccessibleDescription(description)
        field.setPlaceholderText(placeholder)
        field.textEdited.connect(lambda _text: mark_invalid(field, False))
        return field

    def submit(self) -> None:
        account = self._validated()
        if account is None:
            return
        backend = self._backend
        self._busy(True)
        self._workers.submit(
            lambda: backend.create_first_account(account), self._created, self._failed
        )

    def _validated(self) -> FirstAccount | None:
        """Checks what can be checked without the store; marks and focuses the first bad field."""
        problem = self._first_problem()
        if problem is not None:
            self._reject(*problem)
            return None
        draft = ProfileDraft(organization=self.organization.text(), email=self.email.text())
        try:
            draft = validated_draft(draft)
        except AccountError as error:
            field = self.email if "email" in str(error) else self.organization
            self._reject(field, str(error).capitalize() + ".")
            return None
        show_error(self.error, "")
        return FirstAccount(
            self.login.text().strip().lower(),
            self.display_name.text().strip(),
            self.password.text(),
            draft,
        )

    def _first_problem(self) -> tuple[QLineEdit, str] | None:
        if not self.display_name.text().strip():
            return self.display_name, self.tr("Type your name.")
        if not self.login.text().strip():
            return self.login, self.tr("Choose a login, for example your first name.")
        if len(self.password.text()) < MIN_PASSWORD_LENGTH:
            message = self.tr("The password needs at least {n} characters.")
            return self.password, message.format(n=MIN_PASSWORD_LENGTH)
        if self.repeat.text() != self.password.text():
            return self.repeat, self.tr("The two passwords differ.")
        return None

    def _reject(self, field: QLineEdit, message: str) -> None:
        mark_invalid(field, True)
        show_error(self.error, message)
        field.setFocus(Qt.FocusReason.OtherFocusReason)
        field.selectAll()

    def _created(self, actor: SignedInUser) -> None:
        self._busy(False)
        self.signed_in.emit(actor)

    def _failed(self, error: Exception) -> None:
        self._busy(False)
        message = str(error)
        field = self.login if "login" in message or "user" in message else self.email
        self._reject(field, message.capitalize() + ".")

    def _busy(self, busy: bool) -> None:
        self.create_button.setEnabled(not busy)
        self.demo.setEnabled(not busy)
        self.create_button.setText(self.tr("Creating…") if busy else self.tr("&Create account"))
