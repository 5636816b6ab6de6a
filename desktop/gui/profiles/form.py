"""The profile form: every field of a profile, validated as the user types.

Validation is the accounts service's own (``validated_draft``, pure and fast, so it may run on
each keystroke); the form only decides which field a message is about, outlines it, and keeps
Save disabled until the draft is acceptable. The role is shown, never edited: only an
administrator profile sets roles, so a profile's own form cannot raise it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QColorDialog,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from desktop.core.roles import Role
from desktop.gui.forms import error_label, mark_invalid, show_error
from desktop.gui.profiles.chip import chip_style
from desktop.gui.session.records import (
    DEFAULT_COLOUR,
    IMAP_SECURITY_MODES,
    AccountError,
    ProfileDraft,
    ProfileInfo,
    validated_draft,
)


class ProfileForm(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None, *, keeps_passwords: bool = True) -> None:
        """``keeps_passwords`` False: no usable keyring, so a typed password lasts this session."""
        super().__init__(parent)
        self.organization = self._line(
            self.tr("Organization"), self.tr("Where this account works, shown on every row")
        )
        self.title = self._line(self.tr("Title"), self.tr("Your job title in this organization"))
        self.email = self._line(
            self.tr("Email address"), self.tr("The address of this account; mail is sent from it")
        )
        self.phone = self._line(self.tr("Phone"), self.tr("A work phone number, if you want one"))
        self.role = QLabel()
        self.role.setAccessibleName(self.tr("Role"))
        self.role.setTextFormat(Qt.TextFormat.PlainText)
        self.role.setToolTip(
            self.tr(
                "Only an administrator profile changes roles "
                "(switchboard profile set-role EMAIL admin|member)"
            )
        )
        self.colour = self._line(
            self.tr("Colour"), self.tr("The colour that marks this profile, as #RRGGBB")
        )
        self.colour.setMaxLength(7)
        self.pick_colour = QPushButton(self.tr("Pic&k…"))
        self.pick_colour.setToolTip(self.tr("Pick the colour that marks this profile everywhere"))
        self.pick_colour.clicked.connect(self._choose_colour)
        self.imap_host = self._line(
            self.tr("Mail server (IMAP host)"), self.tr("Where this account's mail is read from")
        )
        self.imap_port = self._line(self.tr("IMAP port"), self.tr("993 for ssl, 143 for starttls"))
        self.imap_port.setPlaceholderText(self.tr("993 for ssl, 143 for starttls"))
        self.imap_security = QComboBox()
        self.imap_security.setAccessibleName(self.tr("Connection security"))
        self.imap_security.setAccessibleDescription(
            self.tr("How the connection to the mail server is protected")
        )
        for mode in IMAP_SECURITY_MODES:
            self.imap_security.addItem(mode, mode)
        self.imap_security.currentIndexChanged.connect(lambda _i: self.validate())
        self.imap_user = self._line(
            self.tr("IMAP user"), self.tr("The mail server's login; the email address if empty")
        )
        self.imap_user.setPlaceholderText(self.tr("the email address, if empty"))
        self.ca_file = self._line(
            self.tr("CA certificate file"),
            self.tr("Only for a server with its own certificate authority"),
        )
        self.ca_file.setPlaceholderText(
            self.tr("only for a server with its own certificate authority")
        )
        self.pick_ca = QPushButton(self.tr("&Browse…"))
        self.pick_ca.setToolTip(self.tr("Choose the PEM file of your organization's CA"))
        self.pick_ca.clicked.connect(self._choose_ca_file)
        self.password = self._line(
            self.tr("Server password"),
            self.tr("Kept in the system keyring; leave empty to keep the one saved"),
        )
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(
            self.tr("kept in the system keyring; empty keeps it")
            if keeps_passwords
            else self.tr("kept until Switchboard closes (no keyring); empty keeps it")
        )
        self.error = error_label(self.tr("Profile problem"))
        self._pristine = True
        self._valid = False

        self._lay_out()
        self._fields_by_topic: list[tuple[str, QWidget]] = [
            ("imap port", self.imap_port),
            ("imap host", self.imap_host),
            ("imap user", self.imap_user),
            ("imap security", self.imap_security),
            ("ca file", self.ca_file),
            ("email", self.email),
            ("phone", self.phone),
            ("colour", self.colour),
            ("organization", self.organization),
            ("title", self.title),
        ]
        self.load(None)

    def _lay_out(self) -> None:
        colour_row = QHBoxLayout()
        colour_row.addWidget(self.colour, 1)
        colour_row.addWidget(self.pick_colour)
        form = QFormLayout(self)
        form.addRow(self.tr("&Organization:"), self.organization)
        form.addRow(self.tr("&Title:"), self.title)
        form.addRow(self.tr("&Email:"), self.email)
        form.addRow(self.tr("P&hone:"), self.phone)
        form.addRow(self.tr("Role:"), self.role)
        colour_label = QLabel(self.tr("&Colour:"))
        colour_label.setBuddy(self.colour)
        form.addRow(colour_label, colour_row)
        form.addRow(self.tr("&Mail server:"), self.imap_host)
        form.addRow(self.tr("&Port:"), self.imap_port)
        form.addRow(self.tr("Secur&ity:"), self.imap_security)
        form.addRow(self.tr("IMAP &user:"), self.imap_user)
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca_file, 1)
        ca_row.addWidget(self.pick_ca)
        ca_label = QLabel(self.tr("CA &file:"))
        ca_label.setBuddy(self.ca_file)
        form.addRow(ca_label, ca_row)
        form.addRow(self.tr("Pass&word:"), self.password)
        form.addRow(self.error)

    def _line(self, name: str, description: str) -> QLineEdit:
        field = QLineEdit()
        field.setAccessibleName(name)
        field.setAccessibleDescription(description)
        field.textChanged.connect(lambda _text: self.validate())
        field.textEdited.connect(self._touched)
        return field

    def _touched(self) -> None:
        if self._pristine:
            self._pristine = False
            self.validate()

    def load(self, profile: ProfileInfo | None, new_colour: str = DEFAULT_COLOUR) -> None:
        """Fills the form from ``profile``, or empties it for a new one of ``new_colour``."""
        self._pristine = profile is None
        self.blockSignals(True)
        self.organization.setText(profile.organization if profile else "")
        self.title.setText(profile.title if profile else "")
        self.email.setText(profile.email if profile else "")
        self.phone.setText(profile.phone if profile else "")
        self.role.setText(self._role_text(profile.role if profile else None))
        self.colour.setText(profile.colour if profile else new_colour)
        self.imap_host.setText((profile.imap_host or "") if profile else "")
        self.imap_port.setText(str(profile.imap_port) if profile and profile.imap_port else "")
        security = profile.imap_security if profile else IMAP_SECURITY_MODES[0]
        self.imap_security.setCurrentIndex(max(0, self.imap_security.findData(security)))
        self.imap_user.setText((profile.imap_user or "") if profile else "")
        self.ca_file.setText((profile.ca_file or "") if profile else "")
        self.password.clear()
        self.blockSignals(False)
        self.validate()

    def draft(self) -> ProfileDraft:
        """The typed values; raises :class:`AccountError` for what the service would refuse."""
        port_text = self.imap_port.text().strip()
        if port_text and not port_text.isdigit():
            raise AccountError(f"the IMAP port must be a number, not {port_text!r}")
        return validated_draft(
            ProfileDraft(
                organization=self.organization.text(),
                email=self.email.text(),
                title=self.title.text(),
                phone=self.phone.text(),
                colour=self.colour.text().strip(),
                imap_host=self.imap_host.text(),
                imap_port=int(port_text) if port_text else None,
                imap_security=str(self.imap_security.currentData()),
                imap_user=self.imap_user.text(),
                ca_file=self.ca_file.text(),
            )
        )

    def validate(self) -> bool:
        for _topic, field in self._fields_by_topic:
            mark_invalid(field, False)
        try:
            self.draft()
        except AccountError as error:
            self._valid = False
            if self._pristine:
                show_error(self.error, "")
                self.changed.emit()
            else:
                self.show_problem(str(error))
            return False
        self._valid = True
        show_error(self.error, "")
        colour = QColor(self.colour.text().strip())
        self.pick_colour.setStyleSheet(chip_style(colour.name()) if colour.isValid() else "")
        self.changed.emit()
        return True

    def show_problem(self, message: str) -> None:
        """Shows ``message`` under the form and outlines the field it is about."""
        self._pristine = False
        lowered = message.lower()
        for topic, field in self._fields_by_topic:
            if topic in lowered:
                mark_invalid(field, True)
                break
        show_error(self.error, message[:1].upper() + message[1:] + ".")
        self.changed.emit()

    def _role_text(self, role: Role | None) -> str:
        """The role as shown, for a new profile (None) saying that an administrator sets it."""
        if role is Role.ADMIN:
            return self.tr("Administrator")
        if role is None:
            return self.tr("Member (an administrator can change this)")
        return self.tr("Member")

    @property
    def valid(self) -> bool:
        return self._valid

    def _choose_ca_file(self) -> None:
        chosen, _filter = QFileDialog.getOpenFileName(
            self,
            self.tr("CA certificate"),
            "",
            self.tr("Certificates (*.pem *.crt);;All files (*)"),
        )
        if chosen:
            self.ca_file.setText(chosen)

    def _choose_colour(self) -> None:
        chosen = QColorDialog.getColor(QColor(self.colour.text()), self, self.tr("Profile colour"))
        if chosen.isValid():
            self.colour.setText(chosen.name())
