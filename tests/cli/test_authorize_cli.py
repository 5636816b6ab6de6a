"""``profile set-server --auth oauth2`` and ``profile authorize`` end to end, in-process as from
a shell, against the local OAuth2 provider and a Dovecot that checks its tokens."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest
from cli_runner import Cli
from dovecot import MAIL_SERVER_PASSWORD, Dovecot
from oauth_provider import CLIENT_ID, OAuthProvider

from desktop.cli.main import main
from desktop.services.container import build_services
from desktop.services.secrets import SecretStore
from desktop.services.store_opening import StoreDoor

USER_PASSWORD = "ada's own long password"
EMAIL = "ada@clinic.example"


@pytest.fixture(scope="module")
def provider() -> Iterator[OAuthProvider]:
    server = OAuthProvider().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def oauth_dovecot(dovecot: Dovecot, provider: OAuthProvider) -> Iterator[Dovecot]:
    """Its own Dovecot that takes the provider's tokens (after the session's, which skips or
    fails the run where Dovecot is missing)."""
    server = Dovecot(MAIL_SERVER_PASSWORD, oauth2_introspection_url=provider.introspection_url)
    server.start()
    yield server
    server.destroy()


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
def keyring_service(secret_service: SecretStore, monkeypatch: pytest.MonkeyPatch) -> SecretStore:
    """The test's own keyring service for every command, over a plain or an encrypted store."""
    monkeypatch.setattr(
        "desktop.cli.signin.build_services", partial(build_services, secrets=secret_service)
    )
    monkeypatch.setattr("desktop.cli.signin.StoreDoor", partial(StoreDoor, secrets=secret_service))
    return secret_service


def set_oauth_server(cli: Cli, dovecot: Dovecot, provider: OAuthProvider, login: str) -> str:
    code, out, err = cli(
        "profile", "set-server", "--profile", EMAIL, "--imap-host", "127.0.0.1",
        "--imap-port", str(dovecot.imaps_port), "--imap-user", login,
        "--ca-file", dovecot.ca_file, "--auth", "oauth2", "--oauth-issuer", provider.issuer,
        "--oauth-client-id", CLIENT_ID,
    )  # fmt: skip
    assert code == 0, err
    return out


@pytest.mark.imap
@pytest.mark.keyring
def test_device_sign_in_prints_the_address_and_code_then_sync_works(
    cli: Cli, oauth_dovecot: Dovecot, provider: OAuthProvider, keyring_service: SecretStore
) -> None:
    login = oauth_dovecot.add_user()
    oauth_dovecot.deliver(login, [b"Subject: hello\r\nMessage-ID: <a@b>\r\n\r\nHi.\r\n"])
    out = set_oauth_server(cli, oauth_dovecot, provider, login)
    assert f"{EMAIL} signs in with OAuth2 (127.0.0.1); sign in now with: switchboard " \
        f"profile authorize --profile {EMAIL}" in out  # fmt: skip

    provider.approve_devices_as = login
    code, out, err = cli("profile", "authorize", "--profile", EMAIL, "--device")

    assert code == 0, err
    shown = re.search(r"open (\S+) on any device and enter the code (\S+) ", out)
    assert shown is not None, out
    assert shown.group(1) == f"{provider.issuer}/device/enter"
    assert shown.group(2) in provider.state.approved
    assert f"{EMAIL} is signed in with 127.0.0.1" in out
    code, _, err = cli("sync", "--user", "ada")
    assert code == 0, err
    assert f"{EMAIL}: 1 new, 0 removed" in err
    assert not any(token in out + err for token in provider.issued_tokens())


@pytest.mark.imap
@pytest.mark.keyring
def test_a_revoked_grant_says_which_account_and_the_command_then_sign_out_revokes(
    cli: Cli, oauth_dovecot: Dovecot, provider: OAuthProvider, keyring_service: SecretStore
) -> None:
    login = oauth_dovecot.add_user()
    set_oauth_server(cli, oauth_dovecot, provider, login)
    provider.approve_devices_as = login
    assert cli("profile", "authorize", "--profile", EMAIL, "--device")[0] == 0

    provider.revoke_grants_of(login)
    code, _, err = cli("sync", "--user", "ada")

    assert code == 1
    assert (
        f"switchboard: sync of {EMAIL} failed: Your Clinic account ({EMAIL}) needs you to sign "
        "in again: the organization ended the permission. Its mail, outbox and your moves and "
        "deletes wait here; your other accounts go on. Choose Sign in again beside it in the "
        f"window, or run: switchboard profile authorize --profile {EMAIL}"
    ) in err
    assert keyring_service.get_oauth_refresh_token(1) is None  # profile 1: "sync of profile 1"
    assert cli("profile", "authorize", "--profile", EMAIL, "--device")[0] == 0
    assert cli("sync", "--user", "ada")[0] == 0
    refresh = keyring_service.get_oauth_refresh_token(1)
    assert refresh is not None

    code, out, err = cli("profile", "sign-out", "--profile", EMAIL)

    assert code == 0, err
    assert out.strip() == (
        f"Signed out of Clinic ({EMAIL}): 127.0.0.1 ended Switchboard's permission and this "
        "computer no longer holds it."
    )
    assert provider.introspect(refresh) == {"active": False}
    assert keyring_service.get_oauth_refresh_token(1) is None
    code, _, err = cli("sync", "--user", "ada")
    assert code == 1
    assert "this computer holds no sign-in with 127.0.0.1 for it" in err
    assert not any(token in out + err for token in provider.issued_tokens())


