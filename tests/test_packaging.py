"""What ships works: the wheel carries the app's files, the PyInstaller build and the .deb made
from it pass their own self-test."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "packaging"))
import deb  # noqa: E402


def test_the_wheel_carries_the_resources_and_both_programs(tmp_path: Path) -> None:
    # Built from a copy: setuptools leaves build/ and *.egg-info in the folder it builds.
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    for name in ("desktop", "resources"):
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "-w",
            str(tmp_path),
            str(source),
        ],
        capture_output=True,
        check=True,
        timeout=300,
    )
    [wheel] = tmp_path.glob("switchboard-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        [entry_points] = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
        scripts = archive.read(entry_points).decode()
    assert "desktop/resources/icons/switchboard.svg" in names
    assert "desktop/resources/layouts/classic-32.json" in names
    assert "desktop/resources/layouts/hearing/classic-32.json" in names
    assert "desktop/store/migrations/env.py" in names
    assert "switchboard = desktop.cli.main:main" in scripts
    assert "[gui_scripts]\nswitchboard-gui = desktop.gui.launch:main" in scripts


def test_the_deb_depends_on_every_library_the_runtime_list_installs() -> None:
    script = (ROOT / "tools" / "system-packages.sh").read_text(encoding="utf-8")
    listed = re.search(r"^runtime=\(([^)]*)\)", script, re.MULTILINE)
    assert listed is not None
    depends = {alternative.split(" | ")[0] for alternative in deb.DEPENDS.split(", ")}
    assert depends == set(listed.group(1).split())


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One PyInstaller build for the bundle's test and the .deb's: it takes most of a minute."""
    work = tmp_path_factory.mktemp("pyinstaller")
    started = time.monotonic()
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--log-level",
            "WARN",
            "--distpath",
            str(work / "dist"),
            "--workpath",
            str(work / "work"),
            str(ROOT / "app.spec"),
        ],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
        cwd=ROOT,
    )
    assert build.returncode == 0, build.stderr[-4000:]
    print(f"PyInstaller build: {time.monotonic() - started:.0f} s")
    return work / "dist" / "switchboard"


def self_test(program: Path, home: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "SWITCHBOARD_HOME": str(home)}
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


@pytest.mark.slow
def test_pyinstaller_bundle_passes_its_self_test(bundle: Path, tmp_path: Path) -> None:
    self_test(bundle / "switchboard", tmp_path / "h")
    assert (bundle / "switchboard-gui").is_file()
    assert (bundle / "_internal" / "share" / "applications" / "switchboard.desktop").is_file()
    size = sum(f.stat().st_size for f in bundle.rglob("*") if f.is_file())
    print(f"bundle size: {size / 1e6:.0f} MB")


@pytest.mark.slow
def test_the_deb_installs_and_its_program_passes_the_self_test(
    bundle: Path, tmp_path: Path
) -> None:
    started = time.monotonic()
    package = deb.build(bundle, tmp_path)
    print(f".deb: {package.stat().st_size / 1e6:.0f} MB in {time.monotonic() - started:.0f} s")
    if os.geteuid() != 0 or shutil.which("dpkg") is None:
        pytest.skip("installing a .deb needs root and dpkg (CI runs the tests as root)")
    installed = subprocess.run(
        ["dpkg", "-i", str(package)], capture_output=True, text=True, timeout=300, check=False
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    try:
        self_test(Path("/usr/bin/switchboard"), tmp_path / "h")
        assert Path("/usr/bin/switchboard-gui").resolve() == Path(
            "/opt/switchboard/switchboard-gui"
        )
        assert Path("/usr/share/applications/switchboard.desktop").is_file()
        assert Path("/usr/share/icons/hicolor/512x512/apps/switchboard.png").is_file()
    finally:
        removed = subprocess.run(
            ["dpkg", "--purge", "switchboard"], capture_output=True, text=True, check=False
        )
        assert removed.returncode == 0, removed.stderr
    assert not Path("/opt/switchboard").exists()
