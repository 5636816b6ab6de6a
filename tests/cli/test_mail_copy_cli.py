"""``switchboard mail copy ID... --to-profile EMAIL`` end to end against the real Dovecot: the
command names both organizations and both addresses, copies only after a yes on a terminal (or
``--yes``), and returns once the target profile's server has the copy."""

from __future__ import annotations

import io

import pytest
from cli_runner import Cli
from dovecot import MAIL_SERVER_PASSWORD, Dovecot
from test_mail_actions_cli import cli, keyring_service, on_server, synced

from desktop.cli.main import main

__all__ = ["cli", "keyring_service"]  # the fixtures, shared with the other mail commands

HOSPITAL = "ada@hospital.example"
SIDES = ("Clinic (ada@clinic.example)", "St Mary (ada@hospital.example)")

pytestmark = [pytest.mark.imap, pytest.mark.keyring, pytest.mark.usefixtures("keyring_service")]


class Terminal(io.StringIO):
    """What the person types, on a stdin that is a terminal."""

    def isatty(self) -> bool:
        return True


def typed(cli: Cli, answer: str, *args: str) -> tuple[int, str, str]:
    """The command run from a terminal where the person answers ``answer``."""
    cli.capsys.readouterr()
    cli.monkeypatch.setenv("SWITCHBOARD_PASSWORD", cli.password)
    cli.monkeypatch.setattr("sys.stdin", Terminal(answer))
    code = main(["--database-url", cli.database_url, *args])
    captured = cli.capsys.readouterr()
    return code, captured.out, captured.err


def with_hospital(cli: Cli, dovecot: Dovecot) -> str:
    """Ada's second profile, at another organization, on a Dovecot user of its own."""
    login = dovecot.add_user()
    code, _, err = cli(
        "profile", "create", "--user", "ada", "--org", "St Mary", "--email", HOSPITAL
    )  # fmt: skip
    assert code == 0, err
    code, _, err = cli(
        "profile", "set-server", "--profile", HOSPITAL, "--imap-host", "127.0.0.1",
        "--imap-port", str(dovecot.imaps_port), "--imap-user", login,
        "--ca-file", dovecot.ca_file, "--password-stdin", stdin=MAIL_SERVER_PASSWORD + "\n",
    )  # fmt: skip
    assert code == 0, err
    code, _, err = cli("sync", "--user", "ada")
    assert code == 0, err
    return login


def test_a_copy_is_asked_on_a_terminal_refused_without_one_and_lands_once(
    cli: Cli, dovecot: Dovecot
) -> None:
    clinic, ids = synced(cli, dovecot)
    hospital = with_hospital(cli, dovecot)
    copy = ("mail", "copy", str(ids["m0"]), "--to-profile", HOSPITAL, "--user", "ada")

    code, _, err = cli(*copy)  # a script: no one to ask
    assert code == 2
    assert all(side in err for side in SIDES)
    assert "Nothing was copied: add --yes" in err
    code, out, err = typed(cli, "n\n", *copy)
    assert code == 2
    assert out.startswith(f"Copy 1 message from {SIDES[0]} to {SIDES[1]}?")
    assert "Nothing was copied." in err
    assert on_server(dovecot, hospital, "INBOX") == 0

    code, out, err = typed(cli, "y\n", *copy)
    assert code == 0, err
    assert out.endswith(f"Copied 1 message to INBOX of {SIDES[1]}.\n")
    assert on_server(dovecot, hospital, "INBOX") == 1
    assert on_server(dovecot, clinic, "INBOX") == 4  # the source keeps its mail

    code, out, err = cli(
        "mail", "copy", str(ids["m1"]), str(ids["m2"]), "9999", "--to-profile", HOSPITAL,
        "--to", "INBOX", "--user", "ada", "--yes",
    )  # fmt: skip
    assert code == 1  # one ID unknown, named; the rest copied
    assert "Message 9999 does not exist." in err
    assert out == f"Copied 2 messages to INBOX of {SIDES[1]}.\n"
    assert on_server(dovecot, hospital, "INBOX") == 3
    code, _, err = cli("sync", "--user", "ada")
    assert code == 0, err
    assert on_server(dovecot, hospital, "INBOX") == 3  # nothing appended twice


def test_a_copy_within_the_profile_or_to_an_unknown_address_changes_nothing(
    cli: Cli, dovecot: Dovecot
) -> None:
    clinic, ids = synced(cli, dovecot)
    hospital = with_hospital(cli, dovecot)
    code, _, err = cli("mail", "copy", str(ids["m0"]), "--to-profile", "ada@clinic.example",
                       "--user", "ada", "--yes")  # fmt: skip
    assert code == 2
    assert "within one profile a message is moved, not copied" in err
    code, _, err = cli("mail", "copy", str(ids["m0"]), "--to-profile", "eve@example.org",
                       "--user", "ada", "--yes")  # fmt: skip
    assert code == 2
    assert "ada has no profile with the address eve@example.org" in err
    code, _, err = cli("mail", "copy", str(ids["m0"]), "--to-profile", HOSPITAL, "--to",
                       "Nowhere", "--user", "ada", "--yes")  # fmt: skip
    assert code == 2
    assert "There is no folder named 'Nowhere' in St Mary" in err
    assert on_server(dovecot, hospital, "INBOX") == 0
    assert on_server(dovecot, clinic, "INBOX") == 4
