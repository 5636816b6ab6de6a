"""Blocking calls run on the pool and their outcome comes back on the GUI thread."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QObject, QThread
from pytestqt.qtbot import QtBot

from desktop.gui.session.workers import Workers

pytestmark = pytest.mark.gui


def test_result_arrives_on_gui_thread_and_call_ran_elsewhere(qtbot: QtBot) -> None:
    workers = Workers()
    gui_thread = QThread.currentThread()
    ran_on: list[int] = []
    delivered_on: list[QThread] = []
    results: list[int] = []

    def blocking() -> int:
        ran_on.append(threading.get_ident())
        return 42

    def done(value: int) -> None:
        delivered_on.append(QThread.currentThread())
        results.append(value)

    with qtbot.waitSignal(workers.idle):
        workers.submit(blocking, done)
    assert results == [42]
    assert ran_on != [threading.get_ident()]
    assert delivered_on == [gui_thread]


def test_error_goes_to_error_callback(qtbot: QtBot) -> None:
    workers = Workers()
    errors: list[Exception] = []

    def broken() -> None:
        raise ConnectionRefusedError("server down")

    with qtbot.waitSignal(workers.idle):
        workers.submit(broken, lambda _r: pytest.fail("no result expected"), errors.append)
    assert [str(e) for e in errors] == ["server down"]
    assert isinstance(errors[0], ConnectionRefusedError)


def test_forgotten_task_delivers_nothing(qtbot: QtBot) -> None:
    workers = Workers()
    gate = threading.Event()
    results: list[str] = []
    task = workers.submit(lambda: gate.wait(5) and "late", results.append)
    workers.forget(task)
    gate.set()
    assert workers.wait()
    qtbot.wait(50)
    assert results == []
    assert not workers.busy


def test_outcome_for_destroyed_owner_is_dropped(qtbot: QtBot) -> None:
    owner = QObject()
    workers = Workers(owner)
    gate = threading.Event()
    results: list[str] = []
    workers.submit(lambda: gate.wait(5) and "late", results.append)
    owner.deleteLater()
    qtbot.wait(10)
    gate.set()
    assert Workers().wait()
    qtbot.wait(50)
    assert results == []
