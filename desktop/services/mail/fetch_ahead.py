"""Fetching the next batch of messages while the caller parses the one it has.

Fetching one batch and then parsing it left the server idle while the client parsed, and the
client idle while the server read its disk and encrypted: on a first sync of 20,000 messages
the two took turns for most of the time. A thread of its own fetches one batch ahead; reading
the socket and decrypting release the GIL, so the wait for the server overlaps the parsing.

While batches are fetched ahead, the thread is the only user of the connection; leaving the
``with`` block (normally, on cancel or on an error) returns only once the thread has finished,
so the caller has the connection to itself again. A failed fetch surfaces in the caller, at the
batch that failed.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import Generic, TypeVar

Batch = TypeVar("Batch")
Fetched = TypeVar("Fetched")


@dataclass(frozen=True)
class _Failed:
    error: BaseException


_DONE = object()


class FetchAhead(Generic[Batch, Fetched]):
    """Iterates ``(batch, fetch(batch))`` over ``batches`` in order, one batch fetched ahead."""

    def __init__(self, fetch: Callable[[Batch], Fetched], batches: Iterable[Batch]) -> None:
        self._fetch = fetch
        self._batches = batches
        self._ready: queue.Queue[object] = queue.Queue(maxsize=1)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="mail-fetch", daemon=True)

    def __enter__(self) -> Iterator[tuple[Batch, Fetched]]:
        self._thread.start()
        return self._results()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stop.set()
        # The thread puts at most one more result after this (then it sees the stop): emptying
        # the queue once releases it, whether it waits for its last result to be taken or is
        # still fetching.
        while True:
            try:
                self._take()
            except queue.Empty:
                break
        self._thread.join()

    def _results(self) -> Iterator[tuple[Batch, Fetched]]:
        while (item := self._take(block=True)) is not _DONE:
            if isinstance(item, _Failed):
                raise item.error
            yield item  # type: ignore[misc]

    def _take(self, *, block: bool = False) -> object:
        item = self._ready.get(block=block)
        self._ready.task_done()
        return item

    def _run(self) -> None:
        try:
            for batch in self._batches:
                if self._stop.is_set():
                    return
                fetched = self._fetch(batch)
                if not self._put((batch, fetched)):
                    return
        except BaseException as error:  # handed to the caller, who decides
            self._put(_Failed(error))
            return
        self._put(_DONE)

    def _put(self, item: object) -> bool:
        """Hand over ``item`` and wait until the caller takes it, unless the caller has left.

        Waiting keeps the thread one batch ahead, not two (one queued, one more fetched), which
        bounds memory to three batches. Looking first bounds the puts after the stop to the one
        already under way, which ``__exit__`` releases.
        """
        if self._stop.is_set():
            return False
        self._ready.put(item)
        self._ready.join()
        return True
