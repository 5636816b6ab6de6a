"""Killing the sending app at random points never delivers a message twice, nor loses one.

Each round queues 20 messages, starts a process delivering them, SIGKILLs it after a random
delay, then lets a fresh process finish. At the end every Message-ID is in the recipient's
mailbox at most once; every message is delivered, or shown as queued, failed or
may-have-been-sent, and one listed as sent did arrive.
"""

from __future__ import annotations

import collections
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from dovecot import Dovecot
from mail_helpers import actor_of, make_user
from outbox_helpers import make_sender, message, read_folder
from postfix import Postfix
from sqlalchemy import select

from desktop.services.authorization import Authorizer
from desktop.services.mail.outbox import Outbox, OutboxState
from desktop.store.engine import make_engine
from desktop.store.migrate import upgrade_to_head
from desktop.store.models import OutboxMessage
from desktop.store.session import make_session_factory, unit_of_work

ROUNDS = 10
BATCH = 20
CHILD = Path(__file__).with_name("outbox_child.py")


def _child(url: str, profile_id: int) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(CHILD.parent), str(CHILD.parents[1])])}
    return subprocess.Popen(
        [sys.executable, str(CHILD), url, str(profile_id)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )


@pytest.mark.slow
def test_killed_at_random_points_no_message_is_delivered_twice(
    app_home: Path, dovecot: Dovecot, postfix: Postfix
) -> None:
    url = f"sqlite:///{app_home / 'kill.sqlite3'}"
    engine = make_engine(url)
    upgrade_to_head(engine)
    factory = make_session_factory(engine)
    sender = make_sender(factory, make_user(factory), dovecot, postfix)
    to = dovecot.add_user()
    actor = actor_of(factory, sender.profile_id)
    outbox = Outbox(factory, Authorizer(factory))

    started = time.monotonic()
    whole = _child(url, sender.profile_id)  # a first, unkilled batch: how long one takes
    for _ in range(BATCH):
        outbox.queue_message(
            actor, sender.profile_id, message(sender.address, postfix.address(to)),
            [postfix.address(to)],
        )  # fmt: skip
    assert whole.wait(60) == 0
    span = time.monotonic() - started
    rng = random.Random(13)
    killed = 0
    for _ in range(ROUNDS):
        for _ in range(BATCH):
            outbox.queue_message(
                actor, sender.profile_id, message(sender.address, postfix.address(to)),
                [postfix.address(to)],
            )  # fmt: skip
        victim = _child(url, sender.profile_id)
        try:
            victim.wait(rng.uniform(0.3, 1.2) * span)
        except subprocess.TimeoutExpired:
            victim.send_signal(signal.SIGKILL)
            killed += 1
        victim.wait(10)
        assert _child(url, sender.profile_id).wait(60) == 0

    with unit_of_work(factory) as session:
        rows = session.execute(select(OutboxMessage.message_id, OutboxMessage.state)).all()
    states = collections.Counter(state for _, state in rows)
    sent = {mid for mid, state in rows if state == OutboxState.SENT}
    expected = len(rows) - states[OutboxState.QUEUED] - states[OutboxState.FAILED]
    arrived = read_folder(dovecot, to, at_least=len(sent))
    counts = collections.Counter(str(m["Message-ID"]) for m in arrived)
    print(
        f"\n{ROUNDS} rounds of {BATCH}, {killed} killed mid-batch (batch ~{span:.2f} s): "
        f"{len(rows)} messages, {dict(states)}; {len(arrived)} arrived, "
        f"{sum(1 for c in counts.values() if c > 1)} twice"
    )
    assert len(rows) == BATCH * (ROUNDS + 1)
    assert max(counts.values()) == 1
    assert sent <= set(counts)
    assert set(counts) <= {mid for mid, _ in rows}
    assert set(states) <= {OutboxState.SENT, OutboxState.MAY_HAVE_BEEN_SENT}
    assert len(arrived) <= expected
    assert killed >= ROUNDS // 2
