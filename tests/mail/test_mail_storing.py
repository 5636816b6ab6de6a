"""The background writer keeps batches in order and never swallows a failed write."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from desktop.services.mail.storing import BackgroundWriter


def write_all(*writes: Callable[[], None]) -> None:
    with BackgroundWriter() as writer:
        for write in writes:
            writer.submit(write)


def fail() -> None:
    raise OSError("disk full")


def test_writes_run_in_order_off_the_calling_thread() -> None:
    done: list[tuple[int, bool]] = []
    caller = threading.get_ident()
    write_all(*(lambda n=n: done.append((n, threading.get_ident() != caller)) for n in range(5)))
    assert done == [(n, True) for n in range(5)]


def test_a_failed_write_surfaces_at_the_next_submit() -> None:
    later: list[str] = []
    with pytest.raises(OSError, match="disk full"):
        write_all(fail, lambda: later.append("ran"))
    assert later == []


def test_a_failed_last_write_surfaces_at_the_end() -> None:
    with pytest.raises(OSError, match="disk full"):
        write_all(fail)


def test_leaving_on_an_error_still_waits_for_the_write_in_flight() -> None:
    finished = threading.Event()

    def slow_write() -> None:
        threading.Event().wait(0.2)
        finished.set()

    def slow_then_caller_fails() -> None:
        with BackgroundWriter() as writer:
            writer.submit(slow_write)
            raise KeyError("caller failed")

    with pytest.raises(KeyError):
        slow_then_caller_fails()
    assert finished.is_set()
