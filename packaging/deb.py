"""Packages the PyInstaller one-folder build as a .deb with ``dpkg-deb``.

The bundle carries Python and Qt but not the system libraries Qt loads (X11/xcb, EGL, fonts,
D-Bus), so those are the package's dependencies: the runtime list of tools/system-packages.sh.
The bundle goes to /opt/switchboard, its two programs are linked into /usr/bin, and the desktop
files it carries in share/ are copied to /usr/share where menus and AppStream look.

    python packaging/deb.py dist/switchboard dist    # -> dist/switchboard_<version>_<arch>.deb
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import desktop_files

DEPENDS = (
    "libegl1, libgl1, libxkbcommon0, libxkbcommon-x11-0, libfontconfig1, libdbus-1-3, "
    "libglib2.0-0 | libglib2.0-0t64, libxcb-cursor0, libxcb-icccm4, libxcb-keysyms1, "
    "libxcb-image0, libxcb-render-util0, libxcb-shape0, libxcb-randr0, libxcb-xinerama0, "
    "libxcb-xkb1, libxrender1, fonts-dejavu-core"
)
PROGRAMS = ("switchboard", "switchboard-gui")


def architecture() -> str:
    return subprocess.run(
        ["dpkg", "--print-architecture"], capture_output=True, text=True, check=True
    ).stdout.strip()


def control(version: str, arch: str, installed_kib: int) -> str:
    return (
        "Package: switchboard\n"
        f"Version: {version}\n"
        f"Architecture: {arch}\n"
        "Maintainer: Switchboard <support@switchboard.example.org>\n"
        f"Installed-Size: {installed_kib}\n"
        f"Depends: {DEPENDS}\n"
        "Section: mail\n"
        "Priority: optional\n"
        f"Homepage: {desktop_files.HOMEPAGE}\n"
        "Description: one sign-in and one inbox for all your accounts\n"
        " Switchboard signs you in once, keeps every account's server password in the\n"
        " system keyring and shows one inbox over all of them.\n"
    )


def build(bundle: Path, out_dir: Path) -> Path:
    version, arch = desktop_files.version(), architecture()
    with tempfile.TemporaryDirectory(prefix="switchboard-deb-") as scratch:
        root = Path(scratch) / "root"
        shutil.copytree(bundle, root / "opt" / "switchboard", symlinks=True)
        (root / "usr" / "bin").mkdir(parents=True)
        for name in PROGRAMS:
            (root / "usr" / "bin" / name).symlink_to(f"/opt/switchboard/{name}")
        share = root / "opt" / "switchboard" / "_internal" / "share"
        shutil.copytree(share, root / "usr" / "share")
        size = sum(p.stat().st_size for p in root.rglob("*") if p.is_file() and not p.is_symlink())
        (root / "DEBIAN").mkdir()
        (root / "DEBIAN" / "control").write_text(control(version, arch, size // 1024))
        target = out_dir / f"switchboard_{version}_{arch}.deb"
        out_dir.mkdir(parents=True, exist_ok=True)
        # zstd packs the 200 MB bundle several times faster than dpkg's default xz, for a
        # file about as small; every dpkg since Debian 12 and Ubuntu 21.10 reads it.
        subprocess.run(
            ["dpkg-deb", "--root-owner-group", "-Zzstd", "--build", str(root), str(target)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Package the PyInstaller build as a .deb.")
    parser.add_argument("bundle", type=Path, help="the one-folder build (dist/switchboard)")
    parser.add_argument("out_dir", type=Path, help="where the .deb is written")
    args = parser.parse_args(argv)
    print(build(args.bundle, args.out_dir))
    return 0


if __name__ == "__main__":
    sys.exit(main())
