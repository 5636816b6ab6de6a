"""The support ID panel and the audit view, reached by keyboard, following the active profile."""

from __future__ import annotations

import re
import socket
from dataclasses import replace

import pytest
from conftest import PASSWORD, Seeded
from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from desktop.core.idsentence import default_codec
from desktop.gui.controller import AppController
from desktop.gui.mainwindow.window import MainWindow
from desktop.gui.session.backend import Backend
from desktop.gui.session.profile_editor import ProfileEditor
from desktop.gui.support.audit_view import AuditDialog
from desktop.services.accounts import ProfileDraft
from desktop.services.audit import AuditQuery
from desktop.services.authorization import SignedInUser
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


AUDIT_KEYS = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
AN_ID = re.compile(r"(?i:\b(profile|user) \d+\b|#\d|\bnone\b|egress)|\bids?\b")
"""A bare number for a profile or user, Python's None, or jargon ("Support ID" is a name)."""
RAW_CODES = ("sign in", "switch profile", "create profile", "set role", "ok", "denied")


def cells(model: QAbstractItemModel, columns: range | None = None) -> list[list[str]]:
    wanted = columns if columns is not None else range(model.columnCount())
    return [[str(model.index(r, c).data()) for c in wanted] for r in range(model.rowCount())]


def column(model: QAbstractItemModel, number: int) -> list[str]:
    return [str(model.index(r, number).data()) for r in range(model.rowCount())]


def loaded(dialog: AuditDialog) -> bool:
    """Both tabs have their answer: each title carries its count."""
    return all(dialog.tabs.tabText(tab).endswith(")") for tab in range(dialog.tabs.count()))


def refused_connection(seeded: Seeded, profile_id: int) -> int:
    """A connection to a closed port on loopback, recorded for ``profile_id``; returns the port."""
    accounts = seeded.services.accounts
    profile = next(p for p in accounts.list_profiles(seeded.actor) if p.id == profile_id)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    draft = replace(profile.as_draft(), imap_host="127.0.0.1", imap_port=port)
    accounts.update_profile(seeded.actor, profile_id, draft)
    with pytest.raises(SyncError):
        ProfileEditor(seeded.services, seeded.actor).check_connection(profile_id, "pw")
    return port


def add_bob(seeded: Seeded) -> SignedInUser:
    """Another user with a profile and a connection of his own."""
    accounts = seeded.services.accounts
    admin = seeded.actor.with_active_profile(seeded.clinic_id)
    accounts.create_user(admin, "bob", "Bob Stone", PASSWORD)
    bob = accounts.sign_in("bob", PASSWORD)
    harbour = accounts.create_profile(
        bob, ProfileDraft(organization="Harbour Surgery", email="bob@harbour.example")
    )
    bob = accounts.switch_profile(bob, harbour.id)
    refused_connection(replace(seeded, actor=bob), harbour.id)
    return bob


def switches(seeded: Seeded) -> int:
    own = seeded.services.audit.find_events(seeded.actor, AuditQuery(kind="switch"))
    return own.matching


def open_audit(qtbot: QtBot, controller: AppController, seeded: Seeded) -> AuditDialog:
    """As the clinic's admin, once the switch to it is in the log (written on a worker)."""
    window = controller.window
    before = switches(seeded)
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(window.audit_action.isVisible)
    qtbot.waitUntil(lambda: switches(seeded) > before, timeout=10000)
    qtbot.keyClick(window, Qt.Key.Key_A, AUDIT_KEYS)
    dialog = controller.audit_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: loaded(dialog), timeout=10000)
    return dialog


def test_audit_view_only_for_admin_names_people_and_says_what_happened(
    qtbot: QtBot, controller: AppController, seeded: Seeded
) -> None:
    refused_connection(seeded, seeded.clinic_id)
    window = controller.window
    qtbot.keyClick(window, Qt.Key.Key_A, AUDIT_KEYS)
    assert controller.audit_dialog is None  # the hospital profile is a member

    dialog = open_audit(qtbot, controller, seeded)
    assert dialog.windowTitle() == "Audit log"
    assert set(column(dialog.model, 1)) == {"Ada Lovelace"}
    assert {"Signed in", "Switched to profile", "Created a profile"} <= set(column(dialog.model, 3))
    switched = [row for row in cells(dialog.model) if row[3] == "Switched to profile"]
    assert ["Riverside Clinic", "Riverside Clinic"] in [r[2::2] for r in switched]
    for row in cells(dialog.model, range(1, 6)):
        assert not AN_ID.search(" | ".join(row)), row
    [connection] = cells(dialog.connections)
    assert connection[1:5] == [
        "Ada Lovelace",
        "Riverside Clinic",
        "Could not connect to 127.0.0.1: the server refused the connection",
        "Not encrypted",
    ]

    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert not dialog.isVisible()


