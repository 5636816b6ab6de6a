"""The Sending tab of a profile: its outgoing (SMTP) server and its signature.

The password is the mail server's (the Account tab's) unless set apart on the command line; a
profile without a sending server can read mail but its messages wait in the outbox, so the tab
says so instead of leaving the person to find out from a failed send.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from desktop.gui.session.records import AccountError
from desktop.gui.session.viewdata import SendingSetup

SECURITY_CHOICES = (
    ("starttls", "STARTTLS (port 587)"),
    ("ssl", "SSL/TLS (port 465)"),
    ("none", "None (this computer only)"),
)


class SendingForm(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        tr = self.tr
        self.host = QLineEdit()
        self.host.setAccessibleName(tr("Sending server (SMTP host)"))
        self.host.setAccessibleDescription(tr("Where this account's mail is sent through"))
        self.host.setPlaceholderText(tr("smtp.example.org"))
        self.port = QLineEdit()
        self.port.setAccessibleName(tr("SMTP port"))
        self.port.setAccessibleDescription(tr("Empty: the usual port for the security chosen"))
        self.port.setPlaceholderText(tr("the usual one for the security chosen"))
        self.security = QComboBox()
        self.security.setAccessibleName(tr("Sending security"))
        self.security.setAccessibleDescription(tr("How the connection for sending is protected"))
        for mode, text in SECURITY_CHOICES:
            self.security.addItem(tr(text), mode)
        self.user = QLineEdit()
        self.user.setAccessibleName(tr("SMTP user"))
        self.user.setAccessibleDescription(tr("The sending login; the mail server's if empty"))
        self.user.setPlaceholderText(tr("the mail server's user, if empty"))
        self.saves_sent = QCheckBox(tr("The server keeps a copy in Sent by itself"))
        self.saves_sent.setToolTip(
            tr("Gmail and Microsoft 365 do; with this on, Switchboard does not add a second copy")
        )
        self.signature = QPlainTextEdit()
        self.signature.setAccessibleName(tr("Signature"))
        self.signature.setAccessibleDescription(tr("Added under new messages and answers"))
        self.signature.setPlaceholderText(tr("Added under new messages and answers"))
        self.signature.setMaximumHeight(90)
        self.note = QLabel()
        self.note.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow(tr("Sending &server:"), self.host)
        form.addRow(tr("P&ort:"), self.port)
        form.addRow(tr("Securit&y:"), self.security)
        form.addRow(tr("SMTP &user:"), self.user)
        form.addRow(self.saves_sent)
        form.addRow(tr("Si&gnature:"), self.signature)
        form.addRow(self.note)
        self.host.textChanged.connect(lambda _text: self._explain())
        self.load(SendingSetup())

    def load(self, setup: SendingSetup) -> None:
        self.host.setText(setup.host)
        self.port.setText(str(setup.port) if setup.port else "")
        self.security.setCurrentIndex(max(0, self.security.findData(setup.security)))
        self.user.setText(setup.user)
        self.saves_sent.setChecked(setup.server_saves_sent)
        self.signature.setPlainText(setup.signature)
        self._explain()

    def setup(self) -> SendingSetup:
        """The typed values; raises :class:`AccountError` for a port that is not a number."""
        port_text = self.port.text().strip()
        if port_text and not port_text.isdigit():
            raise AccountError(f"The sending port must be a number, not {port_text!r}.")
        return SendingSetup(
            host=self.host.text().strip(),
            port=int(port_text) if port_text else None,
            security=str(self.security.currentData()),
            user=self.user.text().strip(),
            server_saves_sent=self.saves_sent.isChecked(),
            signature=self.signature.toPlainText(),
        )

    def _explain(self) -> None:
        self.note.setText(
            ""
            if self.host.text().strip()
            else self.tr("Without a sending server, messages from this profile wait in the outbox.")
        )
