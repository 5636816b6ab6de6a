"""The mail commands end to end: set-server, sync, import, inbox and audit --egress.

Each command runs in-process through ``main()`` with its own services, as from a shell; the
server password goes to the real (private) Secret Service and the mail comes from the real Dovecot.
"""

from __future__ import annotations

import io
import json
import mailbox
from datetime import datetime
from functools import partial
from pathlib import Path

import pytest
from cli_runner import Cli
from dovecot import Dovecot
from mail_helpers import PASSWORD, server_client, simple_message

from desktop.cli.main import main
from desktop.services.container import build_services
from desktop.services.secrets import SecretStore

USER_PASSWORD = "ada's own long password"
EMAIL = "ada@clinic.example"


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


@pytest.fixture
def keyring_service(secret_service: SecretStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands open their own services: give them the test's own keyring service."""
    monkeypatch.setattr(
        "desktop.cli.signin.build_services", partial(build_services, secrets=secret_service)
    )


def set_server(cli: Cli, dovecot: Dovecot, login: str, password: str = PASSWORD) -> None:
    code, out, err = cli(
        "profile", "set-server", "--profile", EMAIL, "--imap-host", "127.0.0.1",
        "--imap-port", str(dovecot.imaps_port), "--imap-user", login,
        "--ca-file", dovecot.ca_file, "--password-stdin", stdin=password + "\n",
    )  # fmt: skip
    assert code == 0, err
    assert out == f"mail server of {EMAIL} set to 127.0.0.1 (ssl)\n"


@pytest.mark.imap
@pytest.mark.keyring
@pytest.mark.usefixtures("keyring_service")
def test_set_server_sync_inbox_and_egress(cli: Cli, dovecot: Dovecot, tmp_path: Path) -> None:
    login = dovecot.add_user()
    dovecot.deliver(login, [simple_message(i, body=f"ward round {i}\n") for i in range(7)])
    set_server(cli, dovecot, login)

    code, _, err = cli("sync", "--user", "ada")
    assert code == 0, err
    assert f"{EMAIL}: INBOX: 7/7 messages" in err
    assert f"{EMAIL}: 7 new, 0 removed" in err

    code, out, err = cli("inbox", "--user", "ada", "--json", "--limit", "5")
    assert code == 0, err
    rows = json.loads(out)
    assert len(rows) == 5
    assert {"id", "profile", "from", "subject", "date", "seen"} <= set(rows[0])
    assert rows[0]["profile"] == EMAIL
    assert datetime.fromisoformat(rows[0]["date"]).utcoffset() is not None
    assert rows[0]["seen"] is False

    code, out, _ = cli("inbox", "--user", "ada", "--json", "--search", "round 3")
    assert [row["subject"] for row in json.loads(out)] == ["Message number 3"]

    code, out, err = cli("audit", "--user", "ada", "--egress", "--json")
    assert code == 0, err
    [event] = json.loads(out)
    assert event["host"] == "127.0.0.1"
    assert event["tls_version"].startswith("TLSv1.")
    assert "LOGIN" in event["commands"]
    assert PASSWORD not in out


@pytest.mark.imap
@pytest.mark.keyring
@pytest.mark.usefixtures("keyring_service")
def test_a_failed_profile_makes_sync_exit_1_with_the_reason(cli: Cli, dovecot: Dovecot) -> None:
    set_server(cli, dovecot, dovecot.add_user(), password="not-the-password")
    code, _, err = cli("sync", "--profile", EMAIL)
    assert code == 1
    assert (
        f"switchboard: sync of {EMAIL} failed: The mail server refused the user name or password."
        in err
    )


def test_import_and_reimport(cli: Cli, tmp_path: Path) -> None:
    box = mailbox.mbox(tmp_path / "old.mbox")
    for number in range(4):
        box.add(simple_message(number))
    box.close()
    code, out, err = cli("import", "--profile", EMAIL, str(tmp_path / "old.mbox"))
    assert code == 0, err
    assert out == f"imported 4 new messages into {EMAIL} (0 already there, 0 kept raw as " \
        "unreadable)\n"  # fmt: skip
    assert "import: 100% (4 messages read)" in err
    code, out, _ = cli("import", "--profile", EMAIL, str(tmp_path / "old.mbox"))
    assert "imported 0 new messages" in out
    code, out, _ = cli("inbox", "--user", "ada")
    assert out.count("Message number") == 4


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--imap-host", "mail.example.org", "--security", "none"], "unencrypted"),
        (["--imap-host", "mail.example.org", "--ca-file", "/nonexistent.pem"], "does not exist"),
        (["--imap-host", " "], "must not be empty"),
    ],
)
def test_set_server_refuses_bad_input(cli: Cli, arguments: list[str], message: str) -> None:
    code, out, err = cli("profile", "set-server", "--profile", EMAIL, *arguments)
    assert code == 2
    assert message in err
    assert out == ""


