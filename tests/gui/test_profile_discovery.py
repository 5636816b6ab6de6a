"""The address-first step of a new profile, against the loopback DNS and autoconfig servers:
found settings shown with source and trust, edited, confirmed into the form; cancel; by hand."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from accessibility import nameless_controls
from conftest import Seeded
from discovery_lab import DiscoveryLab, running_lab
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.gui.profiles.dialog import ProfilesDialog
from desktop.gui.profiles.discovery_panel import DiscoveryPanel
from desktop.gui.profiles.discovery_result import WEAK_STYLE
from desktop.gui.session.profile_editor import ProfileEditor
from desktop.services.discovery_net import NAMESERVER_ENV, PORTS_ENV

pytestmark = pytest.mark.gui


@pytest.fixture(scope="module")
def lab() -> Iterator[DiscoveryLab]:
    with running_lab() as running:
        yield running


@pytest.fixture(autouse=True)
def pointed_at_the_lab(monkeypatch: pytest.MonkeyPatch, lab: DiscoveryLab) -> None:
    """The dialog's own finder asks the lab, as it would ask the machine's resolver."""
    monkeypatch.setenv(NAMESERVER_ENV, f"127.0.0.1:{lab.dns.port}")
    monkeypatch.setenv(PORTS_ENV, f"{lab.web.https_port},{lab.web.http_port}")
    monkeypatch.setenv("SSL_CERT_FILE", str(lab.web.ca_file))


def opened(qtbot: QtBot, seeded: Seeded) -> ProfilesDialog:
    dialog = ProfilesDialog(ProfileEditor(seeded.services, seeded.actor))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.list.count() == 2)
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert dialog.pages.currentWidget() is dialog.discovery
    return dialog


def search(qtbot: QtBot, panel: DiscoveryPanel, email: str) -> None:
    qtbot.keyClicks(panel.email, email)
    qtbot.mouseClick(panel.find_button, Qt.MouseButton.LeftButton)
    assert panel.cancel_button.isEnabled()
    qtbot.waitUntil(lambda: not panel.searching, timeout=15000)


def test_found_settings_show_their_source_and_fill_the_form_only_when_confirmed(
    qtbot: QtBot, seeded: Seeded, lab: DiscoveryLab
) -> None:
    dialog = opened(qtbot, seeded)
    panel = dialog.discovery
    assert nameless_controls(dialog) == []
    assert panel.email.hasFocus()
    assert not panel.find_button.isEnabled()
    search(qtbot, panel, "nora@https.test")
    found = panel.found
    assert found.isVisible()
    assert panel.status.text() == "Found the servers of Test mail of https.test (verified HTTPS)."
    assert found.source.text().startswith("https://autoconfig.https.test/mail/config-v1.1.xml")
    assert "verified HTTPS connection" in found.trust.text()
    assert found.trust.styleSheet() == ""
    assert (found.imap_host.text(), found.imap_port.text()) == ("imap.https.test", "993")
    assert found.imap_security.currentData() == "ssl"
    assert found.imap_user.text() == "nora"
    assert panel.asked.count() == 1
    assert nameless_controls(dialog) == []
    assert dialog.form.imap_host.text() == ""  # nothing filled before the person confirms

    found.imap_port.setText("10993")  # the person edits before confirming
    qtbot.mouseClick(panel.use_button, Qt.MouseButton.LeftButton)
    assert dialog.pages.currentIndex() == 0
    form = dialog.form
    assert (form.email.text(), form.imap_host.text(), form.imap_port.text()) == (
        "nora@https.test",
        "imap.https.test",
        "10993",
    )
    assert form.imap_user.text() == "nora"
    assert dialog.sending.host.text() == "smtp.https.test"
    assert dialog.sending.security.currentData() == "ssl"
    assert dialog.status.text().startswith("Filled in from https://autoconfig.https.test/")
    assert form.organization.hasFocus()
    assert form.password.text() == ""
    assert [r for r in lab.web.requests if "password" in r[2].lower()] == []


def test_an_http_answer_is_shown_as_less_trustworthy(
    qtbot: QtBot, seeded: Seeded, lab: DiscoveryLab
) -> None:
    dialog = opened(qtbot, seeded)
    panel = dialog.discovery
    search(qtbot, panel, "nora@plain.test")
    assert "less trustworthy" in panel.found.trust.text()
    assert panel.found.trust.styleSheet() == WEAK_STYLE
    assert panel.found.trust.accessibleDescription() == "Less trustworthy: check these servers"
    assert panel.found.source.text().startswith("http://")


def test_a_microsoft_365_account_is_flagged_for_oauth2(
    qtbot: QtBot, seeded: Seeded, lab: DiscoveryLab
) -> None:
    dialog = opened(qtbot, seeded)
    panel = dialog.discovery
    search(qtbot, panel, "nora@ms.test")
    assert panel.found.oauth.isVisible()
    assert panel.found.oauth.text() == (
        "Microsoft 365 refuses passwords: this account signs in with OAuth2 in your browser."
    )
    qtbot.mouseClick(panel.use_button, Qt.MouseButton.LeftButton)
    assert dialog.form.imap_host.text() == "outlook.office365.com"
    assert dialog.sending.saves_sent.isChecked()
    assert "after saving, the Sign-in tab offers it" in dialog.status.text()

    qtbot.keyClicks(dialog.form.organization, "Northwind Health")
    dialog.save()
    sign_in = dialog.sign_in
    qtbot.waitUntil(lambda: sign_in.isEnabled() and sign_in.method.currentData() == "microsoft")
    assert sign_in.sign_in_button.text() == "Sign in with Microsoft"
    assert "want their own sign-in instead of a password" in sign_in.status.text()

    dialog.list.setCurrentRow(0)  # another profile: its own sign-in, no suggestion
    qtbot.waitUntil(lambda: sign_in.method.currentData() == "password")


def test_nothing_found_offers_the_form_by_hand_with_the_address_kept(
    qtbot: QtBot, seeded: Seeded, lab: DiscoveryLab
) -> None:
    dialog = opened(qtbot, seeded)
    panel = dialog.discovery
    search(qtbot, panel, "nora@none.test")
    assert panel.status.text().startswith("No server settings were found for none.test")
    assert not panel.found.isVisible()
    assert not panel.use_button.isEnabled()
    assert panel.asked.count() == 6
    assert panel.hand_button.hasFocus()
    qtbot.mouseClick(panel.hand_button, Qt.MouseButton.LeftButton)
    assert dialog.pages.currentIndex() == 0
    assert dialog.form.email.text() == "nora@none.test"


def test_cancel_stops_waiting_for_a_slow_server_at_once(
    qtbot: QtBot, seeded: Seeded, lab: DiscoveryLab
) -> None:
    dialog = opened(qtbot, seeded)
    panel = dialog.discovery
    before = len(lab.web.requests)
    qtbot.keyClicks(panel.email, "nora@slow.test")
    qtbot.mouseClick(panel.find_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(lab.web.requests) > before, timeout=10000)  # it is waiting now
    qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    assert not panel.searching
    assert panel.status.text() == "Search cancelled. Try again, or set up by hand."
    assert panel.find_button.isEnabled()
    assert not panel.cancel_button.isEnabled()
    assert not panel.found.isVisible()


def test_leaving_the_step_ends_a_search_in_progress(qtbot: QtBot, seeded: Seeded) -> None:
    dialog = opened(qtbot, seeded)
    panel = dialog.discovery
    qtbot.keyClicks(panel.email, "nora@slow.test")
    qtbot.mouseClick(panel.find_button, Qt.MouseButton.LeftButton)
    stop = panel._stop
    assert panel.searching
    qtbot.mouseClick(panel.hand_button, Qt.MouseButton.LeftButton)
    assert dialog.pages.currentIndex() == 0
    assert not panel.searching
    assert stop.is_set()  # the worker stops before its next question
    assert dialog.form.email.text() == "nora@slow.test"


def test_a_bad_address_is_a_message_not_a_crash(
    qtbot: QtBot, seeded: Seeded, lab: DiscoveryLab
) -> None:
    dialog = opened(qtbot, seeded)
    panel = dialog.discovery
    search(qtbot, panel, "nora at nowhere")
    assert panel.error.isVisible()
    assert panel.error.text() == (
        "'nora at nowhere' is not an email address, so no servers can be looked up."
    )
    assert panel.find_button.isEnabled()
