"""The files that make Switchboard a desktop application (freedesktop.org), staged or installed.

One place writes them for every way the app is installed: ``make install`` (the current user's
XDG data folder, launcher in the venv), the PyInstaller bundle (``app.spec``) and the .deb
(``/usr/share``, launcher on the PATH). The PNG icons are rendered from
``resources/icons/switchboard.svg`` with Qt's SVG renderer when staging, not committed: the SVG
stays the only source, so an edited icon cannot leave stale PNGs behind, and Qt is already there
wherever the app is built.

    python packaging/desktop_files.py stage SHARE_DIR [--bindir DIR]
    python packaging/desktop_files.py install|uninstall [--share DIR] [--bindir DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "packaging"
#: The desktop file's name, which Qt announces as the window's app id (desktop.gui.application).
APP_ID = "switchboard"
SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
#: Where the metainfo says the project and its screenshots (docs/screenshots) are published,
#: and the reverse-DNS name AppStream asks of a component, made from the same domain.
HOMEPAGE = "https://switchboard.example.org"
COMPONENT_ID = "org.example.switchboard"


def version() -> str:
    namespace: dict[str, str] = {}
    exec((ROOT / "desktop" / "__init__.py").read_text(encoding="utf-8"), namespace)
    return namespace["__version__"]


def relative_files() -> list[Path]:
    """Every file staging writes, relative to the share folder (what uninstall removes)."""
    icons = [Path(f"icons/hicolor/{n}x{n}/apps/{APP_ID}.png") for n in SIZES]
    return [
        Path(f"applications/{APP_ID}.desktop"),
        Path(f"metainfo/{COMPONENT_ID}.metainfo.xml"),
        Path(f"icons/hicolor/scalable/apps/{APP_ID}.svg"),
        *icons,
    ]


def render_png(svg: Path, size: int, target: Path) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    QSvgRenderer(str(svg)).render(painter)
    painter.end()
    if not image.save(str(target), "PNG"):
        raise OSError(f"Could not write the icon {target}.")


def stage(share: Path, bindir: str = "") -> list[Path]:
    """Writes the files under ``share``; ``bindir`` prefixes the launcher unless it is on PATH."""
    prefix = f"{bindir.rstrip('/')}/" if bindir else ""
    svg = ROOT / "resources" / "icons" / f"{APP_ID}.svg"
    written = [share / path for path in relative_files()]
    for path in written:
        path.parent.mkdir(parents=True, exist_ok=True)
    desktop, metainfo, scalable, *pngs = written
    template = (HERE / f"{APP_ID}.desktop.in").read_text(encoding="utf-8")
    desktop.write_text(template.replace("@BINDIR@", prefix), encoding="utf-8")
    info = (HERE / "metainfo.xml.in").read_text(encoding="utf-8")
    for key, value in (
        ("@VERSION@", version()),
        ("@HOMEPAGE@", HOMEPAGE),
        ("@COMPONENT_ID@", COMPONENT_ID),
    ):
        info = info.replace(key, value)
    metainfo.write_text(info, encoding="utf-8")
    shutil.copyfile(svg, scalable)
    for size, png in zip(SIZES, pngs, strict=True):
        render_png(svg, size, png)
    return written


def refresh_caches(share: Path) -> None:
    """What a desktop reads menus and mailto: handlers from; skipped where the tools are absent."""
    if shutil.which("update-desktop-database"):
        subprocess.run(["update-desktop-database", "-q", str(share / "applications")], check=False)
    hicolor = share / "icons" / "hicolor"
    if shutil.which("gtk-update-icon-cache") and (hicolor / "index.theme").is_file():
        subprocess.run(["gtk-update-icon-cache", "-q", "-t", str(hicolor)], check=False)


def uninstall(share: Path) -> None:
    for path in relative_files():
        (share / path).unlink(missing_ok=True)
    refresh_caches(share)


def default_share() -> Path:
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Stage or install Switchboard's desktop files.")
    parser.add_argument("action", choices=("stage", "install", "uninstall"))
    parser.add_argument("share", nargs="?", type=Path, help="the share folder (stage)")
    parser.add_argument("--share", dest="share_option", type=Path, help="default: XDG_DATA_HOME")
    parser.add_argument("--bindir", default="", help="where switchboard-gui is, unless on PATH")
    args = parser.parse_args(argv)
    share: Path = args.share or args.share_option or default_share()
    if args.action == "uninstall":
        uninstall(share)
        print(f"Removed Switchboard's menu entry and icons from {share}.")
        return 0
    stage(share, args.bindir)
    if args.action == "install":
        refresh_caches(share)
        print(f"Installed Switchboard's menu entry and icons in {share}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
