"""The profiles dialog against the real accounts service: create, edit, delete, bad input."""

from __future__ import annotations

import socket
from dataclasses import replace

import pytest
from conftest import Seeded
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QMessageBox
from pytestqt.qtbot import QtBot

from desktop.core.profile_colours import PALETTE, contrast_ratio
from desktop.gui.profiles.chip import readable_text_colour
from desktop.gui.profiles.dialog import ProfilesDialog
from desktop.gui.session.profile_editor import ProfileEditor

pytestmark = pytest.mark.gui


@pytest.fixture
def dialog(qtbot: QtBot, seeded: Seeded) -> ProfilesDialog:
    opened = ProfilesDialog(ProfileEditor(seeded.services, seeded.actor))
    qtbot.addWidget(opened)
    opened.show()
    qtbot.waitUntil(lambda: opened.list.count() == 2)
    return opened


def organizations(seeded: Seeded) -> list[str]:
    return [p.organization for p in seeded.services.accounts.list_profiles(seeded.actor)]


def test_create_with_bad_input_then_good(
    qtbot: QtBot, dialog: ProfilesDialog, seeded: Seeded
) -> None:
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert dialog.pages.currentWidget() is dialog.discovery
    qtbot.mouseClick(dialog.discovery.hand_button, Qt.MouseButton.LeftButton)
    form = dialog.form
    assert form.organization.hasFocus()
    assert not dialog.save_button.isEnabled()
    assert form.error.text() == ""

    qtbot.keyClicks(form.organization, "North Lab")
    qtbot.keyClicks(form.email, "ada at northlab")
    assert "'ada at northlab' is not an email address" in form.error.text()
    assert form.email.property("invalid") is True
    assert not dialog.save_button.isEnabled()

    form.email.setText("ada@northlab.example")
    qtbot.keyClicks(form.imap_port, "99999")
    assert "between 1 and 65535" in form.error.text()
    assert form.imap_port.property("invalid") is True
    form.imap_port.setText("99x")
    assert "must be a number" in form.error.text()
    form.imap_port.setText("993")
    form.imap_host.setText("imap.northlab.example")
    qtbot.keyClicks(form.password, "server secret")
    assert form.error.text() == ""
    assert dialog.save_button.isEnabled()

    with qtbot.waitSignal(dialog.profiles_changed, timeout=10000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.list.count() == 3)
    assert "North Lab" in organizations(seeded)
    created = next(p for p in dialog.profiles if p.organization == "North Lab")
    assert seeded.services.secrets.get_password(created.id) == "server secret"
    assert dialog.status.text() == "Saved North Lab."


