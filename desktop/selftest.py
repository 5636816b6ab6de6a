"""A start-to-finish check of an installation, run by ``--self-test`` in the packaged app.

Each step runs in a temporary app home so that the check never touches the user's data; the
first failing step is named on stderr and makes the exit status non-zero.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from desktop.paths import HOME_ENV

Step = Callable[[Path], None]


def _migrate_store(home: Path) -> None:
    from sqlalchemy import inspect

    from desktop.store.engine import make_engine
    from desktop.store.migrate import upgrade_to_head

    engine = make_engine(f"sqlite:///{home / 'selftest.sqlite3'}")
    try:
        upgrade_to_head(engine)
        missing = {"users", "profiles", "audit_events"} - set(inspect(engine).get_table_names())
        if missing:
            raise RuntimeError(f"tables missing after migration: {', '.join(sorted(missing))}")
    finally:
        engine.dispose()


def _open_main_window(_home: Path) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from desktop.gui.selftest_window import open_and_close_main_window

    open_and_close_main_window()


def _round_trip_support_id(_home: Path) -> None:
    """Also proves the layout files travelled with the bundle: the codec reads them at run time."""
    from desktop.core.idsentence import default_codec, load_codec

    for bits in (16, 32, 64):
        codec = load_codec(bits)
        for value in (0, 1, (1 << bits) - 1, 0x9E3779B97F4A7C15 & ((1 << bits) - 1)):
            sentence = codec.encode(value)
            decoded = codec.decode(sentence).value
            if decoded != value:
                raise RuntimeError(f"{codec.name}: {value} -> {sentence!r} -> {decoded}")
    heard = default_codec().decode("Twenty exultant leopard strode intensly.")
    if heard.value != 2474137653:
        raise RuntimeError(f"a misheard sentence decoded to {heard.value}, not 2474137653")


def _sign_in(home: Path) -> None:
    """Proves argon2's compiled bindings and the account services made it into the bundle."""
    from desktop.services.accounts import ProfileDraft
    from desktop.services.container import build_services
    from desktop.services.secrets import SecretStore

    url = f"sqlite:///{home / 'selftest-accounts.sqlite3'}"
    with build_services(url, secrets=SecretStore.in_memory()) as services:
        accounts = services.accounts
        accounts.create_first_user("selftest", "Self-test", "self-test password")
        actor = accounts.sign_in("selftest", "self-test password")
        accounts.create_profile(
            actor, ProfileDraft(organization="Self-test", email="selftest@example.org")
        )
        if len(accounts.list_profiles(accounts.sign_in("selftest", "self-test password"))) != 1:
            raise RuntimeError("the new profile is missing after signing in again")


def _load_postgresql_driver(_home: Path) -> None:
    """A shared directory runs on PostgreSQL: its dialect and driver are loaded by URL, lazily."""
    from desktop.store.engine import make_engine

    make_engine("postgresql+psycopg://selftest@127.0.0.1:1/selftest").dispose()


STEPS: tuple[tuple[str, Step], ...] = (
    ("migrate a temporary store", _migrate_store),
    ("open and close the main window", _open_main_window),
    ("encode and decode a support ID", _round_trip_support_id),
    ("sign in to a temporary store", _sign_in),
    ("load the PostgreSQL driver", _load_postgresql_driver),
)


def run_self_test() -> int:
    previous_home = os.environ.get(HOME_ENV)
    with tempfile.TemporaryDirectory(prefix="switchboard-selftest-") as tmp:
        os.environ[HOME_ENV] = tmp
        try:
            for name, step in STEPS:
                try:
                    step(Path(tmp))
                except Exception as error:
                    print(f"self-test: FAILED at '{name}': {error}", file=sys.stderr)
                    return 1
                print(f"self-test: ok   {name}")
        finally:
            if previous_home is None:
                os.environ.pop(HOME_ENV, None)
            else:
                os.environ[HOME_ENV] = previous_home
    print("self-test: all steps passed")
    return 0
