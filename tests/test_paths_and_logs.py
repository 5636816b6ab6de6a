"""All app data stays in the app home; the log file is private and rotates."""

from __future__ import annotations

import logging
import logging.handlers
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop import paths
from desktop.core import resources
from desktop.logs import configure_logging


@pytest.fixture
def file_logging() -> Iterator[logging.Handler]:
    handler = configure_logging()
    yield handler
    logging.getLogger().removeHandler(handler)
    handler.close()


def test_app_home_follows_the_environment(app_home: Path) -> None:
    assert not app_home.exists()
    assert paths.app_home() == app_home
    assert stat.S_IMODE(app_home.stat().st_mode) == 0o700
    assert paths.store_file().parent == app_home


def test_log_file_is_private_and_rotating(app_home: Path, file_logging: logging.Handler) -> None:
    logging.getLogger("desktop.test").info("profile %d synced", 7)
    file_logging.flush()
    log_file = app_home / "logs" / "switchboard.log"
    assert "profile 7 synced" in log_file.read_text(encoding="utf-8")
    assert stat.S_IMODE(log_file.stat().st_mode) == 0o600
    assert isinstance(file_logging, logging.handlers.RotatingFileHandler)
    assert configure_logging() is file_logging


def test_resources_ship_the_classic_layout() -> None:
    assert (resources.resources_dir() / "layouts" / "classic-32.json").is_file()


def test_opened_attachments_go_to_the_runtime_folder_unless_the_app_home_is_set(
    app_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    assert paths.opened_attachments_dir() == app_home / "opened"
    monkeypatch.delenv(paths.HOME_ENV)
    assert paths.opened_attachments_dir() == runtime / "Switchboard" / "opened"
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "missing"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert paths.opened_attachments_dir() == tmp_path / "data" / "Switchboard" / "opened"
