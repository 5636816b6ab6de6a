"""Fixtures shared by every test: a private app home and a fresh, migrated store per test."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest
from dovecot import MAIL_SERVER_PASSWORD, Dovecot
from pg_cluster import PostgresCluster, PostgresUnavailableError
from postfix import Postfix
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
DATABASES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


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


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    """One throwaway PostgreSQL server on loopback for the whole test session."""
    try:
        cluster = PostgresCluster()
    except PostgresUnavailableError as error:
        server_unavailable(str(error))
    try:
        cluster.start()
    except PostgresUnavailableError as error:
        cluster.stop()
        server_unavailable(str(error))
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def postgres_template(postgres_cluster: PostgresCluster) -> str:
    """A database migrated once; each test's database is a cheap copy of it."""
    url = postgres_cluster.create_database("switchboard_template")
    migrated = make_engine(url)
    upgrade_to_head(migrated)
    migrated.dispose()
    return "switchboard_template"


def fresh_postgres_database(
    request: pytest.FixtureRequest, template: str = "template0"
) -> Iterator[str]:
    cluster: PostgresCluster = request.getfixturevalue("postgres_cluster")
    name = f"test_{uuid.uuid4().hex[:16]}"
    yield cluster.create_database(name, template)
    cluster.drop_database(name)


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, app_home: Path) -> Iterator[str]:
    """A migrated store of each kind: a SQLite file in the app home, or a PostgreSQL database."""
    if request.param == "sqlite":
        url = f"sqlite:///{app_home / 'store.sqlite3'}"
        migrated = make_engine(url)
        upgrade_to_head(migrated)
        migrated.dispose()
        yield url
        return
    yield from fresh_postgres_database(request, request.getfixturevalue("postgres_template"))


@pytest.fixture(params=DATABASES)
def empty_database_url(request: pytest.FixtureRequest, app_home: Path) -> Iterator[str]:
    """An empty store of each kind, for tests that migrate it themselves."""
    if request.param == "sqlite":
        yield f"sqlite:///{app_home / 'empty.sqlite3'}"
        return
    yield from fresh_postgres_database(request)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """A freshly migrated store (SQLite, and PostgreSQL under the ``postgres`` mark)."""
    fresh = make_engine(database_url)
    yield fresh
    fresh.dispose()


@pytest.fixture
def sqlite_engine(app_home: Path) -> Iterator[Engine]:
    """A freshly migrated SQLite store, for tests about the file itself."""
    fresh = make_engine(f"sqlite:///{app_home / 'store.sqlite3'}")
    upgrade_to_head(fresh)
    yield fresh
    fresh.dispose()


@pytest.fixture
def session_factory(engine: Engine) -> SessionFactory:
    return make_session_factory(engine)


@pytest.fixture
def services(engine: Engine) -> Iterator[Services]:
    """The services over the test's store, with in-memory secrets and cheap password hashing.

    Closed at the end, so that no profile thread or IDLE connection of this test lives on to
    sync a dropped store, hold a Dovecot connection or report to a window long gone."""
    with wire_services(engine, SecretStore.in_memory(), password_cost=CHEAP_TEST_COST) as opened:
        yield opened


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    """One private Dovecot on loopback for the whole run, shared by the mail and GUI tests."""
    if shutil.which("dovecot") is None:
        server_unavailable("dovecot is not installed (Debian package dovecot-imapd)")
    server = Dovecot(MAIL_SERVER_PASSWORD)
    try:
        server.start()
    except (RuntimeError, OSError, KeyError) as error:
        server_unavailable(f"the private Dovecot could not start: {error}")
    yield server
    server.destroy()


@pytest.fixture(scope="session")
def postfix(dovecot: Dovecot) -> Iterator[Postfix]:
    """One private Postfix on loopback for the whole run, delivering into the test Dovecot."""
    if shutil.which("postfix") is None or not Path("/usr/lib/dovecot/lmtp").exists():
        server_unavailable("postfix is not installed (Debian packages postfix, dovecot-lmtpd)")
    server = Postfix(dovecot)
    try:
        server.start()
    except (RuntimeError, OSError) as error:
        server_unavailable(f"the private Postfix could not start: {error}")
    yield server
    server.destroy()