def test_audit_counts_follow_the_filter_and_are_counted_by_the_service(
    qtbot: QtBot, controller: AppController, seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_bob(seeded)
    dialog = open_audit(qtbot, controller, seeded)
    audit, admin = seeded.services.audit, seeded.actor.with_active_profile(seeded.clinic_id)
    everything = audit.find_events(admin, everyone=True).matching
    assert dialog.status.text() == f"There are {everything} events, newest first."
    assert dialog.tabs.tabText(0) == f"&Activity ({everything})"
    assert dialog.tabs.tabText(1) == "&Connections to servers (1)"

    qtbot.keyClicks(dialog.filters.search, "bob")
    bobs = audit.find_events(admin, AuditQuery(text="bob"), everyone=True).matching
    assert 0 < bobs < everything
    qtbot.waitUntil(
        lambda: dialog.status.text() == f"The filter matches {bobs} events, newest first.",
        timeout=10000,
    )
    assert dialog.model.rowCount() == bobs
    qtbot.waitUntil(lambda: loaded(dialog), timeout=10000)
    assert dialog.tabs.tabText(1) == "&Connections to servers (1)"  # Bob's refused one
    assert all("Bob Stone" in " ".join(row) for row in cells(dialog.model))

    kinds = dialog.filters.event_kind
    kinds.setCurrentIndex(kinds.findText("Sign-ins and sign-outs"))
    signins = audit.find_events(
        admin, AuditQuery(text="bob", kind="sign-in"), everyone=True
    ).matching
    qtbot.waitUntil(lambda: dialog.tabs.tabText(0) == f"&Activity ({signins})", timeout=10000)
    assert set(column(dialog.model, 3)) == {"Signed in"}

    dialog.filters.search.setText("nothing like this")
    qtbot.waitUntil(lambda: dialog.status.text() == "No events match the filter.", timeout=10000)
    assert dialog.model.rowCount() == 0

    # The count is the store's, not the number of rows loaded.
    assert controller.session is not None
    workspace = controller.session.workspace
    monkeypatch.setattr(
        workspace,
        "audit_events",
        lambda query, everyone: audit.find_events(
            workspace.actor, query, everyone=everyone, limit=2
        ),
    )
    kinds.setCurrentIndex(0)
    dialog.filters.search.clear()
    qtbot.waitUntil(
        lambda: dialog.status.text() == f"The newest 2 of {everything} events are shown.",
        timeout=10000,
    )
    assert dialog.model.rowCount() == 2
    assert dialog.tabs.tabText(0) == f"&Activity ({everything})"


def test_a_member_reads_its_own_activity_and_not_another_users(
    qtbot: QtBot, controller: AppController, seeded: Seeded
) -> None:
    add_bob(seeded)
    refused_connection(seeded, seeded.hospital_id)
    window = controller.window
    assert window.active_profile is not None
    assert not window.active_profile.is_admin
    assert window.activity_action.isVisible()
    assert window.activity_action.isEnabled()
    assert not window.audit_action.isVisible()
    window.activity_action.trigger()
    dialog = controller.activity_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: loaded(dialog), timeout=10000)
    assert dialog.windowTitle() == "My activity"
    assert "Nobody else's activity" in dialog.heading.text()
    assert dialog.activity_table.isColumnHidden(1)
    mine = seeded.services.audit.find_events(seeded.actor).matching
    assert dialog.tabs.tabText(0) == f"&Activity ({mine})"
    assert set(column(dialog.model, 1)) == {"Ada Lovelace"}
    shown = " ".join(" ".join(row) for row in cells(dialog.model) + cells(dialog.connections))
    assert "Harbour" not in shown  # Bob's profile, his sign-ins, his connection
    assert [row[4] for row in cells(dialog.model) if "Bob" in " ".join(row)] == ["Bob Stone"]
    assert cells(dialog.connections)[0][2:4] == [
        "St Mary's Hospital",
        "Could not connect to 127.0.0.1: the server refused the connection",
    ]
    assert dialog.connections.rowCount() == 1

    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(window.audit_action.isVisible)
    assert dialog.isVisible()  # one's own activity stays readable with any profile
    window.audit_action.trigger()
    audit = controller.audit_dialog
    assert audit is not None
    # The events and the connections load apart: wait for both.
    qtbot.waitUntil(
        lambda: audit.connections.rowCount() == 2 and "Bob Stone" in column(audit.model, 1),
        timeout=10000,
    )

    window.lock_action.trigger()
    assert controller.activity_dialog is None
    assert not dialog.isVisible()


