"""The support ID panel and the audit view, reached by keyboard, following the active profile."""

from __future__ import annotations

import socket
from dataclasses import replace

import pytest
from conftest import PASSWORD, Seeded
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from desktop.core.idsentence import default_codec
from desktop.gui.controller import AppController
from desktop.gui.mainwindow.window import MainWindow
from desktop.gui.session.backend import Backend
from desktop.gui.session.profile_editor import ProfileEditor
from desktop.services.mail.imap_sync import SyncError

pytestmark = pytest.mark.gui


@pytest.fixture
def controller(qtbot: QtBot, seeded: Seeded) -> AppController:
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    started = AppController(window, lambda: Backend(seeded.services))
    with qtbot.waitSignal(started.ready):
        started.start()
    assert started.sign_in is not None
    started.sign_in.password.setText(PASSWORD)
    with qtbot.waitSignal(started.session_opened, timeout=10000):
        started.sign_in.submit()
    qtbot.waitUntil(lambda: window.active_profile is not None)
    return started


def support_id(seeded: Seeded, profile_id: int) -> int:
    profiles = seeded.services.accounts.list_profiles(seeded.actor)
    return next(p.support_id for p in profiles if p.id == profile_id)


def test_support_panel_shows_active_sentence_and_copies(
    qtbot: QtBot, controller: AppController, seeded: Seeded
) -> None:
    window = controller.window
    qtbot.keyClick(window, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    dialog = controller.support_dialog
    assert dialog is not None
    expected = default_codec().encode(support_id(seeded, seeded.hospital_id))
    assert dialog.sentence.text() == expected
    assert "St Mary's Hospital" in dialog.heading.text()
    assert not dialog.lookup.isVisible()
    qtbot.mouseClick(dialog.copy_sentence, Qt.MouseButton.LeftButton)
    clipboard = QGuiApplication.clipboard()
    assert clipboard is not None
    assert clipboard.text() == expected

    qtbot.keyClicks(dialog.converter.number, "123456")
    assert dialog.converter.sentence.text() == default_codec().encode(123456)

    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    clinic_sentence = default_codec().encode(support_id(seeded, seeded.clinic_id))
    assert dialog.sentence.text() == clinic_sentence
    assert dialog.lookup.isVisible()


def test_admin_looks_up_a_misheard_sentence(
    qtbot: QtBot, controller: AppController, seeded: Seeded
) -> None:
    window = controller.window
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(
        window,
        Qt.Key.Key_L,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    dialog = controller.support_dialog
    assert dialog is not None
    assert dialog.focusWidget() is dialog.lookup.heard
    heard = default_codec().encode(support_id(seeded, seeded.hospital_id)).upper()
    qtbot.keyClicks(dialog.lookup.heard, heard)
    qtbot.keyClick(dialog.lookup.heard, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: "User: Ada Lovelace (ada)" in dialog.lookup.result.text(), timeout=20000
    )
    assert "Profile: St Mary's Hospital, member" in dialog.lookup.result.text()
    assert dialog.isVisible()  # Enter ran the look-up and left the dialog open

    dialog.lookup.heard.setText("purple monkey dishwasher")
    dialog.lookup.look_up()
    assert dialog.lookup.error.isVisible()
    assert dialog.lookup.error.text()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("\u00b2", "'\u00b2' is not a support ID: type its number in digits only"),
        ("9" * 4400, "is not a support ID: a number of 4,400 digits is far too large"),
        ("x" * 30000, "characters are far too many for a support ID sentence"),
        ("   ", "Type the support ID: its number or its sentence"),
    ],
    ids=["superscript two", "4400 digits", "pasted page", "blank"],
)
def test_any_look_up_input_gets_a_message_and_enter_keeps_the_dialog_open(
    qtbot: QtBot, controller: AppController, typed: str, message: str
) -> None:
    window = controller.window
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(
        window,
        Qt.Key.Key_L,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    dialog = controller.support_dialog
    assert dialog is not None
    clipboard = QGuiApplication.clipboard()
    assert clipboard is not None
    clipboard.setText("untouched")
    dialog.lookup.heard.setText(typed)
    qtbot.keyClick(dialog.lookup.heard, Qt.Key.Key_Return)
    # Enter belonged to the field: no default button of the dialog (Copy, Close) was pressed
    assert dialog.isVisible()
    assert clipboard.text() == "untouched"
    assert dialog.lookup.error.isVisible()
    assert message in dialog.lookup.error.text()


def test_audit_view_only_for_admin_and_lists_switches_and_connections(
    qtbot: QtBot, controller: AppController, seeded: Seeded
) -> None:
    accounts = seeded.services.accounts
    clinic = next(p for p in accounts.list_profiles(seeded.actor) if p.id == seeded.clinic_id)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    draft = replace(clinic.as_draft(), imap_host="127.0.0.1", imap_port=port)
    accounts.update_profile(seeded.actor, seeded.clinic_id, draft)
    with pytest.raises(SyncError):
        ProfileEditor(seeded.services, seeded.actor).check_connection(seeded.clinic_id, "pw")
    window = controller.window
    audit_keys = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(window, Qt.Key.Key_A, audit_keys)
    assert controller.audit_dialog is None

    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    qtbot.wait(200)
    qtbot.keyClick(window, Qt.Key.Key_A, audit_keys)
    dialog = controller.audit_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.model.rowCount() > 0, timeout=10000)
    actions = {dialog.model.index(r, 3).data() for r in range(dialog.model.rowCount())}
    assert {"sign in", "switch profile", "create profile"} <= actions
    assert dialog.connections.rowCount() == 1
    assert dialog.connections.index(0, 2).data() == f"127.0.0.1:{port}"
    assert dialog.connections.index(0, 7).data().startswith("failed")
    dialog.filter.setText("switch")
    assert 0 < dialog.proxy.rowCount() < dialog.model.rowCount()

    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert not dialog.isVisible()


def test_profiles_dialog_from_the_window_updates_the_sidebar(
    qtbot: QtBot, controller: AppController
) -> None:
    window = controller.window
    keys = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(window, Qt.Key.Key_P, keys)
    dialog = controller.profiles_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.list.count() == 2, timeout=10000)
    dialog.start_new()
    dialog.form.organization.setText("North Lab")
    dialog.form.email.setText("ada@northlab.example")
    dialog.save()
    qtbot.waitUntil(lambda: len(window.profiles) == 3, timeout=10000)
    assert window.switcher.count() == 3
    page = window.workspace_page
    assert page is not None
    assert page.sidebar.profiles.rowCount() == 4
