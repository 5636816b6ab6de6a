"""``switchboard mail move|archive|delete|flag|read ...`` end to end against the real Dovecot.

Each command runs in-process through ``main()`` with its own services, as from a shell, and
returns once the server has the change; the test looks at the server with a client of its own.
"""

from __future__ import annotations

import io
import json
import ssl
from email.message import EmailMessage
from functools import partial
from pathlib import Path

import pytest
from cli_runner import Cli
from dovecot import MAIL_SERVER_PASSWORD, Dovecot
from imapclient import IMAPClient

from desktop.cli.main import main
from desktop.services.container import build_services
from desktop.services.secrets import SecretStore

USER_PASSWORD = "ada's own long password"
EMAIL = "ada@clinic.example"

pytestmark = [pytest.mark.imap, pytest.mark.keyring, pytest.mark.usefixtures("keyring_service")]


@pytest.fixture
def keyring_service(secret_service: SecretStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        "desktop.cli.signin.build_services", partial(build_services, secrets=secret_service)
    )


def message(subject: str) -> bytes:
    built = EmailMessage()
    built["From"] = "Sender <sender@example.org>"
    built["To"] = EMAIL
    built["Subject"] = subject
    built["Message-ID"] = f"<{subject}@example.org>"
    built.set_content("body\n")
    return bytes(built)


@pytest.fixture
def cli(app_home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Cli:
    runner = Cli(f"sqlite:///{app_home / 'cli.sqlite3'}", capsys, monkeypatch, USER_PASSWORD)
    monkeypatch.delenv("SWITCHBOARD_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO(USER_PASSWORD + "\n"))
    assert main(["--database-url", runner.database_url, "user", "create", "ada", "--name",
                 "Ada", "--password-stdin"]) == 0  # fmt: skip
    code, _, err = runner("profile", "create", "--user", "ada", "--org", "Clinic", "--email", EMAIL)
    assert code == 0, err
    return runner


def server(dovecot: Dovecot, login: str) -> IMAPClient:
    context = ssl.create_default_context(cafile=dovecot.ca_file)
    client = IMAPClient("127.0.0.1", port=dovecot.imaps_port, ssl=True, ssl_context=context)
    client.login(login, MAIL_SERVER_PASSWORD)
    return client


def on_server(dovecot: Dovecot, login: str, folder: str) -> int:
    with server(dovecot, login) as client:
        client.select_folder(folder, readonly=True)
        return len(client.search(["NOT", "DELETED"]))


def synced(cli: Cli, dovecot: Dovecot) -> tuple[str, dict[str, int]]:
    login = dovecot.add_user()
    dovecot.deliver(login, [message(f"m{i}") for i in range(4)])
    with server(dovecot, login) as client:
        client.create_folder("Work")
    code, _, err = cli(
        "profile", "set-server", "--profile", EMAIL, "--imap-host", "127.0.0.1",
        "--imap-port", str(dovecot.imaps_port), "--imap-user", login,
        "--ca-file", dovecot.ca_file, "--password-stdin", stdin=MAIL_SERVER_PASSWORD + "\n",
    )  # fmt: skip
    assert code == 0, err
    code, _, err = cli("sync", "--user", "ada")
    assert code == 0, err
    code, out, err = cli("inbox", "--user", "ada", "--json")
    assert code == 0, err
    return login, {row["subject"]: row["id"] for row in json.loads(out)}


def test_move_delete_and_flags_reach_the_server(cli: Cli, dovecot: Dovecot) -> None:
    login, ids = synced(cli, dovecot)
    code, out, err = cli("mail", "move", str(ids["m0"]), str(ids["m1"]), "--to", "Work",
                         "--user", "ada")  # fmt: skip
    assert (code, out) == (0, "Moved 2 messages.\n"), err
    assert on_server(dovecot, login, "Work") == 2

    code, out, err = cli("mail", "read", str(ids["m2"]), "--user", "ada")
    assert (code, out) == (0, "Marked as read 1 message.\n"), err
    with server(dovecot, login) as client:
        client.select_folder("INBOX", readonly=True)
        assert len(client.search("SEEN")) == 1

    code, _, err = cli("mail", "delete", str(ids["m2"]), "--user", "ada")
    assert code == 0, err
    assert on_server(dovecot, login, "Trash") == 1
    code, _, err = cli("mail", "delete", str(ids["m2"]), "--user", "ada")
    assert code == 2
    assert "Add --yes to delete them permanently." in err
    assert on_server(dovecot, login, "Trash") == 1  # nothing deleted
    code, _, err = cli("mail", "delete", str(ids["m2"]), "--user", "ada", "--yes")
    assert code == 0, err
    assert on_server(dovecot, login, "Trash") == 0


def test_unknown_ids_are_named_and_the_rest_is_done(cli: Cli, dovecot: Dovecot) -> None:
    login, ids = synced(cli, dovecot)
    code, out, err = cli("mail", "archive", "9998", str(ids["m3"]), "9999", "--user", "ada")
    assert code == 1
    assert out == "Archived 1 message.\n"
    assert "Message 9998 does not exist." in err
    assert "Message 9999 does not exist." in err
    assert on_server(dovecot, login, "Archive") == 1


def test_a_folder_the_profile_lacks_changes_nothing(cli: Cli, dovecot: Dovecot) -> None:
    login, ids = synced(cli, dovecot)
    code, _, err = cli("mail", "move", str(ids["m0"]), "--to", "Nowhere", "--user", "ada")
    assert code == 2
    assert "There is no folder named 'Nowhere'" in err
    assert on_server(dovecot, login, "INBOX") == 4
