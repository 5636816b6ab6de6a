"""Fixtures of the mail tests: a user with profiles in a fresh store, and a real Dovecot.

The Dovecot runs once per test session on loopback (see ``dovecot.py``); each test gets its own
mail user on it, so tests never see each other's mail. Under ``CI=true`` a Dovecot that cannot
start fails the ``imap`` tests instead of skipping them.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest
from dovecot import Dovecot
from mail_helpers import PASSWORD, MailAccount, Passwords, configure_server, make_profile, make_user

from desktop.store.session import SessionFactory


@pytest.fixture
def user_id(session_factory: SessionFactory) -> int:
    return make_user(session_factory)


@pytest.fixture
def profile_id(session_factory: SessionFactory, user_id: int) -> int:
    return make_profile(session_factory, user_id, "ada@clinic.example")


@pytest.fixture
def second_profile_id(session_factory: SessionFactory, user_id: int) -> int:
    return make_profile(session_factory, user_id, "ada@hospital.example", "Hospital")


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    try:
        if shutil.which("dovecot") is None:
            raise RuntimeError("dovecot is not installed (Debian package dovecot-imapd)")
        server = Dovecot(PASSWORD)
        server.start()
    except (RuntimeError, OSError, KeyError) as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"the private Dovecot could not start: {error}")
        pytest.skip(f"the private Dovecot could not start: {error}")
    yield server
    server.destroy()


@pytest.fixture
def account(dovecot: Dovecot, session_factory: SessionFactory, profile_id: int) -> MailAccount:
    login = dovecot.add_user()
    configure_server(session_factory, profile_id, dovecot, login)
    return MailAccount(profile_id, login, Passwords({profile_id: PASSWORD}))
