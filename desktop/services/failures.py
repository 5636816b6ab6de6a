"""What went wrong, in words a person can act on: the one translation of exceptions for CLI and GUI.

Library errors are written for programmers ("(sqlite3.DatabaseError) file is not a database",
"[Errno 111] Connection refused", a link to sqlalche.me). People need three things instead: what
failed, whether anything was lost, and what to do next. :func:`describe` gives those three
sentences for every cause the app knows, and keeps the library's own text (with the traceback)
in ``details``, which goes to the log and behind a "Copy details" button, never into the
sentences themselves. An exception nobody foresaw still gets an honest answer: it is a fault of
the app, and the log holds what the developers need.
"""

from __future__ import annotations

import errno
import re
import socket
import ssl
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from desktop.services.errors import AccountError
from desktop.services.mail.connection import PlaintextRefusedError
from desktop.services.mail.imap_sync import (
    AuthenticationError,
    CertificateError,
    ConnectionProblemError,
    NotConfiguredError,
    SyncCancelledError,
    SyncError,
)
from desktop.services.mail.importer import ImportSourceError
from desktop.services.secrets import SecretStoreError
from desktop.services.sign_in_needed import SignInNeededError, authorize_command
from desktop.store.cipher import sqlite_errors
from desktop.store.migrate import StoreTooNewError, StoreUpgradeError

NOTHING_CHANGED = "Nothing was changed."
MAIL_KEPT = "The mail already in Switchboard is unchanged."


@dataclass(frozen=True)
class Failure:
    what_failed: str
    what_was_kept: str
    what_to_do: str
    details: str

    @property
    def summary(self) -> str:
        """The three sentences on one line: what the CLI prints and a status bar shows."""
        return " ".join(
            part for part in (self.what_failed, self.what_was_kept, self.what_to_do) if part
        )


def describe(error: BaseException) -> Failure:
    """The first cause in ``error``'s chain that has a plain explanation, else "an app fault"."""
    details = _PARAMETERS.sub(r"\1\2 [hidden]", "".join(traceback.format_exception(error)))
    details = details.rstrip()
    for table in (_EXPLANATIONS, _FALLBACKS):
        for cause in _chain(error):
            for kind, explain in table:
                if isinstance(cause, kind):
                    words = explain(cause)
                    if words is not None:
                        return Failure(*words, details=details)
    return Failure(
        "Switchboard ran into a problem it did not expect "
        f"({type(error).__name__}); this is a fault of the app, not of what you did.",
        "What was already saved is kept; the step that failed was not completed.",
        "Try again; if it happens again, send the details to your support desk.",
        details,
    )


Words = tuple[str, str, str]
# SQLAlchemy puts a failed statement's values (message text, addresses) into its message, and
# PostgreSQL its failing row or key ("DETAIL: Failing row contains (...)"); the details go to the
# log and to the support desk, which must never get mail content.
_PARAMETERS = re.compile(r"^(\s*)(\[parameters:|DETAIL:).*$", re.MULTILINE)


