"""The command line's one error channel: a clear line on stderr, an exit code, the rest in the log.

Commands raise :class:`CliError` for bad input they recognise. Anything else that escapes a
command is explained by :func:`desktop.services.failures.describe` in one line (what failed,
what was kept, what to do); the traceback goes to the app log, never to the terminal, where it
would bury the one sentence that matters and show library text no one can act on.
"""

from __future__ import annotations

import contextlib
import io
import logging
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

USAGE_ERROR = 2
FAILED = 1
INTERRUPTED = 130

log = logging.getLogger("desktop.cli")


class CliError(Exception):
    """Bad input or a refused action: printed as ``switchboard: error: ...``, nothing changed."""

    def __init__(self, message: str, exit_code: int = USAGE_ERROR) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def run_with_error_channel(command: Callable[[], int], *, app_log: bool = True) -> int:
    """Runs one command; whatever it raises ends as one line on stderr and an exit code.

    ``app_log`` False opens the log file only if the command fails, for commands with nothing
    else to log.
    """
    _escape_unencodable_output()
    with _app_log() if app_log else contextlib.nullcontext():
        try:
            return command()
        except CliError as error:
            print_error(str(error))
            return error.exit_code
        except KeyboardInterrupt:
            print_error("interrupted; what was saved before is kept")
            return INTERRUPTED
        except Exception as error:
            from desktop.services.failures import describe  # the store's errors: only on failure

            failure = describe(error)
            with contextlib.nullcontext() if app_log else _app_log():
                log.error("command failed: %s\n%s", failure.what_failed, failure.details)
            print_error(failure.summary)
            return FAILED


def print_error(text: str) -> None:
    print(f"switchboard: error: {' '.join(text.split())}", file=sys.stderr)


def _escape_unencodable_output() -> None:
    """A subject in Greek on a terminal set to ASCII prints as ``\\u03b1``, not a crash."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")


@contextmanager
def _app_log() -> Iterator[None]:
    """The app log for the length of one command: tracebacks, thread errors, --protocol-log.

    Removed again afterwards so that a process running many commands (the tests, a script
    importing ``main``) does not collect one open log file per command.
    """
    from desktop.logs import configure_logging

    try:
        handler: logging.Handler | None = configure_logging()
    except OSError:
        handler = None  # an unwritable app home is reported by the command itself
    previous_hook = threading.excepthook
    threading.excepthook = _log_thread_exception
    try:
        yield
    finally:
        threading.excepthook = previous_hook
        if handler is not None:
            logging.getLogger().removeHandler(handler)
            handler.close()


def _log_thread_exception(args: threading.ExceptHookArgs) -> None:
    if args.exc_value is None:
        return
    from desktop.services.failures import describe

    failure = describe(args.exc_value)
    thread = args.thread.name if args.thread is not None else "a thread"
    log.error("uncaught in %s: %s\n%s", thread, failure.what_failed, failure.details)
