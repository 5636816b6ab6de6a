"""The settings discovery found, shown with their source and trust, for the person to check and
edit before anything is filled into the profile form.

A weak answer (plain HTTP, a guess) is marked in words and colour, because the servers it names
will receive the password: the person must see that before they confirm, not after.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QLabel, QLineEdit, QWidget

from desktop.core.discovery import Discovered, ServerSetting
from desktop.gui.profiles.form import ProfileForm
from desktop.gui.profiles.sending_form import SECURITY_CHOICES, SendingForm
from desktop.gui.session.records import IMAP_SECURITY_MODES, AccountError
from desktop.gui.session.viewdata import SendingSetup

WEAK_STYLE = "color: #b45309; font-weight: 600;"


@dataclass(frozen=True)
class ChosenSetup:
    """What the person confirmed; ``wants_oauth2``: the account signs in with OAuth2."""

    email: str
    imap_host: str
    imap_port: int | None
    imap_security: str
    imap_user: str
    smtp_host: str
    smtp_port: int | None
    smtp_security: str
    smtp_user: str
    source: str
    wants_oauth2: bool = False
    provider: str = ""


class FoundSettings(QGroupBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        tr = self.tr
        self.setTitle(tr("Settings found"))
        self.source = self._label(tr("Where the settings came from"))
        self.trust = self._label(tr("How far to trust these settings"))
        self.oauth = self._label(tr("How this account signs in"))
        self.imap_host = self._line(tr("Found mail server"), tr("Where mail is read from"))
        self.imap_port = self._line(tr("Found mail server port"), tr("The port of the mail server"))
        self.imap_security = self._combo(
            tr("Found mail server security"), tr("How reading mail is protected")
        )
        for mode in IMAP_SECURITY_MODES:
            self.imap_security.addItem(mode, mode)
        self.imap_user = self._line(tr("Found mail server user"), tr("The login for reading mail"))
        self.smtp_host = self._line(tr("Found sending server"), tr("Where mail is sent through"))
        self.smtp_port = self._line(tr("Found sending port"), tr("The port of the sending server"))
        self.smtp_security = self._combo(
            tr("Found sending security"), tr("How sending mail is protected")
        )
        for mode, text in SECURITY_CHOICES:
            self.smtp_security.addItem(tr(text), mode)
        self.smtp_user = self._line(tr("Found sending user"), tr("The login for sending mail"))
        form = QFormLayout(self)
        form.addRow(tr("From:"), self.source)
        form.addRow(tr("Trust:"), self.trust)
        form.addRow(self.oauth)
        form.addRow(tr("Mail ser&ver:"), self.imap_host)
        form.addRow(tr("Port:"), self.imap_port)
        form.addRow(tr("Security:"), self.imap_security)
        form.addRow(tr("User:"), self.imap_user)
        form.addRow(tr("Sending serve&r:"), self.smtp_host)
        form.addRow(tr("Sending port:"), self.smtp_port)
        form.addRow(tr("Sending security:"), self.smtp_security)
        form.addRow(tr("Sending user:"), self.smtp_user)
        self._found: Discovered | None = None
        self._email = ""

    def _label(self, name: str) -> QLabel:
        label = QLabel()
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        label.setAccessibleName(name)
        return label

    def _line(self, name: str, description: str) -> QLineEdit:
        field = QLineEdit()
        field.setAccessibleName(name)
        field.setAccessibleDescription(description)
        return field

    def _combo(self, name: str, description: str) -> QComboBox:
        combo = QComboBox()
        combo.setAccessibleName(name)
        combo.setAccessibleDescription(description)
        return combo

    def show_found(self, email: str, found: Discovered) -> None:
        self._found, self._email = found, email
        self.source.setText(found.source)
        self.trust.setText(found.trust.explanation)
        self.trust.setStyleSheet(WEAK_STYLE if found.trust.is_weak else "")
        self.trust.setAccessibleDescription(
            self.tr("Less trustworthy: check these servers")
            if found.trust.is_weak
            else self.tr("Trustworthy source")
        )
        self.oauth.setText(self._sign_in_text(found))
        self.oauth.setVisible(found.wants_oauth2 or bool(found.alternatives))
        self._fill(
            found.incoming, self.imap_host, self.imap_port, self.imap_security, self.imap_user
        )
        self._fill(
            found.outgoing, self.smtp_host, self.smtp_port, self.smtp_security, self.smtp_user
        )

    def _sign_in_text(self, found: Discovered) -> str:
        if found.wants_oauth2:
            who = found.provider.display_name if found.provider else self.tr("This provider")
            return self.tr(
                "{who} refuses passwords: this account signs in with OAuth2 in your browser."
            ).format(who=who)
        if found.alternatives:
            return self.tr("If the mail server is wrong, try {hosts}.").format(
                hosts=", ".join(found.alternatives)
            )
        return ""

    @staticmethod
    def _fill(
        server: ServerSetting | None,
        host: QLineEdit,
        port: QLineEdit,
        security: QComboBox,
        user: QLineEdit,
    ) -> None:
        host.setText(server.host if server else "")
        port.setText(str(server.port) if server else "")
        security.setCurrentIndex(max(0, security.findData(server.security if server else "ssl")))
        user.setText(server.user if server else "")

    def chosen(self) -> ChosenSetup:
        """The settings as the person left them; AccountError for a port that is no number."""
        found = self._found
        if found is None:
            raise AccountError("Nothing was found to use.")
        return ChosenSetup(
            email=self._email,
            imap_host=self.imap_host.text().strip(),
            imap_port=_port(self.imap_port.text(), self.tr("The mail server port")),
            imap_security=str(self.imap_security.currentData()),
            imap_user=self.imap_user.text().strip(),
            smtp_host=self.smtp_host.text().strip(),
            smtp_port=_port(self.smtp_port.text(), self.tr("The sending port")),
            smtp_security=str(self.smtp_security.currentData()),
            smtp_user=self.smtp_user.text().strip(),
            source=found.source,
            wants_oauth2=found.wants_oauth2,
            provider=found.provider.value if found.provider else "",
        )


def _port(text: str, what: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    if not text.isdecimal() or not 1 <= int(text) <= 65535:
        raise AccountError(f"{what} must be a number from 1 to 65535, not {text!r}.")
    return int(text)


def fill_forms(setup: ChosenSetup, form: ProfileForm, sending: SendingForm) -> None:
    """Put confirmed settings into a new profile's form (which the person then saves). Gmail
    and Microsoft 365 keep their own copy of sent mail, so that box is ticked for them."""
    form.email.setText(setup.email)
    form.imap_host.setText(setup.imap_host)
    form.imap_port.setText(str(setup.imap_port) if setup.imap_port else "")
    form.imap_security.setCurrentIndex(max(0, form.imap_security.findData(setup.imap_security)))
    form.imap_user.setText("" if setup.imap_user == setup.email else setup.imap_user)
    sending.load(
        SendingSetup(
            host=setup.smtp_host,
            port=setup.smtp_port,
            security=setup.smtp_security,
            user="" if setup.smtp_user in (setup.email, setup.imap_user) else setup.smtp_user,
            server_saves_sent=bool(setup.provider),
        )
    )
