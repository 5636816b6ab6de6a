"""Four apps starting at once on one store: all start, the store ends at head, one copy aside.

Four worker processes are started once and each round hands all of them the same store at the
same moment (one line on each stdin), so every round is a real race between processes with their
own engines, without paying for an interpreter start per round.
"""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from test_migrations import PROFILES, seed_0001

from desktop.store.engine import make_engine
from desktop.store.migrate import current_revision, head_revision, upgrade_to

APPS = 4
ROUNDS = 20

START_APP = """
import json, sys
from desktop.store.engine import make_engine
from desktop.store.migrate import upgrade_store
print("ready", flush=True)
for line in sys.stdin:
    engine = make_engine(line.strip())
    try:
        result = upgrade_store(engine)
        answer = {"from": result.from_revision, "backup": str(result.backup or "")}
    except Exception as error:
        answer = {"error": f"{type(error).__name__}: {error}"}
    finally:
        engine.dispose()
    print(json.dumps(answer), flush=True)
"""


class Apps:
    def __init__(self) -> None:
        self.processes = [
            subprocess.Popen(
                [sys.executable, "-c", START_APP],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            for _ in range(APPS)
        ]
        for process in self.processes:
            assert self._answer(process) == "ready"

    def start_all(self, url: str) -> list[dict[str, str]]:
        for process in self.processes:
            assert process.stdin is not None
            process.stdin.write(url + "\n")
            process.stdin.flush()
        return [json.loads(self._answer(process)) for process in self.processes]

    @staticmethod
    def _answer(process: subprocess.Popen[str]) -> str:
        assert process.stdout is not None
        return process.stdout.readline().strip()

    def close(self) -> None:
        for process in self.processes:
            assert process.stdin is not None
            process.stdin.close()
        for process in self.processes:
            assert process.wait(timeout=30) == 0


@pytest.fixture(scope="module")
def apps() -> Iterator[Apps]:
    running = Apps()
    yield running
    running.close()


def old_store(path: Path) -> str:
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    upgrade_to(engine, "0001")
    with engine.begin() as connection:
        seed_0001(connection)
    engine.dispose()
    return url


def test_four_apps_starting_at_once_on_an_old_store_upgrade_it_once(
    apps: Apps, tmp_path: Path
) -> None:
    for round_ in range(ROUNDS):
        store = tmp_path / f"old{round_}" / "store.sqlite3"
        answers = apps.start_all(old_store(store))

        assert [answer.get("error") for answer in answers] == [None] * APPS, round_
        upgraders = [answer for answer in answers if answer["from"] == "0001"]
        assert len(upgraders) == 1, (round_, answers)
        others = [answer["from"] for answer in answers if answer not in upgraders]
        assert others == [head_revision()] * (APPS - 1)
        backups = list(store.parent.glob("*.bak"))
        assert [str(path) for path in backups] == [upgraders[0]["backup"]]
        engine = make_engine(f"sqlite:///{store}")
        assert current_revision(engine) == head_revision()
        with engine.connect() as connection:
            kept = connection.execute(text("SELECT count(*) FROM profiles")).scalar()
        engine.dispose()
        assert kept == len(PROFILES)
        lock = store.with_name(store.name + ".lock")
        assert stat.S_IMODE(lock.stat().st_mode) == 0o600


def test_four_apps_starting_at_once_on_a_new_store_all_start(apps: Apps, tmp_path: Path) -> None:
    for round_ in range(ROUNDS):
        store = tmp_path / f"new{round_}" / "store.sqlite3"
        answers = apps.start_all(f"sqlite:///{store}")

        assert [answer.get("error") for answer in answers] == [None] * APPS, round_
        assert sorted(answer["from"] is None for answer in answers) == [False] * 3 + [True]
        assert not list(store.parent.glob("*.bak")), "a new store has nothing to copy aside"
        engine = make_engine(f"sqlite:///{store}")
        assert current_revision(engine) == head_revision()
        engine.dispose()
