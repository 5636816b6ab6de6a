"""``switchboard profile discover`` against the loopback DNS server and autoconfig servers."""

from __future__ import annotations

import functools
import json
import shlex
from collections.abc import Iterator

import pytest
from cli_runner import Cli
from discovery_lab import DiscoveryLab, running_lab
from test_command_loading import loaded_heavy_modules

from desktop.cli.discover_args import NOTHING_FOUND
from desktop.services.container import build_services
from desktop.services.discovery_net import NAMESERVER_ENV, PORTS_ENV
from desktop.services.passwords import CHEAP_TEST_COST

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def lab() -> Iterator[DiscoveryLab]:
    with running_lab() as running:
        yield running


@pytest.fixture
def cli(
    database_url: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    lab: DiscoveryLab,
) -> Cli:
    """A store where ada has the profile ada@https.test, and discovery pointed at the lab."""
    monkeypatch.setattr(
        "desktop.cli.signin.build_services",
        functools.partial(build_services, password_cost=CHEAP_TEST_COST),
    )
    monkeypatch.setenv(NAMESERVER_ENV, f"127.0.0.1:{lab.dns.port}")
    monkeypatch.setenv(PORTS_ENV, f"{lab.web.https_port},{lab.web.http_port}")
    monkeypatch.setenv("SSL_CERT_FILE", str(lab.web.ca_file))
    run = Cli(database_url, capsys, monkeypatch, PASSWORD)
    code, _out, err = run("user", "create", "ada", "--name", "Ada", "--password-stdin",
                          stdin=PASSWORD + "\n", password=None)  # fmt: skip
    assert code == 0, err
    code, _out, err = run("profile", "create", "--user", "ada", "--org", "Lab",
                          "--email", "ada@https.test")  # fmt: skip
    assert code == 0, err
    return run


def test_discover_shows_the_source_the_trust_and_the_command_that_applies_it(cli: Cli) -> None:
    code, out, err = cli("profile", "discover", "ada@https.test")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "Found the servers of Test mail of https.test (verified HTTPS)."
    assert lines[1] == (
        "  from:  https://autoconfig.https.test/mail/config-v1.1.xml?emailaddress=ada@https.test"
    )
    assert "over a verified HTTPS connection" in lines[2]
    assert "  reading (IMAP): imap.https.test:993 ssl, user ada, password" in lines
    command = shlex.split(lines[-1])
    assert command == [
        "switchboard", "profile", "set-server", "--profile", "ada@https.test",
        "--imap-host", "imap.https.test", "--imap-port", "993", "--security", "ssl",
        "--imap-user", "ada",
        "--smtp-host", "smtp.https.test", "--smtp-port", "465", "--smtp-security", "ssl",
        "--password-stdin",
    ]  # fmt: skip

    # The printed command is one the CLI accepts (here without the password: the test machine
    # may have no keyring to keep it in).
    code, out, err = cli(*command[1:-1])
    assert code == 0, err
    assert "mail server of ada@https.test set to imap.https.test (ssl)" in out
    assert "sending server of ada@https.test set to smtp.https.test (ssl)" in out

    code, out, _err = cli("audit", "--egress", "--user", "ada", "--json")
    rows = json.loads(out)
    assert {row["host"] for row in rows} >= {"autoconfig.https.test", "127.0.0.1"}
    assert all(row["commands"][0] == "DISCOVERY" for row in rows)
    assert all(row["profile"] == "ada@https.test" for row in rows)


def test_json_marks_an_http_answer_less_trustworthy(cli: Cli) -> None:
    code, out, err = cli("profile", "discover", "ada@plain.test", "--user", "ada", "--json")
    assert (code, err) == (0, "")
    report = json.loads(out)
    assert report["found"]["trust"] == "http"
    assert report["found"]["less_trustworthy"] is True
    assert report["found"]["source"].startswith("http://autoconfig.plain.test/")
    assert report["set_server"][:5] == ["switchboard", "profile", "set-server", "--profile",
                                        "ada@plain.test"]  # fmt: skip


def test_an_oauth2_provider_is_named_and_its_command_asks_for_that_sign_in(cli: Cli) -> None:
    code, out, _err = cli("profile", "discover", "ada@ms.test", "--user", "ada")
    assert code == 0
    assert "  Microsoft 365 refuses passwords: the account needs an OAuth2 sign-in." in out
    assert shlex.split(out.splitlines()[-1])[-4:] == [
        "--auth", "oauth2", "--oauth-preset", "microsoft"
    ]  # fmt: skip
    assert "--password-stdin" not in out


def test_nothing_found_exits_3_and_lists_what_was_asked(cli: Cli) -> None:
    code, out, err = cli("profile", "discover", "ada@none.test", "--user", "ada")
    assert (code, err) == (NOTHING_FOUND, "")
    assert out.startswith("No server settings were found for none.test")
    assert "  MX none.test: none.test has no MX records." in out
    assert "To use these settings" not in out


def test_bad_input_is_one_line_and_exit_2(cli: Cli) -> None:
    code, _out, err = cli("profile", "discover", "nobody@none.test")
    assert code == 2
    assert "no profile has the email nobody@none.test yet" in err
    code, _out, err = cli("profile", "discover", "not an address", "--user", "ada")
    assert code == 2
    assert "is not an email address" in err


def test_discover_help_documents_the_exit_codes_and_loads_nothing_heavy() -> None:
    code, heavy = loaded_heavy_modules("profile", "discover", "--help")
    assert code == 0
    assert heavy == []


def test_discover_help_text(capsys: pytest.CaptureFixture[str]) -> None:
    from desktop.cli.main import main

    with pytest.raises(SystemExit):
        main(["profile", "discover", "--help"])
    out = capsys.readouterr().out
    assert "exit codes:" in out
    assert f"  {NOTHING_FOUND}  no source named any server for the address" in out
