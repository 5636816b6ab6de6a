"""Fixtures shared by every test: a private app home and a fresh, migrated store per test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from desktop.paths import HOME_ENV
from desktop.store.engine import DATABASE_URL_ENV, make_engine
from desktop.store.migrate import upgrade_to_head
from desktop.store.session import SessionFactory, make_session_factory

os.environ["QT_QPA_PLATFORM"] = "offscreen"


@pytest.fixture(autouse=True)
def app_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own app home, so no test can see another's store, logs or settings."""
    home = tmp_path / "home"
    monkeypatch.setenv(HOME_ENV, str(home))
    monkeypatch.delenv(DATABASE_URL_ENV, raising=False)
    return home


@pytest.fixture
def engine(app_home: Path) -> Iterator[Engine]:
    """A freshly migrated SQLite store in the test's own app home."""
    fresh = make_engine(f"sqlite:///{app_home / 'store.sqlite3'}")
    upgrade_to_head(fresh)
    yield fresh
    fresh.dispose()


@pytest.fixture
def session_factory(engine: Engine) -> SessionFactory:
    return make_session_factory(engine)