def test_import_of_a_missing_path_and_an_unknown_profile(cli: Cli, tmp_path: Path) -> None:
    code, _, err = cli("import", "--profile", EMAIL, str(tmp_path / "nope.mbox"))
    assert (code, "does not exist" in err) == (2, True)
    code, _, err = cli("import", "--profile", "who@nowhere.example", str(tmp_path))
    assert (code, "no profile with email" in err) == (2, True)


@pytest.mark.imap
@pytest.mark.keyring
@pytest.mark.usefixtures("keyring_service")
def test_security_none_to_this_machine_syncs_and_the_audit_says_plain(
    cli: Cli, dovecot: Dovecot
) -> None:
    login = dovecot.add_user()
    dovecot.deliver(login, [simple_message(1)])
    code, out, err = cli(
        "profile", "set-server", "--profile", EMAIL, "--imap-host", "127.0.0.1",
        "--imap-port", str(dovecot.imap_port), "--imap-user", login, "--security", "none",
        "--password-stdin", stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert code == 0, err
    assert out == f"mail server of {EMAIL} set to 127.0.0.1 (none)\n"
    code, _, err = cli("sync", "--user", "ada")
    assert code == 0, err
    assert f"{EMAIL}: 1 new" in err
    code, out, err = cli("audit", "--user", "ada", "--egress")
    assert code == 0, err
    assert f"127.0.0.1:{dovecot.imap_port}  plain" in out
    code, out, _ = cli("audit", "--user", "ada", "--egress", "--json")
    assert [event["tls_version"] for event in json.loads(out)] == ["plain"]


@pytest.mark.imap
@pytest.mark.keyring
@pytest.mark.usefixtures("keyring_service")
def test_folders_lists_the_tree_and_inbox_folder_lists_a_view_or_one_folder(
    cli: Cli, dovecot: Dovecot
) -> None:
    login = dovecot.add_user()
    dovecot.deliver(login, [simple_message(1, subject="Received")])
    dovecot.doveadm("mailbox", "create", "-s", "-u", login, "Sent", "Work", "Work.Clinic")
    with server_client(dovecot, login) as client:
        client.append("Sent", simple_message(2, subject="What I sent"))
        client.append("Work.Clinic", simple_message(3, subject="Rota"))
    set_server(cli, dovecot, login)
    assert cli("sync", "--user", "ada")[0] == 0

    code, out, err = cli("folders", "--profile", EMAIL, "--json")
    assert code == 0, err
    folders = {f["name"]: (f["role"], f["unread"], f["total"]) for f in json.loads(out)}
    assert folders == {
        "INBOX": ("inbox", 1, 1),
        "Sent": ("sent", 1, 1),
        "Work": (None, 0, 0),
        "Work.Clinic": (None, 1, 1),
    }
    code, out, err = cli("folders", "--profile", EMAIL)
    assert code == 0, err
    assert "    Clinic: 1 unread of 1\n" in out
    assert "  Sent (sent): 1 unread of 1\n" in out

    def subjects(*arguments: str) -> list[str]:
        code, out, err = cli("inbox", "--user", "ada", "--json", *arguments)
        assert code == 0, err
        return [row["subject"] for row in json.loads(out)]

    assert subjects() == ["Received"]
    assert subjects("--folder", "sent") == ["What I sent"]
    assert subjects("--folder", "Work.Clinic", "--profile", EMAIL) == ["Rota"]
    code, _, err = cli("inbox", "--user", "ada", "--folder", "Work.Clinic")
    assert code != 0
    assert "There is no view called 'Work.Clinic'." in err
