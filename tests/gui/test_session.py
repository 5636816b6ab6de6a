"""The session layer: one copy of the profiles and of the active profile, signals, errors."""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest
from gui_memory_workspace import CLINIC, HOSPITAL, LAB, MemoryWorkspace
from PySide6.QtCore import QCoreApplication, QObject, QThreadPool
from pytestqt.qtbot import QtBot

from desktop.core.roles import Action
from desktop.gui.mainwindow.window import MainWindow
from desktop.gui.session.folders import FolderTree
from desktop.gui.session.records import Failure, NotFoundError
from desktop.gui.session.session import Session
from desktop.gui.session.viewdata import ProfileCard
from desktop.gui.session.workspace import ProfileFolders

pytestmark = pytest.mark.gui


def loaded(qtbot: QtBot, workspace: MemoryWorkspace, prefer: int | None = None) -> Session:
    session = Session(workspace)
    session.prefer(prefer)
    with qtbot.waitSignal(session.active_changed, timeout=5000):
        session.refresh_profiles()
    return session


def test_the_list_arrives_once_and_the_preferred_profile_becomes_active(qtbot: QtBot) -> None:
    workspace = MemoryWorkspace()
    session = Session(workspace)
    lists: list[tuple[ProfileCard, ...]] = []
    actives: list[ProfileCard | None] = []
    session.profiles_changed.connect(lists.append)
    session.active_changed.connect(actives.append)
    session.prefer(LAB.id)
    session.refresh_profiles()
    qtbot.waitUntil(lambda: LAB.id in workspace.activated)
    assert [[p.id for p in one] for one in lists] == [[HOSPITAL.id, CLINIC.id, LAB.id]]
    assert [p.id if p else None for p in actives] == [LAB.id]
    assert session.active is not None
    assert session.active.id == LAB.id
    # Unread counts come with the list, as the workspace counted them.
    assert sum(p.unread for p in session.profiles) == 150


def test_an_unknown_preference_falls_back_to_the_first_profile(qtbot: QtBot) -> None:
    session = loaded(qtbot, MemoryWorkspace(), prefer=999)
    assert session.active is not None
    assert session.active.id == HOSPITAL.id


def test_switching_acts_at_once_and_is_recorded_on_a_worker(qtbot: QtBot) -> None:
    workspace = MemoryWorkspace()
    session = loaded(qtbot, workspace)
    with qtbot.waitSignal(session.active_changed) as changed:
        session.activate(CLINIC.id)
    assert changed.args[0].id == CLINIC.id
    assert workspace.using == CLINIC.id  # before the worker ran: calls from now act as the clinic
    # Both switches are recorded, the first list's choice and then this one, in that order.
    qtbot.waitUntil(lambda: workspace.activated == [HOSPITAL.id, CLINIC.id])
    assert "activate_profile" not in workspace.calls_on_gui_thread
    assert session.allows(Action.READ_AUDIT_LOG)
    assert not session.allows(Action.READ_AUDIT_LOG, session.profile(HOSPITAL.id))
    with qtbot.assertNotEmitted(session.active_changed, wait=50):
        session.activate(CLINIC.id)
        session.activate(12345)


