"""The parser is built from light modules; a command loads the store, keyring or Qt only when it
runs, so ``--help`` and ``switchboard id`` start as fast as the interpreter does."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

import pytest

from desktop.cli import profile_args
from desktop.cli.arguments import DATABASE_URL_ENV
from desktop.cli.main import build_parser, load_handler

HEAVY = ("sqlalchemy", "alembic", "keyring", "PySide6", "desktop.store", "desktop.services")

#: Runs the command in this process, then prints the heavy modules it imported.
PROBE = """
import json, sys
from desktop.cli.main import main
try:
    code = main(sys.argv[1:])
except SystemExit as exit:
    code = exit.code
except Exception as error:  # what failed is not the question here, only what was loaded
    code = type(error).__name__
heavy = sorted({name for name in sys.modules if name.split(".")[0] in HEAVY_ROOTS
                or name.startswith(HEAVY_PACKAGES)})
print(json.dumps({"code": code, "heavy": heavy}), file=sys.stderr)
"""


def loaded_heavy_modules(*argv: str) -> tuple[int, list[str]]:
    roots = [name for name in HEAVY if "." not in name]
    packages = tuple(name for name in HEAVY if "." in name)
    code = f"HEAVY_ROOTS = {roots!r}\nHEAVY_PACKAGES = {packages!r}\n" + PROBE
    result = subprocess.run(
        [sys.executable, "-c", code, *argv],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    report = json.loads(result.stderr.splitlines()[-1])
    return report["code"], report["heavy"]


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["id", "encode", "5"],
        ["id", "decode", "20 exultant leopard strode intensely"],
        ["id", "--help"],
        ["profile", "--help"],
        ["inbox", "--help"],
        ["folders", "--help"],
    ],
)
def test_help_and_id_commands_load_no_store_keyring_or_qt(argv: list[str]) -> None:
    code, heavy = loaded_heavy_modules(*argv)
    assert code == 0
    assert heavy == []


def test_a_command_that_needs_the_store_still_loads_it_when_it_runs() -> None:
    """The probe does see heavy modules: a store command imports them on dispatch."""
    _, heavy = loaded_heavy_modules("audit", "--user", "nobody")
    assert "sqlalchemy" in heavy


def _handlers(parser: argparse.ArgumentParser) -> list[str]:
    found = [parser.get_default("handler")] if parser.get_default("handler") else []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                found.extend(_handlers(sub))
    return found


def test_every_command_names_a_function_that_exists() -> None:
    handlers = _handlers(build_parser())
    assert {"desktop.cli.id_command:run_decode", "desktop.cli.mail_command:run_inbox"} <= set(
        handlers
    )
    for path in handlers:
        assert callable(load_handler(path)), path


def test_constants_named_for_the_parser_match_their_sources() -> None:
    from desktop.services.mail.connection import DEFAULT_PORTS, SECURITY_MODES
    from desktop.store.engine import DATABASE_URL_ENV as STORE_ENV

    assert DATABASE_URL_ENV == STORE_ENV
    assert profile_args.SECURITY_MODES == SECURITY_MODES
    assert set(DEFAULT_PORTS) == set(SECURITY_MODES)
