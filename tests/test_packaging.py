"""The PyInstaller build carries what it needs: its own self-test passes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_pyinstaller_bundle_passes_its_self_test(tmp_path: Path) -> None:
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--log-level",
            "WARN",
            "--distpath",
            str(tmp_path / "dist"),
            "--workpath",
            str(tmp_path / "work"),
            str(ROOT / "app.spec"),
        ],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
        cwd=ROOT,
    )
    assert build.returncode == 0, build.stderr[-4000:]
    program = tmp_path / "dist" / "switchboard" / "switchboard"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "SWITCHBOARD_HOME": str(tmp_path / "h")}
    result = subprocess.run(
        [str(program), "--self-test"],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "all steps passed" in result.stdout
    size = sum(f.stat().st_size for f in (tmp_path / "dist").rglob("*") if f.is_file())
    print(f"bundle size: {size / 1e6:.0f} MB")
