"""One sign-in for all of a person's profiles, with profiles validated and support IDs unique."""

from __future__ import annotations

import contextlib
import threading
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from people import add_user
from sqlalchemy import func, select

from desktop.core.throttle import FREE_ATTEMPTS
from desktop.services.accounts import (
    DEFAULT_REMEMBER_DAYS,
    REMEMBER_DAYS_ENV,
    AccountsService,
    ProfileDraft,
    remember_period,
)
from desktop.services.authorization import SignedInUser
from desktop.services.container import Services, build_services
from desktop.services.errors import (
    AccountError,
    NotFoundError,
    PermissionDeniedError,
    SignInThrottledError,
    UnknownUserError,
    WrongPasswordError,
)
from desktop.services.passwords import CHEAP_TEST_COST, PasswordHashing
from desktop.services.secrets import SecretStore, SecretStoreError
from desktop.store.models import AuditEvent, Profile, RememberedSignIn, User
from desktop.store.models.base import utcnow
from desktop.store.session import unit_of_work

PASSWORD = "correct horse battery"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def make_user(services: Services, login: str = "ada") -> SignedInUser:
    if login == "ada":
        services.accounts.create_first_user(login, f"{login.title()} Example", PASSWORD)
    else:
        add_user(services, login, f"{login.title()} Example", PASSWORD)
    return services.accounts.sign_in(login, PASSWORD)


def draft(email: str, **changes: object) -> ProfileDraft:
    return replace(ProfileDraft(organization="St Mary", email=email), **changes)


def count(services: Services, model: type[object]) -> int:
    with unit_of_work(services.session_factory) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_signing_in_unlocks_every_profile_of_the_user(services: Services) -> None:
    ada = make_user(services)
    first = services.accounts.create_profile(ada, draft("ada@stmary.org"))
    second = services.accounts.create_profile(ada, draft("ada@clinic.org"))

    again = services.accounts.sign_in("ada", PASSWORD)

    assert again.active_profile_id == first.id
    assert [p.id for p in services.accounts.list_profiles(again)] == [first.id, second.id]
    assert services.accounts.switch_profile(again, second.id).active_profile_id == second.id


def test_the_password_is_stored_as_an_argon2id_hash(services: Services) -> None:
    make_user(services)
    with unit_of_work(services.session_factory) as session:
        stored = session.scalars(select(User.password_hash)).one()
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


def test_the_app_hashes_with_the_production_cost(database_url: str) -> None:
    with build_services(database_url, secrets=SecretStore.in_memory()) as services:
        services.accounts.create_first_user("ada", "Ada", PASSWORD)
        with unit_of_work(services.session_factory) as session:
            stored = session.scalars(select(User.password_hash)).one()
        assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
        assert services.accounts.sign_in("ada", PASSWORD).login == "ada"


@pytest.mark.parametrize(
    ("login", "name", "password", "message"),
    [
        ("Ada", "Ada", PASSWORD, "lower-case"),
        ("", "Ada", PASSWORD, "login"),
        ("ada", "  ", PASSWORD, "display name must not be empty"),
        ("ada", "Ada", "short", "at least 8 characters"),
    ],
)
def test_bad_users_are_refused_with_a_clear_message(
    services: Services, login: str, name: str, password: str, message: str
) -> None:
    with pytest.raises(AccountError, match=message):
        services.accounts.create_first_user(login, name, password)
    assert count(services, User) == 0


def test_a_login_is_taken_once(services: Services) -> None:
    make_user(services)
    with pytest.raises(AccountError, match="already exists"):
        services.accounts.create_first_user("ada", "Other Ada", PASSWORD)


def test_unknown_user_and_wrong_password_are_told_apart(services: Services) -> None:
    make_user(services)
    with pytest.raises(UnknownUserError, match="no user with login 'bob'"):
        services.accounts.sign_in("bob", PASSWORD)
    with pytest.raises(WrongPasswordError, match="wrong password for 'ada'"):
        services.accounts.sign_in("ada", "not the password")


def test_repeated_wrong_passwords_are_slowed_down_without_sleeping(services: Services) -> None:
    clock = Clock()
    accounts = AccountsService(
        services.session_factory,
        services.secrets,
        services.authorizer,
        PasswordHashing(CHEAP_TEST_COST),
        clock=clock,
    )
    accounts.create_first_user("ada", "Ada", PASSWORD)
    for _ in range(3):
        with pytest.raises(WrongPasswordError):
            accounts.sign_in("ada", "wrong password")

    with pytest.raises(SignInThrottledError, match=r"try again in 1 s") as throttled:
        accounts.sign_in("ada", PASSWORD)
    assert throttled.value.retry_after_s == 1.0

    clock.now += timedelta(seconds=1)
    with pytest.raises(WrongPasswordError):
        accounts.sign_in("ada", "wrong again")
    with pytest.raises(SignInThrottledError, match=r"try again in 2 s"):
        accounts.sign_in("ada", PASSWORD)

    clock.now += timedelta(seconds=2)
    assert accounts.sign_in("ada", PASSWORD).login == "ada"
    for _ in range(3):
        with pytest.raises(WrongPasswordError):
            accounts.sign_in("ada", "wrong password")
    with pytest.raises(SignInThrottledError, match=r"try again in 1 s"):
        accounts.sign_in("ada", PASSWORD)


