"""Cycles are collected on the GUI thread only, never on a worker that happens to allocate."""

from __future__ import annotations

import gc
import threading

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication

from desktop.gui.application import create_application
from desktop.gui.garbage import GuiThreadCollector

FREED_ON: list[str] = []


class _Cycle(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.me = self  # a cycle: only the collector frees it

    def __del__(self) -> None:
        FREED_ON.append(threading.current_thread().name)


def test_a_worker_allocating_past_the_threshold_frees_no_cycle(
    collector_on_the_gui_thread: GuiThreadCollector,
) -> None:
    FREED_ON.clear()
    _Cycle()
    kept: list[list[object]] = []
    worker = threading.Thread(target=lambda: kept.extend([] for _ in range(50_000)), name="worker")
    worker.start()
    worker.join()
    assert FREED_ON == []  # with automatic collection the worker would have freed it

    assert collector_on_the_gui_thread.collect_due() > 0  # the worker's lists made it due
    assert [threading.main_thread().name] == FREED_ON


def test_the_application_runs_its_collector_and_gives_it_back_at_quit(qapp: QApplication) -> None:
    app = create_application([])
    assert not gc.isenabled()
    assert app.findChildren(GuiThreadCollector)
