"""Arranging users for tests that are not about how users are made.

The app lets only the first user of an empty store sign up alone; every later one is made by an
admin profile (tested in tests/services/test_gate.py and test_accounts.py). Tests about mail,
roles or load need several users without that ceremony, so they put them in the store directly,
with a real (cheap) password hash, as an admin would have left them.
"""

from __future__ import annotations

from desktop.services.container import Services
from desktop.services.passwords import CHEAP_TEST_COST, PasswordHashing
from desktop.store.models import User
from desktop.store.session import unit_of_work


def add_user(services: Services, login: str, display_name: str, password: str) -> int:
    """A user that can sign in with ``password``; returns its id."""
    password_hash = PasswordHashing(CHEAP_TEST_COST).hash(password)
    with unit_of_work(services.session_factory) as session:
        user = User(login=login, display_name=display_name, password_hash=password_hash)
        session.add(user)
        session.flush()
        return user.id