def _chain(error: BaseException) -> Iterator[BaseException]:
    """``error``, then what it was raised from (SQLAlchemy's ``orig`` counts), without loops."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        if isinstance(current, DBAPIError) and isinstance(current.orig, BaseException):
            yield current.orig
        current = current.__cause__ or current.__context__


def _sqlite(error: Exception) -> Words | None:
    if not isinstance(error, sqlite_errors()):  # sqlite3's or SQLCipher's, which are unrelated
        return None
    name = getattr(error, "sqlite_errorname", "") or ""
    text = str(error).lower()
    if name == "SQLITE_NOTADB" or "file is not a database" in text:
        return (
            "The store is not a Switchboard database: the file is damaged or is another kind "
            "of file.",
            "Switchboard did not change it.",
            "Restore the store from a backup (copies made before upgrades end in .bak), or "
            "choose another store with --database-url.",
        )
    if name == "SQLITE_CORRUPT" or "malformed" in text:
        return (
            "The store is damaged and cannot be read.",
            "Switchboard did not change it.",
            "Restore the store from a backup (copies made before upgrades end in .bak).",
        )
    if name.startswith("SQLITE_READONLY") or "readonly database" in text:
        return _read_only()
    if name == "SQLITE_FULL" or "database or disk is full" in text:
        return _disk_full()
    if name == "SQLITE_CANTOPEN" or "unable to open database" in text:
        return (
            "The store could not be opened: its file or folder is missing or may not be written.",
            NOTHING_CHANGED,
            "Check that the store's folder exists and that you may write to it.",
        )
    if name in {"SQLITE_BUSY", "SQLITE_LOCKED"} or "database is locked" in text:
        return (
            "The store is busy: another program has held it for too long.",
            "What was saved before is kept; this step was not saved.",
            "Close other copies of Switchboard using this store, then try again.",
        )
    if name.startswith("SQLITE_IOERR") or "disk i/o error" in text:
        return (
            "The store's disk reported a read or write error.",
            "What was saved before is kept; this step was not saved.",
            "Check that the disk is connected and has free space, then try again.",
        )
    return None


def _read_only() -> Words:
    return (
        "The store is read-only: Switchboard may not write to its file or folder.",
        "Nothing was changed; your data is as it was.",
        "Make the store file and its folder writable for your account, or choose another "
        "store with --database-url.",
    )


def _disk_full() -> Words:
    return (
        "The disk holding the store is full.",
        "What was saved before is kept; this step was not saved.",
        "Free some disk space, then try again.",
    )


def _database(error: SQLAlchemyError) -> Words | None:
    """A database error without a SQLite cause: the PostgreSQL server, or the connection to it."""
    if not isinstance(error, DBAPIError) or isinstance(error.orig, sqlite_errors()):
        return None
    if error.connection_invalidated or "connect" in str(error.orig).lower():
        return (
            "The database server could not be reached.",
            NOTHING_CHANGED,
            "Check that the database server is running and the --database-url is right, then "
            "try again.",
        )
    return None


def _os(error: OSError) -> Words | None:
    if isinstance(error, ssl.SSLError):
        return None  # its errno is an OpenSSL code, not an errno
    if error.errno == errno.ENOSPC:
        return _disk_full()
    if error.errno in {errno.EACCES, errno.EPERM, errno.EROFS}:
        where = f" ({error.filename})" if error.filename else ""
        return (
            f"Switchboard may not write where it needs to{where}: the file or its folder is "
            "read-only.",
            NOTHING_CHANGED,
            "Make the file and its folder writable for your account, then try again.",
        )
    if error.errno in {errno.ENOENT, errno.ENOTDIR} and error.filename:
        return (
            f"{error.filename} cannot be reached: it or a folder on its way does not exist.",
            NOTHING_CHANGED,
            "Choose a folder that exists, or create it, then try again.",
        )
    return None


def _unreachable(error: OSError) -> Words | None:
    if isinstance(error, socket.gaierror):
        why = "its name could not be found"
    elif isinstance(error, ConnectionRefusedError):
        why = "it refused the connection (nothing answers on that port)"
    elif isinstance(error, TimeoutError):
        why = "it did not answer in time"
    elif isinstance(error, ConnectionError):
        why = "the connection broke off"
    else:
        return None
    return (
        f"The server could not be reached: {why}.",
        MAIL_KEPT,
        "Check the server name and port and your network, then try again.",
    )


def _certificate(error: BaseException) -> Words | None:
    cause = error.__cause__
    other_tls = isinstance(cause, ssl.SSLError) and not isinstance(
        cause, ssl.SSLCertVerificationError
    )
    if isinstance(error, CertificateError) and other_tls:
        return None  # a TLS failure of another kind: the fallback says so
    return (
        "The mail server's certificate is not trusted, so Switchboard did not send it your "
        "password.",
        MAIL_KEPT,
        "If your organisation uses its own certificate authority, give its CA file "
        "(profile set-server --ca-file); otherwise tell your IT department.",
    )


def _authentication(_error: BaseException) -> Words:
    return (
        "The mail server refused the user name or password.",
        MAIL_KEPT,
        "Set the right server password (profile set-server --password-stdin, or the profile's "
        "settings), then sync again.",
    )


def _sign_in_needed(error: SignInNeededError) -> Words:
    return (
        _sentence(str(error)),
        "Its mail, outbox and your moves and deletes wait here; your other accounts go on.",
        f"Choose Sign in again beside it in the window, or run: {authorize_command(error.email)}",
    )


def _sync_not_configured(error: BaseException) -> Words:
    return (
        f"{_sentence(str(error))}",
        MAIL_KEPT,
        "Set the profile's mail server, then sync again.",
    )


def _sync_other(error: BaseException) -> Words | None:
    if isinstance(error, SyncCancelledError):
        return ("The sync was stopped.", "What had arrived is kept.", "Sync again to go on.")
    return None


def _store_upgrade(error: StoreUpgradeError) -> Words | None:
    if isinstance(error, StoreTooNewError):
        return (
            "The store was written by a newer version of Switchboard.",
            NOTHING_CHANGED,
            "Update Switchboard to open it.",
        )
    return None  # its cause (disk full, read-only, ...) says more than "the upgrade failed"


def _user_facing(error: BaseException) -> Words:
    """Errors whose message the services already wrote for a person."""
    return (_sentence(str(error)), NOTHING_CHANGED, "")


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return "The request was refused."
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


_EXPLANATIONS: tuple[tuple[type[BaseException], Callable[..., Words | None]], ...] = (
    (SignInNeededError, _sign_in_needed),
    (AuthenticationError, _authentication),
    (CertificateError, _certificate),
    (ssl.SSLCertVerificationError, _certificate),
    (NotConfiguredError, _sync_not_configured),
    (PlaintextRefusedError, _user_facing),
    (Exception, _sqlite),
    (StoreUpgradeError, _store_upgrade),
    (SQLAlchemyError, _database),
    (AccountError, _user_facing),
    (SecretStoreError, _user_facing),
    (ImportSourceError, _user_facing),
    (OSError, _unreachable),
    (OSError, _os),
    (SyncError, _sync_other),
)

# Used only when no cause in the chain has a sharper explanation.
_FALLBACKS: tuple[tuple[type[BaseException], Callable[..., Words | None]], ...] = (
    (
        ConnectionProblemError,
        lambda _error: (
            "The connection to the mail server failed.",
            MAIL_KEPT,
            "Switchboard tries again by itself; if it keeps failing, check the server settings.",
        ),
    ),
    (
        StoreUpgradeError,
        lambda _error: (
            "The store could not be brought up to this version of Switchboard.",
            "The store was left as it was.",
            "Send the details to your support desk; the previous version can still open it.",
        ),
    ),
    (
        ssl.SSLError,
        lambda _error: (
            "A secure connection to the server could not be set up.",
            MAIL_KEPT,
            "Check the server's security setting (ssl or starttls) and port.",
        ),
    ),
)
