"""``switchboard store encrypt``: the plain store becomes encrypted by its user's password, and
a wrong password, a missing one or a second run is refused in one line, the store unchanged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_runner import Cli
from plain_store import CORPUS, LOGIN, PASSWORD, WORD, assert_whole, make_plain_store

from desktop.services.store_opening import StoreKind


@pytest.fixture
def store(app_home: Path, tmp_path: Path) -> Path:
    store = app_home / "switchboard.sqlite3"
    make_plain_store(store, tmp_path)
    return store


@pytest.fixture
def cli(store: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Cli:
    return Cli(f"sqlite:///{store}", capsys, monkeypatch, PASSWORD)


def test_encrypt_reads_the_password_from_stdin_and_the_store_then_needs_it(
    cli: Cli, store: Path
) -> None:
    code, _, err = cli("store", "encrypt", "--user", LOGIN, "--password-stdin",
                       stdin=PASSWORD + "\n", password=None)  # fmt: skip
    assert code == 0, err
    assert "is encrypted" in err
    assert assert_whole(store) is StoreKind.ENCRYPTED
    code, out, err = cli("inbox", "--user", LOGIN, "--json", "--search", WORD, "--limit", "500")
    assert code == 0, err
    assert len(json.loads(out)) == CORPUS
    code, _, err = cli("inbox", "--user", LOGIN, "--json", password=None)
    assert code == 2
    assert "encrypted" in err
    code, _, err = cli("store", "encrypt", "--user", LOGIN)
    assert code == 2
    assert "already encrypted" in err


def test_a_wrong_or_missing_password_leaves_the_store_plain(cli: Cli, store: Path) -> None:
    code, _, err = cli("store", "encrypt", "--user", LOGIN, password="not the password")
    assert code == 2
    assert "wrong password" in err
    code, _, err = cli("store", "encrypt", "--user", LOGIN, password=None)
    assert code == 2
    assert "SWITCHBOARD_PASSWORD" in err
    assert assert_whole(store) is StoreKind.PLAIN
