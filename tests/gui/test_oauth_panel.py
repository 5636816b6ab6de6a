"""The Sign-in tab of the profiles dialog against a real OAuth2 provider on loopback."""

from __future__ import annotations

import threading
import urllib.request
from collections.abc import Iterator

import pytest
from conftest import Seeded
from oauth_provider import CLIENT_ID, OAuthProvider
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.gui.profiles.dialog import ProfilesDialog
from desktop.gui.session.profile_editor import ProfileEditor

pytestmark = pytest.mark.gui


@pytest.fixture(scope="module")
def provider() -> Iterator[OAuthProvider]:
    server = OAuthProvider().start()
    yield server
    server.stop()


@pytest.fixture
def dialog(qtbot: QtBot, seeded: Seeded) -> ProfilesDialog:
    opened = ProfilesDialog(ProfileEditor(seeded.services, seeded.actor))
    qtbot.addWidget(opened)
    opened.show()
    qtbot.waitUntil(lambda: opened.list.count() == 2)
    opened.tabs.setCurrentWidget(opened.sign_in)
    qtbot.waitUntil(lambda: "password" in opened.sign_in.status.text())
    return opened


def choose_provider(dialog: ProfilesDialog, issuer: str) -> None:
    panel = dialog.sign_in
    panel.method.setCurrentIndex(panel.method.findData("issuer"))
    panel.issuer.setText(issuer)
    panel.client_id.setText(CLIENT_ID)


def test_sign_in_opens_the_browser_and_says_when_it_is_done(
    qtbot: QtBot, dialog: ProfilesDialog, provider: OAuthProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider.approve_as = "ada"
    opened: list[str] = []

    def browser(url: str) -> bool:
        opened.append(url)
        threading.Thread(target=lambda: urllib.request.urlopen(url, timeout=10).read()).start()
        return True

    monkeypatch.setattr("webbrowser.open", browser)
    choose_provider(dialog, provider.issuer)
    panel = dialog.sign_in
    assert panel.sign_in_button.text() == "Sign in with provider"

    with qtbot.waitSignal(panel.signed_in, timeout=15_000) as signed:
        qtbot.mouseClick(panel.sign_in_button, Qt.MouseButton.LeftButton)
    assert opened[0].startswith(f"{provider.issuer}/authorize?")
    assert signed.args == [dialog._editing]
    assert panel.status.text() == "Signed in with 127.0.0.1."
    assert not panel.cancel_button.isVisible()


def test_waiting_for_the_browser_can_be_cancelled(
    qtbot: QtBot, dialog: ProfilesDialog, provider: OAuthProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("webbrowser.open", lambda url: True)  # the person never signs in
    choose_provider(dialog, provider.issuer)
    panel = dialog.sign_in

    qtbot.mouseClick(panel.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(panel.cancel_button.isVisible)
    assert "Finish signing in in your browser" in panel.status.text()
    assert not panel.sign_in_button.isEnabled()
    qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: "cancelled" in panel.status.text(), timeout=10_000)
    assert panel.sign_in_button.isEnabled()


def test_a_provider_without_https_is_refused_with_a_sentence(
    qtbot: QtBot, dialog: ProfilesDialog
) -> None:
    choose_provider(dialog, "http://login.example.org")
    panel = dialog.sign_in
    qtbot.mouseClick(panel.sign_in_button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: "does not use HTTPS" in panel.status.text())
    assert panel.sign_in_button.isEnabled()


def test_the_tab_shows_only_the_fields_of_the_chosen_provider(dialog: ProfilesDialog) -> None:
    panel = dialog.sign_in
    panel.method.setCurrentIndex(panel.method.findData("microsoft"))
    assert panel.tenant.isVisibleTo(panel)
    assert not panel.issuer.isVisibleTo(panel)
    assert panel.sign_in_button.text() == "Sign in with Microsoft"
    panel.method.setCurrentIndex(panel.method.findData("password"))
    assert not panel.client_id.isVisibleTo(panel)


def test_sign_out_revokes_the_grant_and_says_so(
    qtbot: QtBot, dialog: ProfilesDialog, provider: OAuthProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider.approve_as = "ada"
    monkeypatch.setattr(
        "webbrowser.open",
        lambda url: threading.Thread(
            target=lambda: urllib.request.urlopen(url, timeout=10).read()
        ).start(),
    )
    choose_provider(dialog, provider.issuer)
    panel = dialog.sign_in
    assert not panel.sign_out_button.isVisibleTo(panel)
    before = set(provider.issued_tokens())
    with qtbot.waitSignal(panel.signed_in, timeout=15_000):
        qtbot.mouseClick(panel.sign_in_button, Qt.MouseButton.LeftButton)
    assert panel.sign_out_button.isVisibleTo(panel)
    [grant] = [g for g in provider.grants_of("ada") if g.refresh_token not in before]

    qtbot.mouseClick(panel.sign_out_button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: panel.status.text().startswith("Signed out of"), timeout=15_000)
    assert "127.0.0.1 ended Switchboard's permission" in panel.status.text()
    assert not panel.sign_out_button.isVisibleTo(panel)
    assert provider.introspect(grant.refresh_token) == {"active": False}
