"""A grant revoked at the provider, in the window: the profile's status says so plainly and its
"Sign in again" opens the browser for that profile; the sync then resumes. Real services, the
local OAuth2 provider and a Dovecot that checks each token with it."""

from __future__ import annotations

import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import replace

import pytest
from conftest import Seeded, open_window, syncing_session
from dovecot import MAIL_SERVER_PASSWORD, Dovecot
from oauth_provider import CLIENT_ID, OAuthProvider
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.core.oauth_providers import provider_from
from desktop.gui.mainwindow.sync_status import SyncPhase
from desktop.gui.mainwindow.window import MainWindow

pytestmark = [pytest.mark.gui, pytest.mark.imap]


@pytest.fixture(scope="module")
def provider() -> Iterator[OAuthProvider]:
    server = OAuthProvider().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def oauth_dovecot(dovecot: Dovecot, provider: OAuthProvider) -> Iterator[Dovecot]:
    server = Dovecot(MAIL_SERVER_PASSWORD, oauth2_introspection_url=provider.introspection_url)
    server.start()
    yield server
    server.destroy()


def follow(url: str, opened: list[str]) -> bool:
    """The system browser: the provider signs the person in and redirects back to the app."""
    opened.append(url)
    threading.Thread(target=lambda: urllib.request.urlopen(url, timeout=10).read()).start()
    return True


def signed_in_clinic(seeded: Seeded, dovecot: Dovecot, provider: OAuthProvider) -> str:
    """The clinic profile on the test's Dovecot, signed in with the provider; its login."""
    services, actor = seeded.services, seeded.actor
    login = dovecot.add_user()
    clinic = next(p for p in services.accounts.list_profiles(actor) if p.id == seeded.clinic_id)
    services.accounts.update_profile(actor, seeded.clinic_id, replace(
        clinic.as_draft(), imap_host="127.0.0.1", imap_port=dovecot.imaps_port,
        imap_security="ssl", imap_user=login, ca_file=dovecot.ca_file,
    ))  # fmt: skip
    chosen = provider_from(None, provider.issuer, None, CLIENT_ID)
    services.oauth_sign_in.set_authentication(actor, seeded.clinic_id, "oauth2", chosen)
    provider.approve_as = login
    services.oauth_sign_in.sign_in_with_browser(
        actor, seeded.clinic_id, lambda url: follow(url, []), threading.Event()
    )
    return login


def test_a_revoked_grant_asks_that_profile_to_sign_in_again_and_the_action_does(
    qtbot: QtBot,
    seeded: Seeded,
    oauth_dovecot: Dovecot,
    provider: OAuthProvider,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    login = signed_in_clinic(seeded, oauth_dovecot, provider)
    window: MainWindow = open_window(qtbot, syncing_session(seeded))
    status, clinic = window.sync_status, seeded.clinic_id
    qtbot.waitUntil(lambda: len(window.profiles) == 2 and window.profiles[1].mail_server != "")
    assert window.session is not None

    provider.revoke_grants_of(login)  # the organization ends the app's permission
    window.session.sync(clinic)
    qtbot.waitUntil(lambda: status.phase(clinic) is SyncPhase.SIGN_IN_NEEDED, timeout=30_000)

    button = status.button_for(clinic)
    assert status.reason(clinic) == (
        "Your Riverside Clinic account (ada@riverside.example) needs you to sign in again: "
        "the organization ended the permission."
    )
    assert button.accessibleName() == "Riverside Clinic: Sign in again…"
    assert "needs you to sign in again:\nthe organization ended the permission." in button.toolTip()
    assert "your other accounts go on" in button.toolTip()
    assert status.phase(seeded.hospital_id) is SyncPhase.NOT_SET_UP  # untouched
    assert seeded.services.secrets.get_oauth_refresh_token(clinic) is None
    oauth_dovecot.deliver(login, [b"Subject: after\r\nMessage-ID: <after@x>\r\n\r\nHi.\r\n"])

    opened: list[str] = []
    monkeypatch.setattr("webbrowser.open", lambda url: follow(url, opened))
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: status.phase(clinic) is SyncPhase.DONE, timeout=30_000)
    assert opened[0].startswith(f"{provider.issuer}/authorize?")
    assert "login_hint=ada%40riverside.example" in opened[0]  # that profile, no other
    assert seeded.services.secrets.get_oauth_refresh_token(clinic) is not None
    page = window.workspace_page
    assert page is not None
    qtbot.waitUntil(
        lambda: any(
            page.inbox_model.row_at(r).subject == "after"
            for r in range(page.inbox_model.rowCount())
        ),
        timeout=10_000,
    )
    window.session.close()
    assert seeded.services.mail_sync.close()


def needing_sign_in(qtbot: QtBot, seeded: Seeded, issuer: str) -> MainWindow:
    """The window with the clinic on ``issuer`` and its status asking for a sign-in."""
    chosen = provider_from(None, issuer, None, CLIENT_ID)
    seeded.services.oauth_sign_in.set_authentication(
        seeded.actor, seeded.clinic_id, "oauth2", chosen
    )
    window: MainWindow = open_window(qtbot, syncing_session(seeded))
    qtbot.waitUntil(lambda: len(window.profiles) == 2)
    assert window.session is not None
    scheduler = window.session.scheduler
    assert scheduler is not None
    # What the scheduler reports when the profile's queue found its grant gone.
    scheduler.sign_in_needed.emit(seeded.clinic_id, "Your Riverside Clinic account needs it.")
    qtbot.waitUntil(lambda: window.sync_status.phase(seeded.clinic_id) is SyncPhase.SIGN_IN_NEEDED)
    return window


def test_waiting_for_the_browser_is_said_and_a_second_click_stops_it(
    qtbot: QtBot, seeded: Seeded, provider: OAuthProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = needing_sign_in(qtbot, seeded, provider.issuer)
    status, clinic = window.sync_status, seeded.clinic_id
    opened: list[str] = []
    monkeypatch.setattr("webbrowser.open", opened.append)  # the person never finishes

    qtbot.mouseClick(status.button_for(clinic), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(opened), timeout=15_000)
    assert status.phase(clinic) is SyncPhase.SIGNING_IN
    assert "signing in in your browser — Cancel" in status.button_for(clinic).accessibleName()
    qtbot.mouseClick(status.button_for(clinic), Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: status.phase(clinic) is SyncPhase.SIGN_IN_NEEDED, timeout=15_000)
    assert status.reason(clinic) == "Your Riverside Clinic account needs it."
    assert window.session is not None
    window.session.close()


def test_a_provider_out_of_reach_is_said_and_the_profile_still_asks(
    qtbot: QtBot, seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = needing_sign_in(qtbot, seeded, "http://127.0.0.1:9")
    status, clinic = window.sync_status, seeded.clinic_id
    monkeypatch.setattr("webbrowser.open", lambda url: True)

    qtbot.mouseClick(status.button_for(clinic), Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: "could not be reached" in status.reason(clinic), timeout=15_000)
    assert status.phase(clinic) is SyncPhase.SIGN_IN_NEEDED
    assert status.reason(clinic).endswith("Your Riverside Clinic account needs it.")
    assert window.session is not None
    window.session.close()
