"""Fixtures of the mail tests: a user with profiles in a fresh store, and a real Dovecot.

The Dovecot (``tests/dovecot.py``, fixture in ``tests/conftest.py``) runs once per test session
on loopback; each test gets its own mail user on it, so tests never see each other's mail.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from dovecot import MAIL_SERVER_PASSWORD, Dovecot
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


@pytest.fixture
def account(dovecot: Dovecot, session_factory: SessionFactory, profile_id: int) -> MailAccount:
    login = dovecot.add_user()
    configure_server(session_factory, profile_id, dovecot, login)
    return MailAccount(profile_id, login, Passwords({profile_id: PASSWORD}))


@pytest.fixture(scope="session")
def dovecot_without_move() -> Iterator[Dovecot]:
    """A second private Dovecot that does not announce MOVE (RFC 6851), as older servers do."""
    if shutil.which("dovecot") is None:
        pytest.skip("dovecot is not installed (Debian package dovecot-imapd)")
    server = Dovecot(MAIL_SERVER_PASSWORD, without=frozenset({"MOVE"}))
    server.start()
    yield server
    server.destroy()