def test_the_throttle_is_kept_in_the_store(services: Services) -> None:
    make_user(services)
    for _ in range(3):
        with pytest.raises(WrongPasswordError):
            services.accounts.sign_in("ada", "wrong password")
    with unit_of_work(services.session_factory) as session:
        user = session.scalars(select(User)).one()
        assert user.failed_sign_ins == 3
        assert user.sign_in_blocked_until is not None


def on_this_machine(
    services: Services, secrets: SecretStore, clock: Callable[[], datetime] = utcnow
) -> AccountsService:
    """The accounts service of one desk: the shared store, this desk's own keyring."""
    return AccountsService(
        services.session_factory,
        secrets,
        services.authorizer,
        PasswordHashing(CHEAP_TEST_COST),
        clock=clock,
    )


@pytest.mark.keyring
def test_remember_me_keeps_only_a_hash_in_the_store(
    services: Services, secret_service: SecretStore
) -> None:
    make_user(services)
    accounts = on_this_machine(services, secret_service)
    accounts.sign_in("ada", PASSWORD, remember=True)
    token = secret_service.get_remember_token("ada")
    assert token is not None
    with unit_of_work(services.session_factory) as session:
        stored = session.scalars(select(RememberedSignIn.token_hash)).one()
    assert token not in stored
    assert accounts.sign_in_remembered("ada") is not None


def test_without_a_keyring_remember_me_is_refused_not_silently_dropped(
    services: Services,
) -> None:
    """Finding 9: an in-memory token would be gone when the app closes, so none is issued."""
    make_user(services)
    assert not services.accounts.remembers_sign_ins
    with pytest.raises(SecretStoreError, match="no usable keyring"):
        services.accounts.sign_in("ada", PASSWORD, remember=True)
    assert count(services, RememberedSignIn) == 0
    assert services.accounts.sign_in("ada", PASSWORD).login == "ada"


@pytest.mark.keyring
def test_a_remembered_sign_in_expires_after_the_remember_period(
    services: Services, secret_service: SecretStore
) -> None:
    make_user(services)
    clock = Clock()
    accounts = on_this_machine(services, secret_service, clock)
    accounts.sign_in("ada", PASSWORD, remember=True)
    clock.now += timedelta(days=DEFAULT_REMEMBER_DAYS) - timedelta(minutes=1)
    assert accounts.sign_in_remembered("ada") is not None
    clock.now += timedelta(minutes=2)
    assert accounts.sign_in_remembered("ada") is None
    assert count(services, RememberedSignIn) == 0
    assert secret_service.get_remember_token("ada") is None


def test_the_remember_period_is_configurable(monkeypatch: pytest.MonkeyPatch) -> None:
    assert remember_period() == timedelta(days=30)
    monkeypatch.setenv(REMEMBER_DAYS_ENV, "7")
    assert remember_period() == timedelta(days=7)
    monkeypatch.setenv(REMEMBER_DAYS_ENV, "forever")
    with pytest.raises(AccountError, match="whole number of days"):
        remember_period()


@pytest.mark.keyring
def test_sign_out_revokes_remember_me_on_every_machine(
    services: Services, secret_service: SecretStore
) -> None:
    make_user(services)
    desk = on_this_machine(services, secret_service)
    laptop = on_this_machine(services, SecretStore(service=f"switchboard-test-{uuid.uuid4()}"))
    ada = desk.sign_in("ada", PASSWORD, remember=True)
    laptop.sign_in("ada", PASSWORD, remember=True)
    assert count(services, RememberedSignIn) == 2

    desk.sign_out(ada)

    assert count(services, RememberedSignIn) == 0
    assert secret_service.get_remember_token("ada") is None
    assert laptop.sign_in_remembered("ada") is None


def test_a_stale_remembered_token_is_dropped(services: Services) -> None:
    make_user(services)
    services.secrets.set_remember_token("ada", "a token the store never issued")
    assert services.accounts.sign_in_remembered("ada") is None
    assert services.secrets.get_remember_token("ada") is None


class CountingHashing(PasswordHashing):
    """Counts verifications: the slow step an attacker wants as many of as possible."""

    def __init__(self) -> None:
        super().__init__(CHEAP_TEST_COST)
        self.verified = 0
        self._lock = threading.Lock()

    def verify(self, password_hash: str, password: str) -> bool:
        with self._lock:
            self.verified += 1
        return super().verify(password_hash, password)


