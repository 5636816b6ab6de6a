"""The command line's error channel: each known cause ends in one plain line and a non-zero exit.

Every cause is produced for real: a file of random bytes as the store, a store SQLite may not
write, a store that cannot grow, a loopback port nobody listens on, a Dovecot whose certificate
authority was not given, and a wrong server password. The traceback goes to the app log only.
"""

from __future__ import annotations

import functools
import hashlib
import mailbox
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from cli_runner import Cli
from dovecot import MAIL_SERVER_PASSWORD, Dovecot, free_port
from sqlalchemy import Engine, event

from desktop.cli.main import main
from desktop.logs import LOG_FILE_NAME
from desktop.services.container import build_services
from desktop.services.passwords import CHEAP_TEST_COST
from desktop.services.secrets import SecretStore

PASSWORD = "ada's own long password"
EMAIL = "ada@clinic.example"
RAW_LIBRARY_TEXT = ("sqlalche.me", "Traceback", "sqlite3.", "Errno", "OperationalError")


def one_plain_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    for raw in RAW_LIBRARY_TEXT:
        assert raw not in err
    return lines[0]


def app_log(app_home: Path) -> str:
    return (app_home / "logs" / LOG_FILE_NAME).read_text(encoding="utf-8")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_switchboard(
    *args: str, env: dict[str, str] | None = None, stdin: str = "", without_root_override: bool
) -> subprocess.CompletedProcess[str]:
    """``switchboard`` in its own process; optionally without root's right to ignore file modes.

    Tests run as root in CI, and root writes to a read-only file anyway; dropping the
    DAC-override capabilities gives the process the file permissions any user has.
    """
    prefix: list[str] = []
    if without_root_override and os.geteuid() == 0:
        prefix = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--"]
    command = [sys.executable, "-c", "import sys; from desktop.cli.main import main; "
               "sys.exit(main(sys.argv[1:]))", *args]  # fmt: skip
    return subprocess.run(
        prefix + command,
        input=stdin,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
        check=False,
    )