def test_edit_with_bad_phone_and_taken_email(
    qtbot: QtBot, dialog: ProfilesDialog, seeded: Seeded
) -> None:
    dialog.list.setCurrentRow(0)
    form = dialog.form
    assert form.organization.text() == "St Mary's Hospital"
    form.phone.setText("call me maybe")
    assert "phone number may hold only digits" in form.error.text()
    assert form.phone.property("invalid") is True
    form.phone.setText("+44 20 7946 0000")
    form.email.setText("ada@riverside.example")
    assert dialog.save_button.isEnabled()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "already used" in form.error.text(), timeout=10000)
    assert form.email.property("invalid") is True
    assert form.email.text() == "ada@riverside.example"

    form.email.setText("ada@stmarys.example")
    with qtbot.waitSignal(dialog.profiles_changed, timeout=10000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    hospital = next(
        p
        for p in seeded.services.accounts.list_profiles(seeded.actor)
        if p.id == seeded.hospital_id
    )
    assert hospital.phone == "+44 20 7946 0000"


def test_delete_says_what_goes_and_asks_first(
    qtbot: QtBot, dialog: ProfilesDialog, seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []
    answers = [QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Yes]

    def warning(_parent: object, _title: str, text: str, *_args: object) -> object:
        asked.append(text)
        return answers.pop(0)

    monkeypatch.setattr(QMessageBox, "warning", warning)
    dialog.list.setCurrentRow(0)
    qtbot.mouseClick(dialog.delete_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(asked) == 1)
    assert "St Mary's Hospital (ada@stmarys.example)" in asked[0]
    assert "its 3 message(s)" in asked[0]
    assert "password in the keyring" in asked[0]
    assert organizations(seeded) == ["St Mary's Hospital", "Riverside Clinic"]

    qtbot.mouseClick(dialog.delete_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.list.count() == 1, timeout=10000)
    assert organizations(seeded) == ["Riverside Clinic"]


def test_the_last_admin_profile_is_not_deleted_and_the_form_shows_roles_read_only(
    qtbot: QtBot, dialog: ProfilesDialog, seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(QMessageBox, "warning", lambda *_args: QMessageBox.StandardButton.Yes)
    dialog.list.setCurrentRow(1)
    assert isinstance(dialog.form.role, QLabel)
    assert dialog.form.role.text() == "Administrator"
    assert "Only an administrator profile changes roles" in dialog.form.role.toolTip()
    qtbot.mouseClick(dialog.delete_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "last admin profile" in dialog.status.text(), timeout=10000)
    assert organizations(seeded) == ["St Mary's Hospital", "Riverside Clinic"]
    dialog.start_new()
    assert dialog.form.role.text() == "Member (an administrator can change this)"


def test_connection_failure_is_shown(qtbot: QtBot, dialog: ProfilesDialog) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    dialog.list.setCurrentRow(0)
    dialog.form.imap_host.setText("127.0.0.1")
    dialog.form.imap_port.setText(str(closed_port))
    dialog.form.password.setText("pw")
    with qtbot.waitSignal(dialog.profiles_changed, timeout=10000):
        dialog.save()
    qtbot.waitUntil(dialog.test_button.isEnabled)
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Connection failed" in dialog.status.text(), timeout=20000)
    assert f"127.0.0.1:{closed_port}" in dialog.status.text()


def test_editing_keeps_server_settings_it_does_not_show_changed(
    qtbot: QtBot, seeded: Seeded
) -> None:
    accounts = seeded.services.accounts
    hospital = next(p for p in accounts.list_profiles(seeded.actor) if p.id == seeded.hospital_id)
    draft = replace(hospital.as_draft(), imap_host="imap.stmarys.example", ca_file="/etc/ca.pem")
    accounts.update_profile(seeded.actor, seeded.hospital_id, draft)
    dialog = ProfilesDialog(ProfileEditor(seeded.services, seeded.actor))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.list.count() == 2)
    dialog.list.setCurrentRow(0)
    assert dialog.form.ca_file.text() == "/etc/ca.pem"
    dialog.form.title.setText("Charge Nurse")
    with qtbot.waitSignal(dialog.profiles_changed, timeout=10000):
        dialog.save()
    saved = next(p for p in accounts.list_profiles(seeded.actor) if p.id == seeded.hospital_id)
    assert (saved.title, saved.ca_file, saved.imap_host) == (
        "Charge Nurse",
        "/etc/ca.pem",
        "imap.stmarys.example",
    )


def test_a_new_profile_is_offered_the_first_colour_not_yet_used(
    qtbot: QtBot, dialog: ProfilesDialog
) -> None:
    used = {p.colour for p in dialog.profiles}
    assert used == set(PALETTE[:2])
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert dialog.form.colour.text() == PALETTE[2]


@pytest.mark.parametrize("colour", PALETTE)
def test_chip_text_is_readable_on_every_palette_colour(colour: str) -> None:
    text = readable_text_colour(QColor(colour)).name()
    assert contrast_ratio(colour, text) >= 4.5


def test_select_profile_waits_for_the_list(qtbot: QtBot, seeded: Seeded) -> None:
    opened = ProfilesDialog(ProfileEditor(seeded.services, seeded.actor))
    qtbot.addWidget(opened)
    opened.select_profile(seeded.clinic_id)  # before the list has loaded
    opened.show()
    qtbot.waitUntil(lambda: opened.form.email.text() == "ada@riverside.example")
    assert opened.focusWidget() is opened.form.imap_host  # no server yet: start there


def test_the_sending_tab_sets_the_smtp_server_and_the_signature_of_that_profile(
    qtbot: QtBot, dialog: ProfilesDialog, seeded: Seeded
) -> None:
    services = seeded.services
    dialog.select_profile(seeded.clinic_id)
    sending = dialog.sending
    qtbot.waitUntil(lambda: "wait in the outbox" in sending.note.text())
    dialog.tabs.setCurrentWidget(sending)
    sending.host.setText("smtp.riverside.example")
    sending.port.setText("5x87")
    dialog.save_button.click()
    assert "The sending port must be a number, not '5x87'." in dialog.form.error.text()
    sending.port.setText("")
    sending.security.setCurrentIndex(sending.security.findData("ssl"))
    sending.signature.setPlainText("Ada Lovelace\nHead of IT, Riverside Clinic")
    dialog.save_button.click()
    qtbot.waitUntil(lambda: dialog.status.text().startswith("Saved"))

    editor = ProfileEditor(services, seeded.actor)
    saved = editor.sending(seeded.clinic_id)
    assert (saved.host, saved.port, saved.security) == ("smtp.riverside.example", 465, "ssl")
    assert saved.signature == "Ada Lovelace\nHead of IT, Riverside Clinic"
    assert editor.sending(seeded.hospital_id).host == ""
    clinic = services.accounts.switch_profile(seeded.actor, seeded.clinic_id)
    draft = services.composer.new_message(clinic, seeded.clinic_id)
    assert draft.body.endswith("-- \nAda Lovelace\nHead of IT, Riverside Clinic\n")

    dialog.select_profile(seeded.hospital_id)
    qtbot.waitUntil(lambda: sending.host.text() == "")
    dialog.select_profile(seeded.clinic_id)
    qtbot.waitUntil(lambda: sending.host.text() == "smtp.riverside.example")
