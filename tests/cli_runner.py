"""Runs ``switchboard`` in-process as a shell would, for the command-line tests.

Each call gets fresh stdin and its own captured output, and signs in through
``SWITCHBOARD_PASSWORD`` unless told otherwise, so tests read like the commands they check.
"""

from __future__ import annotations

import io

import pytest

from desktop.cli.main import main


class Cli:
    def __init__(
        self,
        database_url: str,
        capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch,
        password: str,
    ) -> None:
        self.database_url = database_url
        self.capsys = capsys
        self.monkeypatch = monkeypatch
        self.password = password

    def __call__(
        self, *args: str, stdin: str = "", password: str | bool | None = True
    ) -> tuple[int, str, str]:
        """Exit code, stdout and stderr; ``password`` None runs without ``SWITCHBOARD_PASSWORD``,
        a string uses that one instead of the runner's own."""
        self.capsys.readouterr()
        chosen = self.password if password is True else password
        if isinstance(chosen, str):
            self.monkeypatch.setenv("SWITCHBOARD_PASSWORD", chosen)
        else:
            self.monkeypatch.delenv("SWITCHBOARD_PASSWORD", raising=False)
        self.monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        code = main(["--database-url", self.database_url, *args])
        captured = self.capsys.readouterr()
        return code, captured.out, captured.err
