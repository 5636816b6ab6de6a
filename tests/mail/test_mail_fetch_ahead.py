"""Fetching one batch ahead: order kept, the next fetch overlaps the caller's work, errors surface
at their batch, and leaving early leaves no thread behind."""

from __future__ import annotations

import threading

import pytest

from desktop.services.mail.fetch_ahead import FetchAhead

WAIT_S = 10.0


class Fetcher:
    def __init__(self, fail_at: int | None = None) -> None:
        self.started: list[int] = []
        self.threads: set[int] = set()
        self.fail_at = fail_at
        self.second_started = threading.Event()

    def __call__(self, batch: int) -> str:
        self.started.append(batch)
        self.threads.add(threading.get_ident())
        if batch == 2:
            self.second_started.set()
        if batch == self.fail_at:
            raise ConnectionResetError("server went away")
        return f"messages of {batch}"


def test_batches_come_in_order_fetched_on_another_thread() -> None:
    fetch = Fetcher()
    with FetchAhead(fetch, range(1, 6)) as results:
        assert list(results) == [(n, f"messages of {n}") for n in range(1, 6)]
    assert fetch.started == [1, 2, 3, 4, 5]
    assert len(fetch.threads) == 1
    assert threading.get_ident() not in fetch.threads


def test_the_next_batch_is_fetched_while_the_caller_works_on_this_one() -> None:
    fetch = Fetcher()
    with FetchAhead(fetch, range(1, 4)) as results:
        first = next(results)
        assert first[0] == 1
        assert fetch.second_started.wait(WAIT_S)  # the caller still holds batch 1
        assert [batch for batch, _ in results] == [2, 3]


def test_a_failed_fetch_surfaces_at_its_batch() -> None:
    fetch = Fetcher(fail_at=3)
    taken: list[int] = []

    def take_all() -> None:
        with FetchAhead(fetch, range(1, 6)) as results:
            taken.extend(batch for batch, _ in results)

    with pytest.raises(ConnectionResetError):
        take_all()
    assert taken == [1, 2]
    assert fetch.started == [1, 2, 3]


def test_leaving_early_stops_fetching_and_ends_the_thread() -> None:
    fetch = Fetcher()
    with FetchAhead(fetch, range(1, 100)) as results:
        for _batch in results:
            break
    # The batch taken, and at most the one fetched ahead of it.
    assert fetch.started in ([1], [1, 2])
    assert all(thread.name != "mail-fetch" for thread in threading.enumerate())
