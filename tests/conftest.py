"""Fixtures shared by every test: a private app home and a fresh, migrated store per test."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest
from sqlalchemy import Engine

from desktop.paths import HOME_ENV
from desktop.services.container import Services, wire_services
from desktop.services.passwords import CHEAP_TEST_COST
from desktop.services.secrets import SecretStore
from desktop.store.engine import DATABASE_URL_ENV, make_engine
from desktop.store.migrate import upgrade_to_head
from desktop.store.session import SessionFactory, make_session_factory

os.environ["QT_QPA_PLATFORM"] = "offscreen"

ON_CI = os.environ.get("CI", "").lower() == "true"


def server_unavailable(reason: str) -> NoReturn:
    """Skip on a developer's machine, but fail under CI=true: CI must run every test."""
    if ON_CI:
        pytest.fail(f"{reason} (CI=true: a missing server fails the run)")
    pytest.skip(reason)


@pytest.fixture
def secret_service() -> SecretStore:
    """A store on the test command's private Secret Service, under a service name of its own."""
    store = SecretStore(service=f"switchboard-test-{uuid.uuid4()}")
    if not store.is_persistent:
        server_unavailable("no Secret Service: run the tests through tools/run-tests.sh")
    return store


@pytest.fixture(autouse=True)
def app_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own app home, so no test can see another's store, logs or settings."""
    home = tmp_path / "home"
    monkeypatch.setenv(HOME_ENV, str(home))
    monkeypatch.delenv(DATABASE_URL_ENV, raising=False)
    monkeypatch.delenv("SWITCHBOARD_PASSWORD", raising=False)
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


@pytest.fixture
def services(engine: Engine) -> Services:
    """The services over the test's store, with in-memory secrets and cheap password hashing."""
    return wire_services(engine, SecretStore.in_memory(), password_cost=CHEAP_TEST_COST)
