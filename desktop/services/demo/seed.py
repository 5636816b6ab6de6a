"""Filling an empty store with the demo: one person, three accounts, a few hundred messages.

A newcomer who runs the app for the first time should see what it is for at once: profiles at
different organizations (one of them an admin account) and a unified inbox over them. The demo
mail goes through the ordinary import path, so it is stored exactly as a user's own would be.
"""

from __future__ import annotations

import mailbox
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select, update

from desktop.core.roles import Role
from desktop.services.accounts import ProfileDraft, ProfileInfo
from desktop.services.authorization import SignedInUser
from desktop.services.container import Services
from desktop.services.demo.mail_content import (
    CLINIC,
    HOSPITAL,
    INFORMATICS,
    DemoOrganization,
    demo_messages,
)
from desktop.services.mail.importer import import_paths
from desktop.services.store_opening import StoreDoor, StoreKind
from desktop.store.models import Message, User
from desktop.store.models.base import utcnow
from desktop.store.session import unit_of_work

DEMO_LOGIN = "demo"
DEMO_PASSWORD = "switchboard-demo"
DEMO_DISPLAY_NAME = "Dr. Amira Haddad"
UNREAD_WINDOW = timedelta(days=3)


@dataclass(frozen=True)
class _DemoProfile:
    org: DemoOrganization
    draft: ProfileDraft
    messages: int
    role: Role = Role.MEMBER


_PROFILES = (
    _DemoProfile(
        HOSPITAL,
        ProfileDraft(
            organization="St. Olaf University Hospital",
            email="amira.haddad@stolaf-hospital.example",
            title="Attending Physician",
            phone="+44 20 7946 0101",
        ),
        140,
    ),
    _DemoProfile(
        CLINIC,
        ProfileDraft(
            organization="Riverside Children's Clinic",
            email="a.haddad@riverside-clinic.example",
            title="Consultant Paediatrician",
            phone="+44 20 7946 0202",
        ),
        110,
    ),
    _DemoProfile(
        INFORMATICS,
        ProfileDraft(
            organization="Northwind Health Informatics",
            email="admin.haddad@northwind-health.example",
            title="Systems Administrator",
            phone="+44 20 7946 0303",
        ),
        70,
        Role.ADMIN,
    ),
)


def store_is_empty(services: Services) -> bool:
    with unit_of_work(services.session_factory) as session:
        return session.scalar(select(func.count()).select_from(User)) == 0


def seed_demo(services: Services, now: datetime | None = None) -> SignedInUser:
    """Create the demo user with its three profiles and their mail; returns it signed in.

    Mail older than a few days is marked read, as it would be in a mailbox in daily use.
    """
    now = now or utcnow()
    accounts = services.accounts
    accounts.create_first_user(DEMO_LOGIN, DEMO_DISPLAY_NAME, DEMO_PASSWORD)
    actor = accounts.sign_in(DEMO_LOGIN, DEMO_PASSWORD)
    created: list[tuple[ProfileInfo, Role]] = []
    with tempfile.TemporaryDirectory(prefix="switchboard-demo-") as scratch:
        for seed, demo in enumerate(_PROFILES, start=1):
            profile = accounts.create_profile(actor, demo.draft)
            if actor.active_profile_id is None:
                actor = actor.with_active_profile(profile.id)
            created.append((profile, demo.role))
            path = Path(scratch) / f"profile-{profile.id}.mbox"
            box = mailbox.mbox(path)
            for message in demo_messages(demo.org, demo.draft.email, demo.messages, now, seed):
                box.add(message)
            box.close()
            import_paths(services.session_factory, profile.id, [path])
    _hand_over_admin(services, actor, created)
    with unit_of_work(services.session_factory) as session:
        session.execute(update(Message).where(Message.date < now - UNREAD_WINDOW).values(seen=True))
    return actor


def _hand_over_admin(
    services: Services, actor: SignedInUser, created: list[tuple[ProfileInfo, Role]]
) -> None:
    """The first profile is the bootstrap admin; the demo's admin is another, so the bootstrap
    promotes that one and then steps down, as a real store's first admin would."""
    for role in (Role.ADMIN, Role.MEMBER):
        for profile, wanted in created:
            if wanted is role and profile.role is not role:
                services.accounts.set_role(actor, profile.id, role)


def seed_demo_if_empty(services: Services) -> bool:
    """Seed the demo when the store has no user yet; never touches a store in use."""
    if not store_is_empty(services):
        return False
    seed_demo(services)
    return True


def seed_demo_store(door: StoreDoor) -> bool:
    """``make run``'s first run: a new store is created encrypted, keyed by the demo password,
    like any first account's; an encrypted store is in use (it has a key file) and is left
    alone; a plain one found empty is seeded as before."""
    kind = door.kind
    if kind is StoreKind.ENCRYPTED:
        return False
    if kind is StoreKind.NEW:
        with door.create(DEMO_LOGIN, DEMO_DISPLAY_NAME, DEMO_PASSWORD) as services:
            seed_demo(services)
        return True
    with door.open_unencrypted() as services:
        return seed_demo_if_empty(services)