@pytest.mark.imap
@pytest.mark.keyring
def test_browser_sign_in_opens_the_system_browser(
    cli: Cli,
    oauth_dovecot: Dovecot,
    provider: OAuthProvider,
    keyring_service: SecretStore,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    login = oauth_dovecot.add_user()
    set_oauth_server(cli, oauth_dovecot, provider, login)
    provider.approve_as = login
    opened: list[str] = []

    def browser(url: str) -> bool:
        opened.append(url)
        threading.Thread(target=lambda: urllib.request.urlopen(url, timeout=10).read()).start()
        return True

    monkeypatch.setattr("webbrowser.open", browser)
    code, out, err = cli("profile", "authorize", "--profile", EMAIL)

    assert code == 0, err
    assert opened[0].startswith(f"{provider.issuer}/authorize?")
    assert "code_challenge_method=S256" in opened[0]
    assert opened[0] in err  # the address is printed too, for a browser that did not open
    assert f"{EMAIL} is signed in with 127.0.0.1" in out


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--oauth-tenant", "contoso"], "--oauth-tenant needs --auth oauth2"),
        (["--auth", "oauth2"], "OAuth2 needs a provider"),
        (["--auth", "oauth2", "--oauth-issuer", "http://login.example.org"], "does not use HTTPS"),
        (["--auth", "oauth2", "--oauth-preset", "google", "--oauth-tenant", "x"],
         "Only Microsoft 365 has a tenant"),
        (["--auth", "oauth2", "--oauth-preset", "google", "--password-stdin"],
         "signs in with the provider, not a password"),
    ],
)  # fmt: skip
def test_set_server_refuses_a_sign_in_method_that_cannot_work(
    cli: Cli, options: list[str], message: str
) -> None:
    code, _, err = cli("profile", "set-server", "--profile", EMAIL, "--imap-host",
                       "outlook.office365.com", *options)  # fmt: skip
    assert code == 2
    assert message in err


def test_a_preset_without_a_client_id_says_how_to_set_one(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SWITCHBOARD_OAUTH_MICROSOFT_CLIENT_ID", raising=False)
    code, out, err = cli("profile", "set-server", "--profile", EMAIL, "--imap-host",
                         "outlook.office365.com", "--auth", "oauth2", "--oauth-preset",
                         "microsoft", "--oauth-tenant", "contoso.onmicrosoft.com")  # fmt: skip
    assert code == 0, err
    assert "signs in with OAuth2 (Microsoft)" in out
    monkeypatch.setattr("desktop.cli.authorize_command.webbrowser.open", lambda url: False)
    secrets = SecretStore.in_memory()
    monkeypatch.setattr(SecretStore, "is_persistent", property(lambda self: True))
    monkeypatch.setattr("desktop.cli.signin.build_services",
                        partial(build_services, secrets=secrets))  # fmt: skip
    code, _, err = cli("profile", "authorize", "--profile", EMAIL)
    assert code == 1
    assert "SWITCHBOARD_OAUTH_MICROSOFT_CLIENT_ID" in err


def test_authorize_refuses_a_password_profile(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(SecretStore, "is_persistent", property(lambda self: True))
    code, _, err = cli("profile", "authorize", "--profile", EMAIL)
    assert code == 2
    assert "signs in with a password" in err


def test_the_argument_modules_stay_light() -> None:
    probe = (
        "import json, sys; from desktop.cli.main import build_parser; build_parser(); "
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('sqlalchemy', 'authlib', 'keyring') or m.startswith(('desktop.store', "
        "'desktop.services')))))"
    )
    loaded = json.loads(subprocess.run([sys.executable, "-c", probe], capture_output=True,
                                       text=True, check=True).stdout)  # fmt: skip
    assert loaded == []
