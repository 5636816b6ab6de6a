"""Killing the encryption of a plain store at each of its points loses nothing.

A child process encrypts a copy of the same plain store and SIGKILLs itself at one point: in
the export, after each step, with the key file's temporary written but not renamed, and after
it returned. Each time a fresh start finds exactly one complete store, plain or encrypted, with
every message of the corpus, signs in, and a second encryption completes (or, when the first
had already put the encrypted store in place, there is nothing left to do).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from encrypt_child import AFTER_RETURN, POINTS
from plain_store import LOGIN, PASSWORD, assert_whole, door, make_plain_store

from desktop.services.store_opening import StoreKind
from desktop.services.store_upgrade import StoreEncryption
from desktop.store.cipher_export import Step

CHILD = Path(__file__).with_name("encrypt_child.py")
ENCRYPTED_FROM = {Step.RENAMED.value, Step.KEYS_IN_PLACE.value, Step.BACKUPS_REMOVED.value}
"""The points after which the encrypted store is the store: from the rename on."""


def _run_child(url: str, point: str) -> subprocess.CompletedProcess[str]:
    paths = [str(CHILD.parent), str(CHILD.parents[1]), str(CHILD.parents[2])]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
    return subprocess.run(
        [sys.executable, str(CHILD), url, LOGIN, point],
        check=False,
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


@pytest.fixture(scope="module")
def original(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("original")
    store = folder / "store" / "switchboard.sqlite3"
    make_plain_store(store, folder)
    return store


def test_there_are_at_least_ten_distinct_points() -> None:
    assert len(set(POINTS)) >= 10


@pytest.mark.parametrize("point", POINTS)
def test_killed_at_a_point_one_complete_store_remains_and_a_rerun_completes(
    original: Path, tmp_path: Path, point: str
) -> None:
    shutil.copytree(original.parent, tmp_path / "store")
    store = tmp_path / "store" / original.name
    killed = _run_child(f"sqlite:///{store}", point)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    kind = assert_whole(store)
    encrypted_by_then = point in ENCRYPTED_FROM or point == AFTER_RETURN
    assert kind is (StoreKind.ENCRYPTED if encrypted_by_then else StoreKind.PLAIN)
    if kind is StoreKind.PLAIN:
        StoreEncryption(door(store)).encrypt(LOGIN, PASSWORD).close()
    assert assert_whole(store) is StoreKind.ENCRYPTED
