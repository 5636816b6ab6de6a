"""The menu entry, icons, metainfo and autostart entry are valid and land where desktops look."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "packaging"))
import desktop_files  # noqa: E402


def validator(name: str) -> str:
    """The freedesktop.org checkers come from tools/system-packages.sh's test list."""
    path = shutil.which(name)
    if path is None:
        reason = f"{name} is not installed: run tools/system-packages.sh test as root"
        if os.environ.get("CI", "").lower() == "true":  # CI must run every test
            pytest.fail(reason)
        pytest.skip(reason)
    return path


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", path
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def desktop_keys(path: Path) -> dict[str, str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line)


@pytest.fixture
def staged(tmp_path: Path) -> Path:
    share = tmp_path / "share"
    desktop_files.stage(share)
    return share


def test_the_menu_entry_is_valid_and_handles_mailto_links(staged: Path) -> None:
    entry = staged / "applications" / "switchboard.desktop"
    result = subprocess.run(
        [validator("desktop-file-validate"), str(entry)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == ""  # not even a hint
    keys = desktop_keys(entry)
    assert keys["Exec"] == "switchboard-gui %u"
    assert keys["MimeType"] == "x-scheme-handler/mailto;"
    assert keys["Icon"] == "switchboard"


def test_the_metainfo_is_valid_and_shows_real_screenshots(staged: Path) -> None:
    [metainfo] = (staged / "metainfo").iterdir()
    result = subprocess.run(
        [validator("appstreamcli"), "validate", "--no-net", str(metainfo)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    text = metainfo.read_text(encoding="utf-8")
    assert "@" not in text.replace("support@", "")  # every placeholder filled
    assert '<launchable type="desktop-id">switchboard.desktop</launchable>' in text
    for name in ("main-1280x800.png", "compose-reply-1280x800.png", "profile-menu-1280x800.png"):
        assert f"/screenshots/{name}</image>" in text
        assert png_size(ROOT / "docs" / "screenshots" / name) == (1280, 800)


def test_the_icons_come_in_every_hicolor_size_from_the_svg(staged: Path) -> None:
    hicolor = staged / "icons" / "hicolor"
    for size in (16, 22, 24, 32, 48, 64, 128, 256, 512):
        assert png_size(hicolor / f"{size}x{size}" / "apps" / "switchboard.png") == (size, size)
    svg = (hicolor / "scalable" / "apps" / "switchboard.svg").read_bytes()
    assert svg == (ROOT / "resources" / "icons" / "switchboard.svg").read_bytes()


def test_make_install_puts_the_files_in_the_users_data_folder_and_uninstall_removes_them(
    tmp_path: Path,
) -> None:
    data_home = tmp_path / "data"
    venv = Path(sys.prefix)
    environment = {**os.environ, "XDG_DATA_HOME": str(data_home), "HOME": str(tmp_path)}
    make = ["make", "-C", str(ROOT), f"VENV={venv}", f"PYTHON={sys.executable}"]
    # The test runs inside a set-up environment: make must not reinstall it.
    installed = subprocess.run(
        [*make, "-o", f"{venv}/.installed-run", "install"],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    for relative in desktop_files.relative_files():
        assert (data_home / relative).is_file(), relative
    keys = desktop_keys(data_home / "applications" / "switchboard.desktop")
    program = Path(keys["Exec"].removesuffix(" %u"))
    assert program == venv / "bin" / "switchboard-gui"
    assert program.is_file()
    if shutil.which("update-desktop-database"):
        cache = (data_home / "applications" / "mimeinfo.cache").read_text(encoding="utf-8")
        assert "x-scheme-handler/mailto=switchboard.desktop;" in cache

    removed = subprocess.run(
        [*make, "uninstall"], capture_output=True, text=True, env=environment, check=False
    )
    assert removed.returncode == 0, removed.stdout + removed.stderr
    assert [p for p in data_home.rglob("*") if p.is_file() and "switchboard" in p.name] == []


def autostart(config_home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "desktop", "autostart", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "XDG_CONFIG_HOME": str(config_home)},
        timeout=60,
        check=False,
    )


def test_autostart_is_off_until_turned_on_and_starts_this_installation_in_the_tray(
    tmp_path: Path,
) -> None:
    entry = tmp_path / "autostart" / "switchboard.desktop"
    assert "does not start" in autostart(tmp_path, "status").stdout
    assert not entry.exists()

    assert autostart(tmp_path, "on").returncode == 0
    result = subprocess.run(
        [validator("desktop-file-validate"), str(entry)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout
    command = desktop_keys(entry)["Exec"]
    assert command == f'"{Path(sys.prefix) / "bin" / "switchboard"}" --tray'
    assert "starts in the tray" in autostart(tmp_path, "status").stdout

    assert autostart(tmp_path, "off").returncode == 0
    assert not entry.exists()
    assert "does not start" in autostart(tmp_path, "status").stdout
