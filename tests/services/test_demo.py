"""The first-run demo shows what the app is for: three accounts, one admin, a unified inbox."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from desktop.core.roles import Role
from desktop.services.container import Services
from desktop.services.demo import DEMO_LOGIN, DEMO_PASSWORD, seed_demo, seed_demo_if_empty
from desktop.services.mail.inbox import Inbox
from desktop.store.models import Message
from desktop.store.session import unit_of_work

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def test_demo_user_has_three_profiles_at_different_organizations(services: Services) -> None:
    actor = seed_demo(services, now=NOW)
    profiles = services.accounts.list_profiles(actor)
    assert len(profiles) == 3
    assert len({p.organization for p in profiles}) == 3
    assert [p.role for p in profiles].count(Role.ADMIN) == 1
    assert services.accounts.sign_in(DEMO_LOGIN, DEMO_PASSWORD).user_id == actor.user_id


def test_demo_inbox_merges_a_few_hundred_messages_newest_first(services: Services) -> None:
    actor = seed_demo(services, now=NOW)
    inbox = Inbox(services.session_factory)
    assert 200 <= inbox.count(actor.user_id) <= 500
    rows = inbox.page(actor.user_id, limit=60)
    assert {row.profile_id for row in rows} == {
        p.id for p in services.accounts.list_profiles(actor)
    }
    assert [row.key for row in rows] == sorted((row.key for row in rows), reverse=True)
    unread = inbox.unread_counts(actor.user_id)
    assert 0 < sum(unread.values()) < inbox.count(actor.user_id)


def test_demo_is_seeded_only_into_an_empty_store(services: Services) -> None:
    assert seed_demo_if_empty(services) is True
    with unit_of_work(services.session_factory) as session:
        before = session.scalar(select(func.count()).select_from(Message))
    assert seed_demo_if_empty(services) is False
    with unit_of_work(services.session_factory) as session:
        assert session.scalar(select(func.count()).select_from(Message)) == before
