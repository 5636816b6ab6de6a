"""Compact IMAP UID sets: written short, read back exactly, chunked under a length."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from desktop.core.uid_sets import chunked, compact, expand

UIDS = st.lists(st.integers(min_value=1, max_value=5_000), max_size=400)


def test_runs_of_consecutive_uids_are_ranges_in_any_order_without_repeats() -> None:
    assert compact([9, 1, 2, 3, 7, 10, 2]) == "1:3,7,9:10"
    assert compact(range(1, 1001)) == "1:1000"
    assert compact([]) == ""


def test_a_server_set_is_read_in_the_order_written() -> None:
    assert list(expand("3:5,9,12:10")) == [3, 4, 5, 9, 12, 11, 10]


@given(UIDS)
def test_a_compact_set_holds_exactly_the_uids(uids: list[int]) -> None:
    written = compact(uids)
    assert (list(expand(written)) if written else []) == sorted(set(uids))


@given(UIDS, st.integers(min_value=1, max_value=50), st.integers(min_value=12, max_value=60))
def test_chunks_keep_every_uid_once_in_order_within_both_limits(
    uids: list[int], most: int, length: int
) -> None:
    chunks = list(chunked(uids, length=length, most=most))
    assert [uid for chunk in chunks for uid in chunk] == sorted(set(uids))
    for chunk in chunks:
        assert 0 < len(chunk) <= most
        assert len(compact(chunk)) <= length


def test_a_run_longer_than_a_chunk_is_split() -> None:
    assert [compact(chunk) for chunk in chunked(range(1, 11), most=4)] == ["1:4", "5:8", "9:10"]
    scattered = range(1, 200, 2)  # "1,3,5,...": the length limit ends a chunk first
    chunks = list(chunked(scattered, length=20, most=1000))
    assert len(chunks) > 1
    assert max(len(compact(chunk)) for chunk in chunks) <= 20
