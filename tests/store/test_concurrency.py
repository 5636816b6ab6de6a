"""Sixteen threads at once for twenty seconds: no "database is locked", no lost row, no duplicate.

In the spirit of a load test: each thread creates profiles, signs in and writes audit events as
fast as it can, on SQLite and on PostgreSQL. The figures are printed (run with ``-s``), never
asserted: speed targets belong to benchmarks.
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter

import pytest
from people import add_user
from sqlalchemy import func, select

from desktop.services.accounts import ProfileDraft
from desktop.services.audit_events import Outcome, record_event
from desktop.services.container import Services
from desktop.store.models import AuditEvent, Profile
from desktop.store.session import unit_of_work

THREADS = 16
SECONDS = float(os.environ.get("SWITCHBOARD_LOAD_SECONDS", "20"))
PASSWORD = "correct horse battery"
LOAD_ACTION = "load test"


@pytest.mark.slow
def test_sixteen_threads_create_sign_in_and_audit_at_once(services: Services) -> None:
    accounts = services.accounts
    users = [add_user(services, f"user{n}", f"User {n}", PASSWORD) for n in range(THREADS)]
    done = Counter[str]()
    errors: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(THREADS)

    def worker(n: int) -> None:
        ops = Counter[str]()
        start.wait()
        deadline = time.monotonic() + SECONDS
        round_ = 0
        while time.monotonic() < deadline:
            round_ += 1
            try:
                actor = accounts.sign_in(f"user{n}", PASSWORD)
                ops["sign in"] += 1
                accounts.create_profile(
                    actor,
                    ProfileDraft(organization=f"Org {n}", email=f"u{n}.{round_}@load.example"),
                )
                ops["create profile"] += 1
                record_event(
                    services.session_factory,
                    user_id=users[n],
                    profile_id=None,
                    action=LOAD_ACTION,
                    target=f"round {round_}",
                    outcome=Outcome.OK,
                )
                ops["audit event"] += 1
            except Exception as error:
                with lock:
                    errors.append(f"{type(error).__name__}: {error}")
        with lock:
            done.update(ops)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began

    total = sum(done.values())
    print(
        f"\n{services.engine.dialect.name}: {THREADS} threads, {elapsed:.1f} s, "
        f"{total} operations, {total / elapsed:.0f} ops/s "
        f"({', '.join(f'{k} {v}' for k, v in sorted(done.items()))}), errors: {len(errors)}"
    )
    assert errors == []
    with unit_of_work(services.session_factory) as session:
        profiles = session.scalar(select(func.count()).select_from(Profile))
        distinct_ids = session.scalar(select(func.count(func.distinct(Profile.support_id))))
        load_events = session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == LOAD_ACTION)
        )
    assert profiles == done["create profile"] > 0
    assert distinct_ids == profiles
    assert load_events == done["audit event"]
