"""Fixtures of the mail tests: a user with two profiles in a fresh store."""

from __future__ import annotations

import pytest
from mail_helpers import make_profile, make_user

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