def test_f1_lists_the_shortcuts_of_the_active_role_only(
    qtbot: QtBot, controller: AppController
) -> None:
    window = controller.window
    qtbot.keyClick(window, Qt.Key.Key_F1)
    dialog = window.shortcuts_dialog
    assert dialog is not None
    member = dict(dialog.rows())
    assert "Ctrl+Shift+A" not in member
    assert "Ctrl+Shift+L" not in member
    assert member["Ctrl+I"] == "Support ID…"
    assert all(does for does in member.values())

    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "Ctrl+Shift+A" in dict(dialog.rows()))  # follows the switch
    admin = dict(dialog.rows())
    assert admin["Ctrl+Shift+A"] == "Audit log…"
    assert admin["Ctrl+Shift+L"] == "Look up support ID…"
    assert set(admin) - set(member) == {"Ctrl+Shift+A", "Ctrl+Shift+L"}


def test_every_message_of_the_audit_screens_is_a_sentence_in_plain_words(
    qtbot: QtBot, controller: AppController, seeded: Seeded
) -> None:
    bob = add_bob(seeded)
    assert bob.active_profile_id is not None
    seeded.services.accounts.delete_profile(  # so that the log names a deleted profile
        seeded.actor.with_active_profile(seeded.clinic_id), bob.active_profile_id
    )
    dialog = open_audit(qtbot, controller, seeded)
    texts = [dialog.windowTitle(), dialog.heading.text(), dialog.status.text()]
    texts += [dialog.tabs.tabText(t).replace("&", "") for t in range(dialog.tabs.count())]
    texts.append(dialog.filters.search.placeholderText())
    for combo in (dialog.filters.event_kind, dialog.filters.connection_kind, dialog.filters.period):
        texts += [combo.itemText(i) for i in range(combo.count())]
    for model in (dialog.model, dialog.connections):
        texts += [
            str(model.headerData(c, Qt.Orientation.Horizontal)) for c in range(model.columnCount())
        ]
    texts += [cell for row in cells(dialog.model, range(1, 6)) for cell in row if cell]
    texts += [cell for row in cells(dialog.connections, range(1, 5)) for cell in row if cell]
    assert "Deleted profile" in texts
    for text in texts:
        assert text[:1].isupper(), text
        assert not AN_ID.search(text), text
        assert text not in RAW_CODES, text
    dialog.filters.search.setText("zzz")
    qtbot.waitUntil(lambda: dialog.status.text() == "No events match the filter.", timeout=10000)
    dialog.tabs.setCurrentIndex(1)
    # The connections' answer to the same filter may still be on its way.
    qtbot.waitUntil(
        lambda: dialog.status.text() == "No connections match the filter.", timeout=10000
    )
    assert dialog.filters.connection_kind.isVisible()
    assert not dialog.filters.event_kind.isVisible()


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


@pytest.mark.parametrize("size", [(800, 600), (1280, 800)], ids=["800x600", "1280x800"])
def test_the_audit_view_fits_its_window_without_sideways_scrolling(
    qtbot: QtBot, controller: AppController, seeded: Seeded, size: tuple[int, int]
) -> None:
    refused_connection(seeded, seeded.clinic_id)
    dialog = open_audit(qtbot, controller, seeded)
    dialog.resize(*size)
    qtbot.waitUntil(lambda: dialog.width() <= size[0])
    for tab, table in enumerate((dialog.activity_table, dialog.connections_table)):
        dialog.tabs.setCurrentIndex(tab)
        qtbot.waitUntil(table.isVisible)
        assert table.horizontalHeader().length() <= table.viewport().width()
        assert table.height() > 6 * table.verticalHeader().defaultSectionSize()
    filters = dialog.filters
    for field in (filters.search, filters.connection_kind, filters.period):
        assert field.isVisible()
        assert field.mapTo(dialog, field.rect().topRight()).x() <= dialog.width()
    assert filters.search.width() >= 200
    assert dialog.status.geometry().bottom() <= dialog.height()
