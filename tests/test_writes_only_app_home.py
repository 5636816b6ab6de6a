"""Everything the app writes lands in its app home: nothing in the user's home folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_cli_and_self_test_write_nothing_outside_the_app_home(tmp_path: Path) -> None:
    user_home = tmp_path / "user-home"
    user_home.mkdir()
    app_home = tmp_path / "app-home"
    env = {
        **os.environ,
        "HOME": str(user_home),
        "SWITCHBOARD_HOME": str(app_home),
        "SWITCHBOARD_PASSWORD": "correct horse battery",
    }
    for key in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME", "SWITCHBOARD_DATABASE_URL"):
        env.pop(key, None)
    commands = (
        ["user", "create", "nadia", "--name", "Nadia Okafor"],
        [
            "profile",
            "create",
            "--user",
            "nadia",
            "--org",
            "Harbour Hospital",
            "--email",
            "nadia@harbour.example",
        ],
        ["profile", "list", "--user", "nadia"],
        ["id", "encode", "123456"],
        ["--self-test"],
    )
    for command in commands:
        result = subprocess.run(
            [sys.executable, "-m", "desktop", *command],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, (command, result.stderr)
    assert sorted(p.name for p in user_home.iterdir()) == []
    assert (app_home / "switchboard.sqlite3").is_file()