@pytest.fixture
def cli(app_home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Cli:
    """A store holding user ada with one profile, commands run in-process with cheap hashing."""
    monkeypatch.setattr(
        "desktop.cli.signin.build_services",
        functools.partial(build_services, password_cost=CHEAP_TEST_COST),
    )
    runner = Cli(f"sqlite:///{app_home / 'cli.sqlite3'}", capsys, monkeypatch, PASSWORD)
    code, _, err = runner(
        "user", "create", "ada", "--name", "Ada", "--password-stdin", stdin=PASSWORD + "\n",
        password=None,
    )  # fmt: skip
    assert code == 0, err
    code, _, err = runner("profile", "create", "--user", "ada", "--org", "Clinic", "--email", EMAIL)
    assert code == 0, err
    return runner


def store_path(cli: Cli) -> Path:
    return Path(cli.database_url.removeprefix("sqlite:///"))


def write_mbox(path: Path, subjects: list[str], body: str = "Ward round\n") -> Path:
    box = mailbox.mbox(path)
    for number, subject in enumerate(subjects):
        message = EmailMessage()
        message["From"] = "Sender <sender@example.org>"
        message["To"] = EMAIL
        message["Subject"] = subject
        message["Message-ID"] = f"<{number}.{path.stem}@example.org>"
        message["Date"] = "Tue, 03 Mar 2026 10:00:00 +0000"
        message.set_content(body)
        box.add(message)
    box.close()
    return path


def test_a_store_that_is_not_a_database(
    app_home: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    store = tmp_path / "random.sqlite3"
    store.write_bytes(os.urandom(64 * 1024))
    before = digest(store)
    code = main(["--database-url", f"sqlite:///{store}", "audit", "--user", "ada"])
    line = one_plain_line(capsys.readouterr().err)
    assert code == 1
    assert line.startswith("switchboard: error: The store is not a Switchboard database")
    assert "did not change it" in line
    assert digest(store) == before
    log = app_log(app_home)
    assert "Traceback" in log
    assert "file is not a database" in log


@pytest.mark.parametrize("read_only", ["file", "folder"])
def test_a_read_only_store(cli: Cli, app_home: Path, read_only: str) -> None:
    store = store_path(cli)
    store.chmod(0o444) if read_only == "file" else store.parent.chmod(0o555)
    before = digest(store)
    try:
        done = run_switchboard(
            "--database-url", cli.database_url, "profile", "create", "--user", "ada",
            "--org", "Ward 2", "--email", "ada@ward2.example",
            env={"SWITCHBOARD_PASSWORD": PASSWORD}, without_root_override=True,
        )  # fmt: skip
    finally:
        store.chmod(0o600)
        store.parent.chmod(0o700)
    line = one_plain_line(done.stderr)
    assert done.returncode == 1
    assert "read-only" in line
    assert "Nothing was changed" in line
    assert digest(store) == before


@contextmanager
def store_cannot_grow() -> Iterator[None]:
    """Every new SQLite connection may use no more pages than the file has: SQLITE_FULL."""

    def cap(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        pages = cursor.execute("PRAGMA page_count").fetchone()[0]
        cursor.execute(f"PRAGMA max_page_count={pages}")
        cursor.close()

    event.listen(Engine, "connect", cap)
    try:
        yield
    finally:
        event.remove(Engine, "connect", cap)


def test_a_full_disk_keeps_what_was_there(cli: Cli, tmp_path: Path) -> None:
    code, _, err = cli("import", "--profile", EMAIL, str(write_mbox(tmp_path / "a.mbox", ["kept"])))
    assert code == 0, err
    big = write_mbox(tmp_path / "big.mbox", [f"big {n}" for n in range(40)], "x" * 20_000 + "\n")
    with store_cannot_grow():
        code, _, err = cli("import", "--profile", EMAIL, str(big))
    progress = [line for line in err.splitlines() if line.startswith("import: ")]
    line = one_plain_line("\n".join(x for x in err.splitlines() if x not in progress))
    assert code == 1
    assert line.startswith("switchboard: error: The disk holding the store is full.")
    assert "What was saved before is kept" in line
    code, out, _ = cli("inbox", "--user", "ada")
    assert code == 0
    assert out.count("\n") == 1
    assert "kept" in out


@pytest.fixture
def keyring_service(secret_service: SecretStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands open their own services: give them the test's own keyring service."""
    monkeypatch.setattr(
        "desktop.cli.signin.build_services",
        functools.partial(build_services, secrets=secret_service, password_cost=CHEAP_TEST_COST),
    )


def set_server(cli: Cli, *options: str, password: str = MAIL_SERVER_PASSWORD) -> None:
    code, _, err = cli(
        "profile", "set-server", "--profile", EMAIL, "--imap-host", "127.0.0.1", *options,
        "--password-stdin", stdin=password + "\n",
    )  # fmt: skip
    assert code == 0, err


def failed_sync_line(cli: Cli) -> str:
    code, _, err = cli("sync", "--profile", EMAIL)
    assert code == 1
    line = one_plain_line(err)
    assert line.startswith(f"switchboard: sync of {EMAIL} failed: ")
    assert "The mail already in Switchboard is unchanged." in line
    return line


@pytest.mark.keyring
@pytest.mark.usefixtures("keyring_service")
def test_a_server_that_cannot_be_reached(cli: Cli) -> None:
    set_server(cli, "--imap-port", str(free_port()))
    line = failed_sync_line(cli)
    assert "The server could not be reached: it refused the connection" in line


@pytest.mark.imap
@pytest.mark.keyring
@pytest.mark.usefixtures("keyring_service")
def test_a_certificate_that_is_not_trusted(cli: Cli, dovecot: Dovecot) -> None:
    set_server(cli, "--imap-port", str(dovecot.imaps_port), "--imap-user", dovecot.add_user())
    line = failed_sync_line(cli)
    assert "certificate is not trusted" in line
    assert "--ca-file" in line


@pytest.mark.imap
@pytest.mark.keyring
@pytest.mark.usefixtures("keyring_service")
def test_a_wrong_server_password(cli: Cli, dovecot: Dovecot) -> None:
    set_server(
        cli, "--imap-port", str(dovecot.imaps_port), "--imap-user", dovecot.add_user(),
        "--ca-file", dovecot.ca_file, password="not-the-password",
    )  # fmt: skip
    line = failed_sync_line(cli)
    assert "The mail server refused the user name or password." in line


@pytest.mark.imap
@pytest.mark.keyring
@pytest.mark.usefixtures("keyring_service")
def test_protocol_log_writes_the_conversation_to_the_app_log(
    cli: Cli, dovecot: Dovecot, app_home: Path
) -> None:
    login = dovecot.add_user()
    set_server(
        cli, "--imap-port", str(dovecot.imaps_port), "--imap-user", login,
        "--ca-file", dovecot.ca_file, "--protocol-log",
    )  # fmt: skip
    code, _, err = cli("sync", "--profile", EMAIL)
    assert code == 0, err
    log = app_log(app_home)
    assert "C: " in log
    assert "S: " in log
    assert "LOGIN [redacted]" in log
    assert MAIL_SERVER_PASSWORD not in log
    assert login not in log


def test_inbox_on_an_ascii_terminal_escapes_what_it_cannot_print(cli: Cli, tmp_path: Path) -> None:
    subject = "Ärztebrief über Ωmega ✓"
    code, _, err = cli(
        "import", "--profile", EMAIL, str(write_mbox(tmp_path / "u.mbox", [subject]))
    )
    assert code == 0, err
    done = run_switchboard(
        "--database-url", cli.database_url, "inbox", "--user", "ada",
        env={"SWITCHBOARD_PASSWORD": PASSWORD, "PYTHONIOENCODING": "ascii"},
        without_root_override=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert subject.encode("ascii", "backslashreplace").decode() in done.stdout
