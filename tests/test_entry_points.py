"""The command line behaves as the README promises, before any feature is involved."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop import __version__


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "desktop", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_version_prints_the_package_version() -> None:
    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"switchboard {__version__}"


def test_help_lists_the_subcommands() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    assert "self-test" in result.stdout


def test_without_a_display_it_says_so_in_one_line(app_home: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DISPLAY", "WAYLAND_DISPLAY"}}
    env.pop("QT_QPA_PLATFORM", None)
    result = run_cli(env=env)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "no display" in lines[0]
    assert "QT_QPA_PLATFORM=offscreen" in lines[0]


def test_self_test_passes_offscreen() -> None:
    result = run_cli("--self-test")
    assert result.returncode == 0, result.stderr
    assert "all steps passed" in result.stdout


def test_self_test_names_the_failing_step(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from desktop import selftest

    def broken(_home: Path) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(selftest, "STEPS", (("check the disk", broken),))
    assert selftest.run_self_test() == 1
    assert "FAILED at 'check the disk': disk on fire" in capsys.readouterr().err
