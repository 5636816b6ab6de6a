"""The Sign-in tab of a profile: a password, or OAuth2 with Microsoft 365, Google or a provider.

Choosing a provider and pressing "Sign in with ..." saves the choice, opens the system browser
at the provider's page and waits, with a Cancel button, until the person has signed in there;
the tab then says the profile is signed in. Work runs on a worker, so the window never waits.
A profile whose grant was withdrawn shows "Sign in again" here. "Sign out of this account"
ends the grant: revoked at the provider, deleted from the keyring, and the outcome said.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.oauth_providers import DEFAULT_TENANT
from desktop.gui.session.oauth_access import SIGN_IN_PROBLEMS, OAuthAccess, SignInView
from desktop.gui.session.workers import Workers

CHOICES = (
    ("password", "Password"),
    ("microsoft", "Microsoft 365 (OAuth2)"),
    ("google", "Google (OAuth2)"),
    ("issuer", "Another provider (OpenID Connect)"),
)


class OAuthPanel(QWidget):
    signed_in = Signal(int)
    """A profile just signed in (its id): its sync may start again."""

    def __init__(self, access: OAuthAccess, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        tr = self.tr
        self._access = access
        self._workers = Workers(self)
        self._profile_id: int | None = None
        self._suggested = ""
        self._cancel: threading.Event | None = None
        self.method = QComboBox()
        for key, text in CHOICES:
            self.method.addItem(tr(text), key)
        self.method.setAccessibleName(tr("Sign-in method"))
        self.method.setAccessibleDescription(
            tr("How this profile signs in to its mail servers: a password or a provider's sign-in")
        )
        self.method.currentIndexChanged.connect(self._method_changed)
        self.tenant = self._line(
            tr("Microsoft tenant"), tr("Your organisation's directory; empty for common")
        )
        self.tenant.setPlaceholderText(DEFAULT_TENANT)
        self.issuer = self._line(
            tr("Provider address"), tr("The issuer address of your provider, starting with https")
        )
        self.issuer.setPlaceholderText("https://login.example.org")
        self.client_id = self._line(
            tr("Client ID"),
            tr(
                "The ID your organisation registered for Switchboard; "
                "empty: the one set for every installation"
            ),
        )
        self.sign_in_button = QPushButton(tr("Sign in"))
        self.sign_in_button.setAccessibleName(tr("Sign in with the provider"))
        self.sign_in_button.setAccessibleDescription(
            tr("Opens your browser at the provider's sign-in page and waits for you")
        )
        self.sign_in_button.clicked.connect(self.start_sign_in)
        self.cancel_button = QPushButton(tr("Cancel"))
        self.cancel_button.setAccessibleName(tr("Cancel signing in"))
        self.cancel_button.setAccessibleDescription(tr("Stop waiting for the browser"))
        self.cancel_button.clicked.connect(self.cancel_sign_in)
        self.cancel_button.hide()
        self.sign_out_button = QPushButton(tr("Sign &out of this account"))
        self.sign_out_button.setAccessibleName(tr("Sign out of this account"))
        self.sign_out_button.setAccessibleDescription(
            tr("Ends Switchboard's permission at the provider and forgets it on this computer")
        )
        self.sign_out_button.clicked.connect(self.sign_out)
        self.sign_out_button.hide()
        self.status = QLabel()
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        self.status.setAccessibleName(tr("Sign-in state"))
        self.status.setAccessibleDescription(tr("Whether this profile is signed in"))
        self._lay_out()
        self._method_changed()

    def _line(self, name: str, description: str) -> QLineEdit:
        line = QLineEdit()
        line.setAccessibleName(name)
        line.setAccessibleDescription(description)
        return line

    def _lay_out(self) -> None:
        tr = self.tr
        self._form = QFormLayout()
        self._form.addRow(tr("Sign in &with"), self.method)
        self._form.addRow(tr("&Tenant"), self.tenant)
        self._form.addRow(tr("Provider &address"), self.issuer)
        self._form.addRow(tr("Client &ID"), self.client_id)
        buttons = QHBoxLayout()
        buttons.addWidget(self.sign_in_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.sign_out_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(self._form)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        layout.addStretch(1)

    def suggest(self, preset: str) -> None:
        """The provider set-up found from the address (``microsoft``, ``google``), offered first
        when the new profile is saved, so the person need not know which sign-in it wants."""
        self._suggested = preset

    def load(self, profile_id: int | None) -> None:
        """Show a profile's sign-in (None: a profile not saved yet, which must be saved first)."""
        self.cancel_sign_in()
        self._profile_id = profile_id
        self.setEnabled(profile_id is not None)
        if profile_id is None:
            self.status.setText(self.tr("Save the profile first, then choose how it signs in."))
            return
        access = self._access
        self._workers.submit(
            lambda: access.view(profile_id), lambda view: self._show(profile_id, view), self._failed
        )

    def _show(self, profile_id: int, view: SignInView) -> None:
        if profile_id != self._profile_id:
            return
        provider = view.provider
        key = "password" if provider is None else provider.preset or "issuer"
        suggested, self._suggested = self._suggested, ""
        if provider is None and suggested:
            key = suggested
        self.method.setCurrentIndex(self.method.findData(key))
        self.tenant.setText(provider.tenant or "" if provider else "")
        self.issuer.setText(provider.issuer or "" if provider else "")
        self.client_id.setText(provider.client_id or "" if provider else "")
        self._method_changed()
        self.sign_out_button.setVisible(provider is not None and view.signed_in)
        if provider is None and suggested:
            self.status.setText(
                self.tr(
                    "This account's servers want their own sign-in instead of a password: "
                    "press {button}."
                ).format(button=self.sign_in_button.text())
            )
        elif provider is None:
            self.status.setText(self.tr("This profile signs in with its password."))
        elif view.signed_in:
            self.status.setText(self.tr("Signed in with {p}.").format(p=provider.label))
        else:
            self.status.setText(
                self.tr(
                    "Not signed in: press Sign in with {p} to let Switchboard read and send "
                    "this profile's mail."
                ).format(p=provider.label)
            )
        if view.ended:
            self.status.setText(f"{view.ended} {self.status.text()}")

    def sign_out(self) -> None:
        profile_id = self._profile_id
        if profile_id is None or self._cancel is not None:
            return
        access = self._access
        self.sign_out_button.setEnabled(False)
        self.status.setText(self.tr("Signing out…"))

        def done(outcome: tuple[SignInView, str]) -> None:
            self.sign_out_button.setEnabled(True)
            view, said = outcome
            self._show(profile_id, view)
            if profile_id == self._profile_id:
                self.status.setText(said)

        self._workers.submit(lambda: access.sign_out(profile_id), done, self._signed_out_failed)

    def _signed_out_failed(self, error: Exception) -> None:
        self.sign_out_button.setEnabled(True)
        self._failed(error)

    def _method_changed(self) -> None:
        key = self.method.currentData()
        self._form.setRowVisible(self.tenant, key == "microsoft")
        self._form.setRowVisible(self.issuer, key == "issuer")
        self._form.setRowVisible(self.client_id, key != "password")
        label = {"microsoft": "Microsoft", "google": "Google"}.get(key, self.tr("provider"))
        self.sign_in_button.setText(
            self.tr("Use password")
            if key == "password"
            else self.tr("Sign in with {p}").format(p=label)
        )

    def start_sign_in(self) -> None:
        profile_id = self._profile_id
        if profile_id is None or self._cancel is not None:
            return
        key = self.method.currentData()
        preset = key if key in ("microsoft", "google") else None
        issuer = self.issuer.text().strip() if key == "issuer" else None
        tenant = self.tenant.text().strip() or None if key == "microsoft" else None
        client_id = self.client_id.text().strip() or None
        access = self._access
        if key == "password":
            self._workers.submit(
                lambda: access.choose(profile_id, None, None, None, None),
                lambda view: self._show(profile_id, view),
                self._failed,
            )
            return
        cancel = self._cancel = threading.Event()
        self._waiting(True)

        def run() -> SignInView | None:
            access.choose(profile_id, preset, issuer, tenant, client_id)
            return access.sign_in(profile_id, cancel)

        self._workers.submit(run, lambda view: self._finished(profile_id, view), self._failed)

    def cancel_sign_in(self) -> None:
        if self._cancel is not None:
            self._cancel.set()

    def _waiting(self, waiting: bool) -> None:
        self.cancel_button.setVisible(waiting)
        self.sign_in_button.setEnabled(not waiting)
        self.method.setEnabled(not waiting)
        if waiting:
            self.status.setText(
                self.tr(
                    "Finish signing in in your browser, then come back here. Cancel stops waiting."
                )
            )
            self.cancel_button.setFocus()

    def _finished(self, profile_id: int, view: SignInView | None) -> None:
        self._cancel = None
        self._waiting(False)
        if view is None:
            self.status.setText(self.tr("Signing in was cancelled; nothing was changed."))
            return
        self._show(profile_id, view)
        if view.signed_in:
            self.signed_in.emit(profile_id)

    def _failed(self, error: Exception) -> None:
        self._cancel = None
        self._waiting(False)
        if isinstance(error, SIGN_IN_PROBLEMS):
            self.status.setText(str(error))
        else:
            self.status.setText(self.tr("Signing in failed unexpectedly; the app log says why."))
