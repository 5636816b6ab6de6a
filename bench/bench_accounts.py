"""Signing in and looking up support IDs.

Sign-in: argon2id at the app's production cost should make each guess expensive without making
the person wait: target between 50 ms and 1 s on this machine (the cheap test cost is printed
as the reference). Support-ID look-up, the question support staff ask on the phone: a store of
100,000 profiles should answer as fast as one of 100 (target: within 3x of it and under 10 ms),
which holds only while the unique index on ``support_id`` is used.
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import insert, select

from desktop.core.roles import Role
from desktop.services.accounts import ProfileDraft
from desktop.services.container import Services, build_services
from desktop.services.passwords import CHEAP_TEST_COST, PRODUCTION_COST, PasswordCost
from desktop.services.secrets import SecretStore
from desktop.store.models import Profile, User
from desktop.store.session import unit_of_work

PASSWORD = "bench password"
SIGN_IN_TARGET_S = (0.05, 1.0)
LOOKUP_TARGET_MS = 10.0
LOOKUP_RATIO_TARGET = 3.0
SMALL, BIG = 100, 100_000
LOOKUPS = 300


def median_seconds(action: Callable[[], object], times: int) -> float:
    samples = []
    for _ in range(times):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def open_store(folder: Path, name: str, cost: PasswordCost) -> Services:
    return build_services(
        f"sqlite:///{folder / name}", secrets=SecretStore.in_memory(), password_cost=cost
    )


def sign_in_seconds(folder: Path, cost: PasswordCost) -> float:
    with open_store(folder, f"sign-in-{cost.memory_cost_kib}.sqlite3", cost) as services:
        services.accounts.create_first_user("bench", "Bench", PASSWORD)
        return median_seconds(lambda: services.accounts.sign_in("bench", PASSWORD), 5)


def lookup_ms(folder: Path, profiles: int) -> float:
    with open_store(folder, f"lookup-{profiles}.sqlite3", CHEAP_TEST_COST) as services:
        accounts = services.accounts
        accounts.create_first_user("admin", "Admin", PASSWORD)
        admin = accounts.sign_in("admin", PASSWORD)
        own = accounts.create_profile(
            admin, ProfileDraft(organization="Support", email="admin@x.org")
        )
        admin = admin.with_active_profile(own.id)
        support_ids = random.sample(range(1, 2**32), profiles)
        with unit_of_work(services.session_factory) as session:
            session.execute(
                insert(User),
                [{"login": "crowd", "display_name": "Crowd", "password_hash": "x"}],
            )
            crowd = session.scalar(select(User.id).where(User.login == "crowd"))
            session.execute(
                insert(Profile),
                [
                    {
                        "user_id": crowd,
                        "organization": "Org",
                        "role": Role.MEMBER,
                        "email": f"p{n}@crowd.org",
                        "support_id": support_id,
                    }
                    for n, support_id in enumerate(support_ids)
                ],
            )
        wanted = iter(random.choices(support_ids, k=LOOKUPS))
        return 1000 * median_seconds(
            lambda: accounts.look_up_support_id(admin, next(wanted)), LOOKUPS
        )


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="switchboard-bench-accounts-") as tmp:
        folder = Path(tmp)
        production = sign_in_seconds(folder, PRODUCTION_COST)
        cheap = sign_in_seconds(folder, CHEAP_TEST_COST)
        small = lookup_ms(folder, SMALL)
        big = lookup_ms(folder, BIG)
    low, high = SIGN_IN_TARGET_S
    sign_in_ok = low <= production <= high
    lookup_ok = big <= LOOKUP_TARGET_MS and big <= LOOKUP_RATIO_TARGET * small
    print(
        f"sign in, argon2id production cost: {production * 1000:.0f} ms "
        f"(target {low * 1000:.0f}-{high * 1000:.0f} ms; cheap test cost: {cheap * 1000:.1f} ms) "
        f"{'ok' if sign_in_ok else 'MISSED'}"
    )
    print(
        f"support-ID look-up: {big:.2f} ms among {BIG:,} profiles, {small:.2f} ms among {SMALL} "
        f"(target under {LOOKUP_TARGET_MS:.0f} ms and within {LOOKUP_RATIO_TARGET:.0f}x) "
        f"{'ok' if lookup_ok else 'MISSED'}"
    )
    return 0 if sign_in_ok and lookup_ok else 1
