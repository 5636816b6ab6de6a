"""``switchboard inbox --thread``: conversations from a shell, end to end through ``main()``."""

from __future__ import annotations

import io
import json
import mailbox
from pathlib import Path

import pytest
from cli_runner import Cli
from stored_corpus import expected_groups, raw
from thread_corpus import CORPUS

from desktop.cli.main import main

USER_PASSWORD = "ada's own long password"
EMAIL = "ada@clinic.example"


@pytest.fixture
def cli(app_home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Cli:
    runner = Cli(f"sqlite:///{app_home / 'cli.sqlite3'}", capsys, monkeypatch, USER_PASSWORD)
    monkeypatch.delenv("SWITCHBOARD_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO(USER_PASSWORD + "\n"))
    assert main(["--database-url", runner.database_url, "user", "create", "ada", "--name",
                 "Ada", "--password-stdin"]) == 0  # fmt: skip
    code, _, err = runner("profile", "create", "--user", "ada", "--org", "Clinic", "--email", EMAIL)
    assert code == 0, err
    return runner


def test_inbox_thread_lists_conversations_newest_first(cli: Cli, tmp_path: Path) -> None:
    box = mailbox.mbox(tmp_path / "corpus.mbox")
    for envelope in CORPUS:
        if envelope.key != 10:  # an import keeps one copy of a Message-ID
            box.add(raw(envelope))
    box.close()
    code, _, err = cli("import", "--profile", EMAIL, str(tmp_path / "corpus.mbox"))
    assert code == 0, err

    code, out, err = cli("inbox", "--user", "ada", "--thread", "--json")
    assert code == 0, err
    threads = json.loads(out)
    assert len(threads) == len(expected_groups())
    assert [t["latest"] for t in threads] == sorted((t["latest"] for t in threads), reverse=True)
    chain = next(t for t in threads if t["subject"] == "Lab results" and t["messages"] == 4)
    assert chain["unread"] == 4  # imported mail is unread
    assert chain["participants"] == ["Grace Hopper", "alan", "Ada Lovelace"]

    code, out, _ = cli("inbox", "--user", "ada", "--thread", "--limit", "2")
    lines = out.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("*")
    assert "Other" in lines[0] or "Re: Other" in lines[0]


def test_inbox_thread_refuses_a_search(cli: Cli) -> None:
    code, _, err = cli("inbox", "--user", "ada", "--thread", "--search", "lab")
    assert code != 0
    assert "--search cannot be used with --thread" in err
