"""``profile set-server --smtp-*``, ``outbox``, ``outbox send``, ``compose``, ``reply`` and
``forward`` end to end.

The commands run in-process through ``main()``, as from a shell, against the real Postfix and
Dovecot; messages are queued through the service (composing is another command's business).
"""

from __future__ import annotations

import io
import json
from functools import partial
from pathlib import Path

import pytest
from cli_runner import Cli
from dovecot import Dovecot
from mail_helpers import PASSWORD
from outbox_helpers import message, read_folder
from postfix import Postfix

from desktop.cli.main import main
from desktop.services.container import build_services
from desktop.services.secrets import SecretStore
from desktop.store.engine import make_engine
from desktop.store.migrate import upgrade_to_head

USER_PASSWORD = "ada's own long password"
pytestmark = pytest.mark.usefixtures("keyring_service")


@pytest.fixture
def login(dovecot: Dovecot) -> str:
    return dovecot.add_user()


@pytest.fixture
def keyring_service(secret_service: SecretStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands open their own services: give them the test's own keyring service."""
    monkeypatch.setattr(
        "desktop.cli.signin.build_services", partial(build_services, secrets=secret_service)
    )


@pytest.fixture
def cli(
    app_home: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    postfix: Postfix,
    login: str,
) -> Cli:
    runner = Cli(f"sqlite:///{app_home / 'cli.sqlite3'}", capsys, monkeypatch, USER_PASSWORD)
    monkeypatch.delenv("SWITCHBOARD_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO(USER_PASSWORD + "\n"))
    upgrade_to_head(make_engine(runner.database_url))  # plain: queue() opens it directly
    assert main(["--database-url", runner.database_url, "user", "create", "ada", "--name",
                 "Ada", "--password-stdin"]) == 0  # fmt: skip
    email = postfix.address(login)
    code, _, err = runner("profile", "create", "--user", "ada", "--org", "Clinic", "--email", email)
    assert code == 0, err
    return runner


def set_servers(
    cli: Cli, dovecot: Dovecot, postfix: Postfix, login: str, *smtp: str
) -> tuple[int, str, str]:
    return cli(
        "profile", "set-server", "--profile", postfix.address(login), "--imap-host", "127.0.0.1",
        "--imap-port", str(dovecot.imaps_port), "--imap-user", login,
        "--ca-file", dovecot.ca_file, "--password-stdin", *smtp, stdin=PASSWORD + "\n",
    )  # fmt: skip


def queue(cli: Cli, secret_service: SecretStore, sender: str, to: str) -> str:
    with build_services(cli.database_url, secrets=secret_service) as services:
        actor = services.accounts.sign_in("ada", USER_PASSWORD)
        [profile] = services.accounts.list_profiles(actor)
        sent = message(sender, to)
        services.outbox.queue_message(actor, profile.id, sent, [to])
    return str(sent["Message-ID"])


@pytest.mark.keyring
def test_set_server_with_smtp_then_outbox_send_delivers_and_lists_it_sent(
    cli: Cli, dovecot: Dovecot, postfix: Postfix, login: str, secret_service: SecretStore
) -> None:
    code, out, err = set_servers(
        cli, dovecot, postfix, login, "--smtp-host", "127.0.0.1",
        "--smtp-port", str(postfix.submission_port),
    )  # fmt: skip
    assert code == 0, err
    assert "sending server of" in out
    assert "(starttls)" in out
    to = dovecot.add_user()
    message_id = queue(cli, secret_service, postfix.address(login), postfix.address(to))

    code, out, _ = cli("outbox", "--user", "ada", "--json")
    assert code == 0
    [entry] = json.loads(out)
    assert (entry["state"], entry["message_id"]) == ("queued", message_id)

    code, _, err = cli("outbox", "send", "--user", "ada")
    assert code == 0, err
    assert f"{postfix.address(login)}: 1 sent, 0 failed, 0 waiting" in err
    [arrived] = read_folder(dovecot, to, at_least=1)
    assert arrived["Message-ID"] == message_id
    code, out, _ = cli("outbox", "--user", "ada", "--json")
    assert json.loads(out)[0]["state"] == "sent"

    code, out, _ = cli("audit", "--egress", "--user", "ada", "--json")
    assert code == 0
    [smtp] = [row for row in json.loads(out) if row["port"] == postfix.submission_port]
    assert smtp["envelope_sender"] == postfix.address(login)
    assert (smtp["recipient_count"], smtp["recipient_domains"]) == (1, ["example.net"])
    assert smtp["message_ids"] == [message_id]
    assert "subject" not in json.dumps(smtp).lower()
    code, out, _ = cli("audit", "--egress", "--user", "ada")
    assert f"from {postfix.address(login)} to 1 recipient(s) at example.net" in out


@pytest.mark.keyring
def test_outbox_send_exits_1_and_the_list_shows_the_reason_when_the_sender_is_refused(
    cli: Cli, dovecot: Dovecot, postfix: Postfix, login: str, secret_service: SecretStore
) -> None:
    other = dovecot.add_user()
    code, _, err = set_servers(
        cli, dovecot, postfix, login, "--smtp-host", "127.0.0.1", "--smtp-security", "ssl",
        "--smtp-port", str(postfix.smtps_port), "--smtp-user", other,
    )  # fmt: skip
    assert code == 0, err
    queue(cli, secret_service, postfix.address(login), postfix.address(other))

    code, _, err = cli("outbox", "send", "--user", "ada")
    assert code == 1
    assert "0 sent, 1 failed" in err
    code, out, _ = cli("outbox", "--user", "ada")
    assert code == 0
    assert "failed" in out
    assert f"Sender address rejected: not owned by user {other}" in out


def test_smtp_without_encryption_to_another_machine_is_refused(
    cli: Cli, dovecot: Dovecot, postfix: Postfix, login: str
) -> None:
    code, _, err = set_servers(
        cli, dovecot, postfix, login, "--smtp-host", "smtp.example.org",
        "--smtp-security", "none",
    )  # fmt: skip
    assert code != 0
    assert "--smtp-security none would send the password" in err


def synced_message_id(cli: Cli, dovecot: Dovecot, login: str, sender: str, to: str) -> int:
    """The original lands in the profile's INBOX on the server and comes in by a sync."""
    original = message(sender, to, subject="Lab results for bed 4", body="Results attached.\n")
    dovecot.deliver(login, [original.as_bytes()])
    code, _, err = cli("sync", "--user", "ada")
    assert code == 0, err
    code, out, _ = cli("inbox", "--user", "ada", "--json")
    assert code == 0
    [row] = json.loads(out)
    return int(row["id"])


@pytest.mark.keyring
def test_reply_from_the_command_line_goes_from_the_receiving_profile_threaded_without_bcc(
    cli: Cli, dovecot: Dovecot, postfix: Postfix, login: str, secret_service: SecretStore
) -> None:
    code, _, err = set_servers(
        cli, dovecot, postfix, login, "--smtp-host", "127.0.0.1",
        "--smtp-port", str(postfix.submission_port),
    )  # fmt: skip
    assert code == 0, err
    colleague, watcher = dovecot.add_user(), dovecot.add_user()
    own = postfix.address(login)
    message_id = synced_message_id(cli, dovecot, login, postfix.address(colleague), own)
    [original] = read_folder(dovecot, login, at_least=1)

    code, _, err = cli(
        "reply", str(message_id), "--user", "ada", "--body-file", "-",
        stdin="Thank you, I will look at them today.\n",
    )  # fmt: skip
    assert code == 0, err
    assert f"{own}: 1 sent, 0 failed, 0 waiting" in err
    [answer] = read_folder(dovecot, colleague, at_least=1)
    assert answer["From"].addresses[0].addr_spec == own
    assert answer["Subject"] == "Re: Lab results for bed 4"
    assert answer["In-Reply-To"] == original["Message-ID"]
    assert original["Message-ID"] in answer["References"]
    text = answer.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert text.startswith("Thank you, I will look at them today.\n")
    assert "> Results attached." in text
    assert answer["Bcc"] is None

    code, _, err = cli(
        "forward", str(message_id), "--user", "ada", "--to", postfix.address(colleague),
        "--bcc", postfix.address(watcher), "--as-attachment",
    )  # fmt: skip
    assert code == 0, err
    [copy] = read_folder(dovecot, watcher, at_least=1)
    assert copy["Bcc"] is None
    assert copy["Subject"] == "Fwd: Lab results for bed 4"
    assert [part.get_content_type() for part in copy.iter_attachments()] == ["message/rfc822"]
    sent = read_folder(dovecot, login, "Sent", at_least=2)
    assert {m["Subject"] for m in sent} == {
        "Re: Lab results for bed 4",
        "Fwd: Lab results for bed 4",
    }


@pytest.mark.keyring
def test_a_reply_from_another_organization_needs_yes_and_a_bad_address_sends_nothing(
    cli: Cli, dovecot: Dovecot, postfix: Postfix, login: str
) -> None:
    code, _, err = set_servers(
        cli, dovecot, postfix, login, "--smtp-host", "127.0.0.1",
        "--smtp-port", str(postfix.submission_port),
    )  # fmt: skip
    assert code == 0, err
    code, _, err = cli(
        "profile", "create", "--user", "ada", "--org", "Hospital", "--email", "ada@hospital.org"
    )
    assert code == 0, err
    colleague = dovecot.add_user()
    own = postfix.address(login)
    message_id = synced_message_id(cli, dovecot, login, postfix.address(colleague), own)

    code, _, err = cli(
        "reply", str(message_id), "--user", "ada", "--from", "ada@hospital.org",
        "--body-file", "-", stdin="Noted.\n",
    )  # fmt: skip
    assert code == 1
    assert "warning: This message came to your Clinic account" in err
    assert "add --yes to send from ada@hospital.org anyway" in err

    code, _, err = cli(
        "compose", "--profile", own, "--to", "colleague@, ward@example.net", "--subject", "Hi",
        "--body-file", "-", stdin="Hello.\n",
    )  # fmt: skip
    assert code == 2
    assert "“colleague@”" in err
    code, out, _ = cli("outbox", "--user", "ada", "--json")
    assert json.loads(out) == []
