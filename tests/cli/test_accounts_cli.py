"""The account commands: one clear line and exit 2 for bad input, and nothing changed."""

from __future__ import annotations

import functools
import json

import pytest
from cli_runner import Cli

from desktop.cli.main import main
from desktop.core.idsentence import default_codec
from desktop.services.container import build_services
from desktop.services.passwords import CHEAP_TEST_COST

PASSWORD = "correct horse battery"


@pytest.fixture
def cli(
    database_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Cli:
    """Commands run in-process, hashing cheaply (the app's own cost is tested in services)."""
    monkeypatch.setattr(
        "desktop.cli.signin.build_services",
        functools.partial(build_services, password_cost=CHEAP_TEST_COST),
    )
    return Cli(database_url, capsys, monkeypatch, PASSWORD)


@pytest.fixture
def ada(cli: Cli) -> Cli:
    code, out, _ = cli(
        "user",
        "create",
        "ada",
        "--name",
        "Ada L",
        "--password-stdin",
        stdin=PASSWORD + "\n",
        password=None,
    )
    assert (code, out) == (
        0,
        "created user ada (Ada L)\n"
        "ada is the first user of this store: their first profile will be its administrator\n",
    )
    return cli


def profiles(cli: Cli, login: str = "ada") -> list[dict[str, object]]:
    code, out, err = cli("profile", "list", "--user", login, "--json")
    assert code == 0, err
    listed: list[dict[str, object]] = json.loads(out)
    return listed


def error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


def test_create_and_list_profiles(ada: Cli) -> None:
    code, out, _ = ada(
        "profile",
        "create",
        "--user",
        "ada",
        "--org",
        "St Mary",
        "--email",
        "ada@stmary.org",
        "--title",
        "Head nurse",
        "--phone",
        "+41 44 000",
    )
    assert code == 0
    assert out.startswith("created profile ada@stmary.org: support ID ")
    assert out.endswith(
        "ada@stmary.org is the first profile, so it is the administrator of this store\n"
    )
    ada("profile", "create", "--user", "ada", "--org", "Clinic", "--email", "ada@clinic.org")

    listed = profiles(ada)

    assert [(p["email"], p["role"], p["organization"]) for p in listed] == [
        ("ada@stmary.org", "admin", "St Mary"),
        ("ada@clinic.org", "member", "Clinic"),
    ]
    assert listed[0]["title"] == "Head nurse"
    code, out, _ = ada("profile", "list", "--user", "ada")
    assert str(listed[0]["support_id"]) in out
    assert str(listed[0]["support_sentence"]) in out
    assert "ada@clinic.org" in out
    assert listed[1]["support_sentence"] == default_codec().encode(
        int(str(listed[1]["support_id"]))
    )


@pytest.mark.parametrize(
    ("args", "password", "message"),
    [
        (("profile", "list", "--user", "bob"), PASSWORD, "no user with login 'bob'"),
        (("profile", "list", "--user", "ada"), "wrong password", "wrong password for 'ada'"),
        (("profile", "list", "--user", "ada"), None, "ada must sign in"),
        (
            ("profile", "create", "--user", "ada", "--org", "X", "--email", "nope"),
            PASSWORD,
            "'nope' is not an email address",
        ),
        (("profile", "delete", "12x"), PASSWORD, "'12x' is not a support ID"),
        (("profile", "delete", "2 happy hippos ran"), PASSWORD, "is not a support ID"),
        (("profile", "delete", "12"), PASSWORD, "no profile has support ID 12"),
        (
            ("user", "create", "ada", "--name", "Again"),
            PASSWORD,
            "a user with login 'ada' already exists",
        ),
        (("user", "create", "Bad Login", "--name", "B"), PASSWORD, "must be 1-64 lower-case"),
        (("user", "create", "bob", "--name", "B"), None, "give the new password"),
    ],
)
def test_bad_input_exits_2_with_one_clear_line_and_changes_nothing(
    ada: Cli, args: tuple[str, ...], password: str | None, message: str
) -> None:
    ada("profile", "create", "--user", "ada", "--org", "St Mary", "--email", "ada@stmary.org")
    before = profiles(ada)

    code, out, err = ada(*args, password=password)

    assert code == 2
    assert out == ""
    line = error_line(err)
    assert line.startswith("switchboard: error: ")
    assert message in line
    assert profiles(ada) == before


def test_bad_role_and_missing_options_are_usage_errors(ada: Cli) -> None:
    with pytest.raises(SystemExit) as exit_:
        ada(
            "profile",
            "create",
            "--user",
            "ada",
            "--org",
            "X",
            "--email",
            "a@b.org",
            "--role",
            "owner",
        )
    assert exit_.value.code == 2
    assert profiles(ada) == []


def test_duplicate_email_is_refused(ada: Cli) -> None:
    ada("profile", "create", "--user", "ada", "--org", "St Mary", "--email", "ada@stmary.org")
    code, _, err = ada(
        "profile", "create", "--user", "ada", "--org", "Other", "--email", "ADA@stmary.org"
    )
    assert code == 2
    assert "already used by another profile" in error_line(err)
    assert len(profiles(ada)) == 1


def test_password_from_stdin_signs_in(ada: Cli) -> None:
    code, _, err = ada(
        "profile", "list", "--user", "ada", "--password-stdin", stdin=PASSWORD + "\n", password=None
    )
    assert code == 0, err


def test_a_profile_is_deleted_by_its_owner(ada: Cli) -> None:
    ada("profile", "create", "--user", "ada", "--org", "St Mary", "--email", "ada@stmary.org")
    ada("profile", "create", "--user", "ada", "--org", "Clinic", "--email", "ada@clinic.org")
    support_id = str(profiles(ada)[1]["support_id"])

    code, out, _ = ada("profile", "delete", support_id)

    assert code == 0
    assert out == f"deleted the profile with support ID {support_id}\n"
    assert [p["email"] for p in profiles(ada)] == ["ada@stmary.org"]


def test_remember_needs_a_real_keyring(ada: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("desktop.services.secrets._installed_backends", list)
    code, _, err = ada("profile", "list", "--user", "ada", "--remember")
    assert code == 2
    assert "no usable keyring" in error_line(err)


@pytest.fixture
def staff(ada: Cli) -> dict[str, int]:
    """Ada is admin at St Mary and member at the clinic; Bob is a member at the clinic."""
    ada("profile", "create", "--user", "ada", "--org", "St Mary", "--email", "ada@stmary.org")
    ada("profile", "create", "--user", "ada", "--org", "Clinic", "--email", "ada@clinic.org")
    code, _, err = ada(
        *("user", "create", "bob", "--name", "Bob B", "--password-stdin"),
        *("--user", "ada", "--profile", "ada@stmary.org"),
        stdin=PASSWORD + "\n",
    )
    assert code == 0, err
    ada("profile", "create", "--user", "bob", "--org", "Clinic", "--email", "bob@clinic.org")
    return {
        str(p["email"]): int(str(p["support_id"]))
        for who in ("ada", "bob")
        for p in profiles(ada, who)
    }


def test_lookup_through_an_admin_profile(ada: Cli, staff: dict[str, int]) -> None:
    bob_id = staff["bob@clinic.org"]
    code, out, err = ada("lookup", str(bob_id), "--user", "ada", "--profile", "ada@stmary.org")
    assert code == 0, err
    assert out == f"support ID {bob_id}: Bob B (bob), profile bob@clinic.org at Clinic (member)\n"
    code, out, _ = ada(
        "lookup", str(bob_id), "--user", "ada", "--profile", "ADA@stmary.org", "--json"
    )
    assert json.loads(out)["login"] == "bob"


def test_lookup_through_a_member_profile_is_refused_and_audited(
    ada: Cli, staff: dict[str, int]
) -> None:
    bob_id = staff["bob@clinic.org"]
    code, out, err = ada("lookup", str(bob_id), "--user", "ada", "--profile", "ada@clinic.org")
    assert (code, out) == (2, "")
    assert (
        "acting as a member profile may not look up the profile behind any support ID"
        in error_line(err)
    )

    code, out, _ = ada("audit", "--user", "ada", "--profile", "ada@stmary.org", "--all", "--json")
    assert code == 0
    denied = [e for e in json.loads(out) if e["outcome"] == "denied"]
    assert [(e["login"], e["target"]) for e in denied] == [("ada", f"support ID {bob_id}")]


def test_lookup_needs_a_profile_and_a_valid_id(ada: Cli, staff: dict[str, int]) -> None:
    with pytest.raises(SystemExit):
        ada("lookup", "12", "--user", "ada")
    code, _, err = ada("lookup", "4294967296", "--user", "ada", "--profile", "ada@stmary.org")
    assert code == 2
    assert "is not a support ID" in error_line(err)
    code, _, err = ada("lookup", "1", "--user", "ada", "--profile", "nobody@x.org")
    assert "ada has no profile with email nobody@x.org" in error_line(err)


def test_audit_shows_own_activity_and_everyones_only_to_admins(
    ada: Cli, staff: dict[str, int]
) -> None:
    code, out, _ = ada("audit", "--user", "bob", "--json")
    assert code == 0
    own = json.loads(out)
    assert {e["login"] for e in own} == {"bob"}
    assert {"sign in", "create profile"} <= {e["action"] for e in own}
    code, out, _ = ada("audit", "--user", "ada", "--json")
    made = [(e["login"], e["target"]) for e in json.loads(out) if e["action"] == "create user"]
    assert made == [("ada", "user bob")]

    code, _, err = ada("audit", "--user", "bob", "--all")
    assert code == 2
    assert "may not read the audit log of every user" in error_line(err)

    code, out, _ = ada("audit", "--user", "ada", "--all", "--limit", "3")
    assert code == 0
    assert len(out.splitlines()) == 3


def test_an_admin_deletes_another_users_profile(ada: Cli, staff: dict[str, int]) -> None:
    bob_id = str(staff["bob@clinic.org"])
    code, _, err = ada("profile", "delete", bob_id, "--user", "ada", "--profile", "ada@clinic.org")
    assert code == 2
    assert "may not delete a profile of another user" in error_line(err)
    code, _, err = ada("profile", "delete", bob_id, "--user", "ada", "--profile", "ada@stmary.org")
    assert code == 0, err
    assert profiles(ada, "bob") == []


@pytest.mark.keyring
def test_remember_me_skips_the_password_until_sign_out(ada: Cli, secret_service: object) -> None:
    code, _, err = ada("profile", "list", "--user", "ada", "--remember")
    assert code == 0, err

    code, _, err = ada("profile", "list", "--user", "ada", password=None)
    assert code == 0, err

    code, out, _ = ada("user", "sign-out", "--user", "ada", password=None)
    assert (code, out) == (0, "signed out ada; the next command will ask for the password\n")
    code, _, err = ada("profile", "list", "--user", "ada", password=None)
    assert code == 2
    assert "ada must sign in" in error_line(err)


def test_the_store_can_be_named_by_environment_or_after_the_command(
    ada: Cli, database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ada("profile", "create", "--user", "ada", "--org", "St Mary", "--email", "ada@stmary.org")
    monkeypatch.setenv("SWITCHBOARD_PASSWORD", PASSWORD)
    capsys.readouterr()

    assert main(["profile", "list", "--user", "ada", "--json", "--database-url", database_url]) == 0
    assert [p["email"] for p in json.loads(capsys.readouterr().out)] == ["ada@stmary.org"]

    monkeypatch.setenv("SWITCHBOARD_DATABASE_URL", database_url)
    assert main(["profile", "list", "--user", "ada", "--json"]) == 0
    assert [p["email"] for p in json.loads(capsys.readouterr().out)] == ["ada@stmary.org"]


def _denied(cli: Cli) -> list[tuple[str, str, str]]:
    code, out, err = cli("audit", "--user", "ada", "--profile", "ada@stmary.org", "--all", "--json")
    assert code == 0, err
    return [
        (e["login"], e["action"], e["target"]) for e in json.loads(out) if e["outcome"] == "denied"
    ]


def test_a_member_cannot_make_itself_admin_nor_create_users(
    ada: Cli, staff: dict[str, int]
) -> None:
    """Finding 1: a member raising its own role, or signing up others, is refused and audited."""
    with pytest.raises(SystemExit):
        ada(
            *("profile", "create", "--user", "bob", "--org", "X", "--email", "b@x.org"),
            "--role",
            "admin",
        )
    code, out, err = ada(
        "profile",
        "set-role",
        "bob@clinic.org",
        "admin",
        "--user",
        "bob",
        "--profile",
        "bob@clinic.org",
    )
    assert (code, out) == (2, "")
    assert "bob acting as a member profile may not set the role of a profile" in error_line(err)
    code, _, err = ada(
        *("user", "create", "mallory", "--name", "M", "--password-stdin"),
        *("--user", "bob"),
        stdin=PASSWORD + "\n",
    )
    assert code == 2
    assert "may not create a user" in error_line(err)
    code, _, err = ada("user", "create", "mallory", "--name", "M")
    assert code == 2
    assert "already has users" in error_line(err)
    assert "--user LOGIN --profile ADMIN_EMAIL" in error_line(err)

    assert [p["role"] for p in profiles(ada, "bob")] == ["member"]
    bob_profile = f"profile {profiles(ada, 'bob')[0]['support_id']}"
    denied = _denied(ada)
    assert ("bob", "set the role of a profile") in [(who, what) for who, what, _ in denied]
    assert ("bob", "create a user", "user mallory") in denied
    assert (None, "create first user", "user mallory") in denied
    assert bob_profile  # the target is named by its profile id in the audit


def test_an_admin_sets_roles_but_never_removes_the_last_admin(
    ada: Cli, staff: dict[str, int]
) -> None:
    as_admin = ("--user", "ada", "--profile", "ada@stmary.org")
    code, out, err = ada("profile", "set-role", "ADA@stmary.org", "member", *as_admin)
    assert (code, out) == (2, "")
    assert "is the last admin profile of this store" in error_line(err)
    code, _, err = ada("profile", "delete", str(staff["ada@stmary.org"]), *as_admin)
    assert code == 2
    assert "is the last admin profile of this store" in error_line(err)

    code, out, err = ada("profile", "set-role", "bob@clinic.org", "admin", *as_admin)
    assert (code, out) == (0, "bob@clinic.org is now an admin\n"), err
    code, out, err = ada("profile", "set-role", "ada@stmary.org", "member", *as_admin)
    assert (code, out) == (0, "ada@stmary.org is now a member\n"), err
    assert [p["role"] for p in profiles(ada, "ada")] == ["member", "member"]
    code, _, err = ada(
        "lookup", str(staff["ada@clinic.org"]), "--user", "bob", "--profile", "bob@clinic.org"
    )
    assert code == 0, err


def test_set_server_refuses_to_store_a_password_without_a_keyring(
    ada: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Finding 9: the password would be gone when the command ends, so nothing is "stored"."""
    ada("profile", "create", "--user", "ada", "--org", "St Mary", "--email", "ada@stmary.org")
    monkeypatch.setattr("desktop.services.secrets._installed_backends", list)
    code, out, err = ada(
        *("profile", "set-server", "--profile", "ada@stmary.org", "--imap-host", "mail.example"),
        "--password-stdin",
        stdin="imap secret\n",
    )
    assert (code, out) == (1, "")
    line = error_line(err)
    assert "cannot store the server password: there is no usable keyring" in line
    assert "start a keyring" in line
    code, out, _ = ada("audit", "--user", "ada", "--json")
    assert "update profile" not in {e["action"] for e in json.loads(out)}


def test_profiles_created_from_the_command_line_get_distinct_colours(ada: Cli) -> None:
    for org in ("Mary", "Clinic", "Lab"):
        code, _out, err = ada(
            "profile", "create", "--user", "ada", "--org", org, "--email", f"ada@{org[:3]}.org"
        )
        assert code == 0, err
    assert [p["colour"] for p in profiles(ada)] == ["#2563eb", "#16a34a", "#dc2626"]


def test_a_profile_gets_the_colour_asked_for_and_a_bad_one_is_refused_plainly(ada: Cli) -> None:
    code, _out, err = ada(
        "profile",
        "create",
        "--user",
        "ada",
        "--org",
        "Lab",
        "--email",
        "ada@lab.org",
        "--colour",
        "#7C3AED",
    )
    assert code == 0, err
    code, out, err = ada(
        "profile",
        "create",
        "--user",
        "ada",
        "--org",
        "Ward",
        "--email",
        "ada@ward.org",
        "--color",
        "purple",
    )
    assert (code, out) == (2, "")
    assert "A colour is written as # and six hexadecimal digits" in error_line(err)
    assert "'purple'" in error_line(err)
    assert [(p["email"], p["colour"]) for p in profiles(ada)][-1] == ("ada@lab.org", "#7c3aed")
    assert "ada@ward.org" not in {p["email"] for p in profiles(ada)}
