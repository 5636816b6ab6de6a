"""The command line on an encrypted store: made by its first user, opened by each user's own
password, importing and searching, and refusing without a password, plainly and untouched."""

from __future__ import annotations

import json
import mailbox
from email.message import EmailMessage
from pathlib import Path

import pytest
from cli_runner import Cli

from desktop.store.cipher import is_plain_sqlite
from desktop.store.key_slots import key_file_of

PASSWORD = "ada's long password"
EMAIL = "ada@clinic.example"
WORD = "zebracardiomyopathy"


@pytest.fixture
def store(app_home: Path) -> Path:
    return app_home / "cli.sqlite3"


@pytest.fixture
def cli(store: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Cli:
    runner = Cli(f"sqlite:///{store}", capsys, monkeypatch, PASSWORD)
    code, _, err = runner("user", "create", "ada", "--name", "Ada", "--password-stdin",
                          stdin=PASSWORD + "\n", password=None)  # fmt: skip
    assert code == 0, err
    code, _, err = runner("profile", "create", "--user", "ada", "--org", "Clinic", "--email", EMAIL)
    assert code == 0, err
    return runner


def _mbox(folder: Path) -> Path:
    path = folder / "old.mbox"
    box = mailbox.mbox(path)
    message = EmailMessage()
    message["From"] = "ward@example.org"
    message["To"] = EMAIL
    message["Subject"] = f"Echo shows {WORD}"
    message["Message-ID"] = "<echo@example.org>"
    message["Date"] = "Mon, 02 Nov 2026 09:00:00 +0000"
    message.set_content(f"Findings consistent with {WORD}.")
    box.add(message)
    box.close()
    return path


def test_the_first_user_makes_an_encrypted_store_that_imports_and_searches(
    cli: Cli, store: Path, tmp_path: Path
) -> None:
    assert not is_plain_sqlite(store)
    assert key_file_of(store).exists()
    code, out, err = cli("import", "--profile", EMAIL, str(_mbox(tmp_path)))
    assert code == 0, err
    code, out, err = cli("inbox", "--user", "ada", "--json", "--search", WORD)
    assert code == 0, err
    assert [row["subject"] for row in json.loads(out)] == [f"Echo shows {WORD}"]
    for path in store.parent.glob(store.name + "*"):
        if path.is_file():
            assert WORD.encode() not in path.read_bytes(), path.name


def test_a_wrong_or_missing_password_opens_nothing(cli: Cli, store: Path) -> None:
    before = store.read_bytes()
    code, _, err = cli("inbox", "--user", "ada", password="not the password")
    assert code == 2
    assert "wrong password for 'ada'" in err
    code, _, err = cli("inbox", "--user", "ada", password=None)
    assert code == 2
    assert "the store is encrypted and ada must sign in to open it" in err
    assert store.read_bytes() == before


def test_an_admin_adds_a_user_who_opens_the_store_with_their_own_password(cli: Cli) -> None:
    code, _, err = cli("user", "create", "bo", "--name", "Bo", "--user", "ada", "--profile",
                       EMAIL, "--password-stdin", stdin="bo's own password\n")  # fmt: skip
    assert code == 0, err
    code, out, err = cli("user", "sign-out", "--user", "bo", password="bo's own password")
    assert code == 0, err
    assert out.startswith("signed out bo")
    code, _, err = cli("user", "sign-out", "--user", "bo", password=PASSWORD)
    assert code == 2
    assert "wrong password for 'bo'" in err


def test_a_command_on_a_store_that_does_not_exist_says_how_to_make_one(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, store: Path
) -> None:
    runner = Cli(f"sqlite:///{store}", capsys, monkeypatch, PASSWORD)
    code, _, err = runner("inbox", "--user", "ada")
    assert code == 2
    assert "create its first user with switchboard user create" in err
    assert not store.exists()
