"""Entry point of the ``switchboard`` command.

With no subcommand it opens the main window. Each command is two modules under ``desktop.cli``:
``*_args`` builds its arguments and names the function that runs it ("module:function"), and
the ``*_command`` module holding that function is imported only when the command runs. So the
parser, assembled here and nowhere else, never loads the store, the keyring or Qt: ``--help``
and ``switchboard id`` start as fast as the interpreter allows.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import sys
from collections.abc import Callable, Sequence
from functools import partial

from desktop import __version__
from desktop.cli import (
    audit_args,
    autostart_args,
    compose_args,
    folder_args,
    id_args,
    lookup_args,
    mail_args,
    outbox_args,
    profile_args,
    selftest_args,
    store_args,
    user_args,
)
from desktop.cli.arguments import add_database_argument
from desktop.cli.errors import run_with_error_channel
from desktop.core.compose.mailto import is_mailto

COMMANDS = (
    selftest_args,
    user_args,
    profile_args,
    lookup_args,
    audit_args,
    id_args,
    mail_args,
    folder_args,
    compose_args,
    outbox_args,
    autostart_args,
    store_args,
)

Handler = Callable[[argparse.Namespace], int]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="switchboard",
        description="One sign-in for all your accounts, one inbox over all of them. "
        "Run without a command to open the window.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check this installation offscreen in a temporary store, then exit (same as "
        "'switchboard self-test')",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="when the store is empty, fill it with demo data (one user, three profiles, a few "
        "hundred messages) before opening the window",
    )
    parser.add_argument(
        "--tray",
        action="store_true",
        help="start with only the tray icon, the window hidden until the icon is clicked (the "
        "window opens anyway on a desktop without a tray)",
    )
    add_database_argument(parser)
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    for module in COMMANDS:
        module.register(subparsers)
    return parser


def load_handler(path: str) -> Handler:
    """The function named by "module:function", its module imported now, when it is needed.

    The cycle collector waits meanwhile: a command's imports (SQLAlchemy and the models) make
    a few hundred thousand objects that all live until the process ends, and scanning them over
    and over took about a tenth of ``switchboard inbox``'s start. Frozen afterwards, they are
    never scanned again; garbage made from then on is collected as usual.
    """
    module, _, name = path.partition(":")
    gc.disable()
    try:
        handler: Handler = getattr(importlib.import_module(module), name)
    finally:
        gc.freeze()
        gc.enable()
    return handler


def main(argv: Sequence[str] | None = None) -> int:
    """``switchboard mailto:...`` opens the window (or the running one) on a new message."""
    given = list(sys.argv[1:] if argv is None else argv)
    links = [argument for argument in given if is_mailto(argument)]
    parser = build_parser()
    args = parser.parse_args([argument for argument in given if not is_mailto(argument)])
    path: str | None = selftest_args.RUN if args.self_test else getattr(args, "handler", None)
    if links and path is not None:
        parser.error("A mailto: link opens the window, so it cannot go with a command.")
    # The ID converter touches no store, server or keyring: nothing to log, so no log file.
    app_log = path is None or not path.startswith(id_args.RUN)
    return run_with_error_channel(partial(_run, args, path, links), app_log=app_log)


def _run(args: argparse.Namespace, path: str | None, links: Sequence[str]) -> int:
    if path is None:
        from desktop.gui.launch import run_gui

        if args.demo:
            _seed_demo_if_empty(args.database_url)
        return run_gui(args.database_url, links, tray=args.tray)
    result: int = load_handler(path)(args)
    return result


def _seed_demo_if_empty(database_url: str | None) -> None:
    from desktop.services.demo import DEMO_LOGIN, DEMO_PASSWORD, seed_demo_store
    from desktop.services.errors import AccountError
    from desktop.services.store_opening import StoreDoor
    from desktop.store.migrate import StoreUpgradeError

    try:
        seeded = seed_demo_store(StoreDoor(database_url))
    except (StoreUpgradeError, AccountError):
        return  # the window reports an unusable store itself, in the same words
    if seeded:
        print(
            f"switchboard: demo data ready: sign in as {DEMO_LOGIN!r} "
            f"with password {DEMO_PASSWORD!r}",
            file=sys.stderr,
        )