def wrong_attempts(accounts: AccountsService, parallel: int) -> None:
    start = threading.Barrier(parallel)

    def attempt() -> None:
        start.wait()
        with contextlib.suppress(WrongPasswordError, SignInThrottledError):
            accounts.sign_in("ada", "wrong password")

    threads = [threading.Thread(target=attempt) for _ in range(parallel)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_parallel_wrong_passwords_get_no_more_checks_than_sequential_ones(
    services: Services,
) -> None:
    """Finding 10: 16 at once used to get 9 verifications where 3 in a row get 3."""
    make_user(services)
    clock = Clock()
    hashing = CountingHashing()
    accounts = AccountsService(
        services.session_factory, services.secrets, services.authorizer, hashing, clock=clock
    )
    for _ in range(16):
        wrong_attempts(accounts, 1)
    sequential = hashing.verified
    assert sequential == FREE_ATTEMPTS

    clock.now += timedelta(days=1)
    accounts.sign_in("ada", PASSWORD)
    hashing.verified = 0
    wrong_attempts(accounts, 16)

    assert hashing.verified <= sequential
    with pytest.raises(SignInThrottledError):
        accounts.sign_in("ada", PASSWORD)


def test_profiles_get_distinct_32_bit_support_ids(services: Services) -> None:
    ada = make_user(services)
    ids = {
        services.accounts.create_profile(ada, draft(f"ada{n}@stmary.org")).support_id
        for n in range(40)
    }
    assert len(ids) == 40
    assert all(0 <= value < 2**32 for value in ids)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"email": "not-an-address"}, "is not an email address"),
        ({"organization": " "}, "organization must not be empty"),
        ({"organization": "x" * 201}, "at most 200 characters"),
        ({"phone": "call me"}, "phone number"),
        ({"colour": "blue"}, "A colour is written as # and six hexadecimal digits"),
        ({"imap_port": 0}, "IMAP port"),
        ({"imap_security": "plain"}, "IMAP security"),
    ],
)
def test_bad_profiles_are_refused_and_nothing_is_stored(
    services: Services, changes: dict[str, object], message: str
) -> None:
    ada = make_user(services)
    with pytest.raises(AccountError, match=message):
        services.accounts.create_profile(ada, replace(draft("ada@stmary.org"), **changes))
    assert count(services, Profile) == 0


def test_an_email_belongs_to_one_profile_only(services: Services) -> None:
    ada = make_user(services)
    bob = make_user(services, "bob")
    services.accounts.create_profile(ada, draft("shared@stmary.org"))
    with pytest.raises(AccountError, match="already used by another profile"):
        services.accounts.create_profile(bob, draft("Shared@StMary.org"))
    assert count(services, Profile) == 1


def test_a_profile_is_updated_and_validated(services: Services) -> None:
    ada = make_user(services)
    profile = services.accounts.create_profile(ada, draft("ada@stmary.org"))
    other = services.accounts.create_profile(ada, draft("ada@clinic.org"))
    updated = services.accounts.update_profile(
        ada, profile.id, replace(profile.as_draft(), title="Head nurse", colour="#AABBCC")
    )
    assert (updated.title, updated.colour) == ("Head nurse", "#aabbcc")
    with pytest.raises(AccountError, match="already used"):
        services.accounts.update_profile(ada, profile.id, replace(other.as_draft()))
    assert services.accounts.list_profiles(ada)[0].email == "ada@stmary.org"


def test_a_profile_of_another_user_cannot_be_changed_or_read(services: Services) -> None:
    ada = make_user(services)
    bob = make_user(services, "bob")
    bobs = services.accounts.create_profile(bob, draft("bob@clinic.org"))
    services.accounts.create_profile(ada, draft("ada@clinic.org"))
    ada = services.accounts.sign_in("ada", PASSWORD)
    with pytest.raises(PermissionDeniedError):
        services.accounts.update_profile(ada, bobs.id, bobs.as_draft())
    with pytest.raises(PermissionDeniedError):
        services.accounts.server_password(ada, bobs.id)
    with pytest.raises(PermissionDeniedError):
        services.accounts.switch_profile(ada, bobs.id)
    with unit_of_work(services.session_factory) as session:
        denied = session.execute(
            select(AuditEvent.user_id, AuditEvent.action, AuditEvent.target).where(
                AuditEvent.outcome == "denied"
            )
        ).all()
    assert [tuple(row) for row in denied] == [
        (ada.user_id, "manage own profiles", f"profile {bobs.id}"),
        (ada.user_id, "manage own server passwords", f"profile {bobs.id}"),
        (ada.user_id, "switch to one of own profiles", f"profile {bobs.id}"),
    ]


def test_deleting_a_profile_deletes_its_server_password(services: Services) -> None:
    ada = make_user(services)
    services.accounts.create_profile(ada, draft("ada@stmary.org"))  # the bootstrap admin
    profile = services.accounts.create_profile(ada, draft("ada@clinic.org"))
    ada = ada.with_active_profile(profile.id)
    services.accounts.set_server_password(ada, profile.id, "imap secret")
    assert services.accounts.server_password(ada, profile.id) == "imap secret"

    services.accounts.delete_profile(ada, profile.id)

    assert services.secrets.get_password(profile.id) is None
    assert count(services, Profile) == 1
    with pytest.raises(NotFoundError):
        services.accounts.delete_profile(ada, profile.id)