class HeldWorkspace(MemoryWorkspace):
    """The hospital's switch is recorded only once the test lets it go."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    def activate_profile(self, profile_id: int) -> None:
        if profile_id == HOSPITAL.id:
            self.release.wait(10)
        super().activate_profile(profile_id)


def test_switches_are_recorded_in_the_order_they_were_made(qtbot: QtBot) -> None:
    """Seen in CI as a switch "never recorded": two switches ran side by side on Qt's shared
    pool and the earlier one landed last, so the audit ended on the profile the person had left."""
    workspace = HeldWorkspace()
    session = loaded(qtbot, workspace)  # the switch to the hospital is being recorded, held
    session.activate(CLINIC.id)
    session.activate(LAB.id)
    # Let the hospital's record go only after the shared pool has run what was queued on it
    # before: a later switch recorded there would be in first.
    QThreadPool.globalInstance().start(workspace.release.set)
    qtbot.waitUntil(lambda: len(workspace.activated) == 3)
    assert workspace.activated == [HOSPITAL.id, CLINIC.id, LAB.id]
    assert session.active is not None
    assert session.active.id == LAB.id


def test_one_count_moves_without_recounting(qtbot: QtBot) -> None:
    workspace = MemoryWorkspace()
    session = loaded(qtbot, workspace)
    before = {p.id: p.unread for p in session.profiles}
    workspace.calls_on_gui_thread.clear()
    with qtbot.waitSignal(session.profiles_changed) as changed:
        session.adjust_unread(CLINIC.id, -1)
    after = {p.id: p.unread for p in changed.args[0]}
    assert after == {**before, CLINIC.id: before[CLINIC.id] - 1}
    assert workspace.calls_on_gui_thread == []


def test_a_profile_removed_elsewhere_hands_the_active_role_to_the_first(qtbot: QtBot) -> None:
    workspace = MemoryWorkspace()
    session = loaded(qtbot, workspace, prefer=LAB.id)
    workspace._profiles = [HOSPITAL, CLINIC]
    workspace.rows = [r for r in workspace.rows if r.profile_id != LAB.id]
    with qtbot.waitSignal(session.active_changed) as changed:
        session.refresh_profiles()
    assert changed.args[0].id == HOSPITAL.id


def test_mail_arrived_reloads_lists_and_counts(qtbot: QtBot) -> None:
    session = loaded(qtbot, MemoryWorkspace())
    with qtbot.waitSignals([session.mail_changed, session.profiles_changed]):
        session.mail_arrived()


def test_a_failure_becomes_a_sentence_on_the_error_channel(qtbot: QtBot) -> None:
    session = loaded(qtbot, MemoryWorkspace())
    owner = QObject()

    def fails() -> None:
        raise NotFoundError("there is no message 7")

    with qtbot.waitSignal(session.failed) as failed:
        session.run(owner, fails, lambda _r: None, "Could not open the message: {reason}")
    text = failed.args[0]
    assert text.startswith("Could not open the message: ")
    assert "{reason}" not in text
    assert "Traceback" not in text

    handled: list[Failure] = []
    with qtbot.assertNotEmitted(session.failed, wait=50):
        session.run(owner, fails, lambda _r: None, handled.append)
        qtbot.waitUntil(lambda: len(handled) == 1)
    assert handled[0].summary


def test_a_result_for_a_closed_widget_is_dropped(qtbot: QtBot) -> None:
    session = loaded(qtbot, MemoryWorkspace())
    owner = QObject()
    gate = threading.Event()
    got: list[int] = []
    session.run(owner, lambda: 1 if gate.wait(5) else 0, got.append, "{reason}")
    destroyed: list[bool] = []
    owner.destroyed.connect(lambda: destroyed.append(True))
    owner.deleteLater()
    qtbot.waitUntil(lambda: destroyed == [True])
    gate.set()
    QThreadPool.globalInstance().waitForDone(5000)
    QCoreApplication.processEvents()
    assert got == []


def test_sync_of_a_profile_without_a_server_says_not_set_up(qtbot: QtBot) -> None:
    session = loaded(qtbot, MemoryWorkspace())
    with qtbot.waitSignal(session.sync_not_set_up) as asked:
        session.sync(HOSPITAL.id)
    assert asked.args == [HOSPITAL.id]


def test_the_window_keeps_no_copy_of_the_profiles(qtbot: QtBot) -> None:
    workspace = MemoryWorkspace()
    window = MainWindow()
    qtbot.addWidget(window)
    session = Session(workspace)
    window.open_session(session)
    qtbot.waitUntil(lambda: window.active_profile is not None)
    renamed = replace(CLINIC, organization="Riverside Health")
    workspace._profiles = [HOSPITAL, renamed, LAB]
    with qtbot.waitSignal(session.profiles_changed):
        session.refresh_profiles()
    assert [p.organization for p in window.profiles][1] == "Riverside Health"
    assert window.switcher.itemText(1).startswith("Riverside Health")
    page = window.workspace_page
    assert page is not None
    assert page.sidebar.profiles.profile_at(2) == session.profile(CLINIC.id)
    window.close()


class SlowFirstTree(MemoryWorkspace):
    """The first folder list is read before a folder exists and answers only when let go."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()
        self.read_first = threading.Event()
        self._reads = 0

    def folder_tree(self) -> list[ProfileFolders]:
        self._reads += 1
        if self._reads == 1:
            stale = super().folder_tree()
            self.read_first.set()
            self.release.wait(10)
            return stale
        return super().folder_tree()


def test_a_folder_list_read_before_a_sync_never_hides_one_read_after_it(qtbot: QtBot) -> None:
    workspace = SlowFirstTree()
    workspace.folder_names[CLINIC.id] = ("INBOX",)
    folders = Session(workspace).folders
    folders.refresh()  # read before the sync: no Referrals yet, held on the pool
    assert workspace.read_first.wait(10)
    workspace.folder_names[CLINIC.id] = ("INBOX", "Referrals")  # the sync stored the folder
    folders.refresh()
    qtbot.waitUntil(lambda: folders.tree is not None and "Referrals" in _names(folders.tree))
    workspace.release.set()
    QThreadPool.globalInstance().waitForDone(10_000)
    QCoreApplication.processEvents()
    assert folders.tree is not None
    assert _names(folders.tree) == {"INBOX", "Referrals"}


def _names(tree: FolderTree) -> set[str]:
    return {card.view.folder or "" for profile in tree.profiles for card in profile.folders}
