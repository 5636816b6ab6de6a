"""Moving 1,000 messages, from the service call to the server's answer stored, beside bare
imapclient doing the same server work in the same run (issue 14: at most 1.5x).

Two paths, each on its own private Dovecot over IMAPS on loopback:

* MOVE (RFC 6851): ours against a bare session that logs in, selects INBOX and sends
  ``UID MOVE`` of the same UIDs.
* COPY + EXPUNGE (a server without MOVE): ours against a bare session that logs in, selects,
  sends ``UID COPY``, ``UID STORE +FLAGS.SILENT (\\Deleted)`` and ``UID EXPUNGE`` of those UIDs.

Every run gets a fresh mailbox (a new user, 1,000 messages delivered, a ``Work`` folder, indexed
by Dovecot) so no run meets what an earlier one left. Untimed before each run, both sides have
met the mailbox once: ours synced it into a fresh encrypted store (SQLCipher, the app's
default), the reference listed its UIDs.

Ours is cold: a fresh process opens the store (new engine, no statement cache, no connection
to the server; only the ORM's one-time set-up of its classes, which the app does at its start
long before any action, is done before the clock starts). The clock runs from
``MailActions.move`` of the 1,000 message ids (the local change, its audit entry and the
persisted plan) until the profile's queue reports the actions applied: it has logged in over
TLS, selected INBOX, moved the messages and stored each one's new UID from the COPYUID answer.
Logging in is timed on both sides, logging out on neither (ours keeps its connection for the
next step). The local side alone (the call until it returns with the rows shown in ``Work``)
is printed beside it. The replay's commit leaves the WAL checkpoint it would run to the
profile's thread after the report (``sync_owner``), so that checkpoint is not in the figure;
the reference writes nothing locally at all. After each run, untimed, the store is checked
against the server: every row in ``Work`` carries the UID the server gave its message, and no
action waits.

The two sides take turns in alternating order; each figure is the median with the range of all
runs. Target: ours at most 1.5x the reference at the median, on both paths. Needs root (the
Maildir files are handed to the ``mail`` user) and dovecot-imapd.
"""

from __future__ import annotations

import json
import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from imapclient import IMAPClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import configure_mappers

from bench.bench_mail import PASSWORD, Passwords, actor_of, harness, messages
from bench.bench_mail_inbox import quick_mode
from bench.timing import Figure, alternating
from desktop.services.authorization import Authorizer, SignedInUser
from desktop.services.mail.actions import MailActions
from desktop.services.mail.sync_owner import ActionsApplied, MailSync, SyncEvent
from desktop.store.engine import make_engine
from desktop.store.migrate import upgrade_to_head
from desktop.store.models import MailAction, Message, Profile, Role, User
from desktop.store.session import SessionFactory, make_session_factory, unit_of_work

COUNT = 1_000
TARGET = "Work"
RATIO_TARGET = 1.5
WAIT_S = 120.0
_DELETED = b"\\Deleted"


def fresh_mailbox(server: Any) -> tuple[str, list[int]]:
    """A new user with COUNT messages in an indexed INBOX and an empty Work; its INBOX UIDs."""
    login: str = server.add_user()
    server.deliver(login, messages(COUNT, seed=7))
    server.doveadm("mailbox", "create", "-u", login, TARGET)
    server.doveadm("index", "-u", login, "INBOX")
    with _client(server, login) as client:
        client.select_folder("INBOX", readonly=True)
        uids: list[int] = client.search("ALL")
    if len(uids) != COUNT:
        raise RuntimeError(f"the mailbox holds {len(uids)} of {COUNT} messages")
    return login, uids


def _client(server: Any, login: str) -> IMAPClient:
    context = ssl.create_default_context(cafile=server.ca_file)
    client = IMAPClient("127.0.0.1", port=server.imaps_port, ssl=True, ssl_context=context)
    client.login(login, PASSWORD)
    return client


def reference(server: Any) -> float:
    """Bare imapclient: log in, select, move (or copy, mark and expunge) every UID; seconds."""
    login, uids = fresh_mailbox(server)
    started = time.perf_counter()
    context = ssl.create_default_context(cafile=server.ca_file)
    client = IMAPClient("127.0.0.1", port=server.imaps_port, ssl=True, ssl_context=context)
    client.login(login, PASSWORD)
    client.select_folder("INBOX")
    if server.without:
        client.copy(uids, TARGET)
        client.add_flags(uids, [_DELETED], silent=True)
        client.uid_expunge(uids)
    else:
        client.move(uids, TARGET)
    elapsed = time.perf_counter() - started
    client.logout()
    with _client(server, login) as check:
        check.select_folder(TARGET, readonly=True)
        if len(check.search("ALL")) != COUNT:
            raise RuntimeError("the reference did not move every message")
    return elapsed


def _store(engine: Engine, server: Any, login: str) -> tuple[SessionFactory, int]:
    upgrade_to_head(engine)
    factory = make_session_factory(engine)
    with unit_of_work(factory) as session:
        user = User(login="bench", display_name="Bench", password_hash="x")
        session.add(user)
        session.flush()
        profile = Profile(
            user_id=user.id,
            organization="Bench",
            role=Role.MEMBER,
            email="bench@clinic.example",
            support_id=int.from_bytes(os.urandom(4)),
            imap_host="127.0.0.1",
            imap_port=server.imaps_port,
            imap_user=login,
            ca_file=server.ca_file,
        )
        session.add(profile)
        session.flush()
        return factory, profile.id


def ours(server: Any, folder: Path, local: list[float]) -> float:
    """Our whole path in a fresh process on a freshly synced store; seconds (local side kept)."""
    login, _uids = fresh_mailbox(server)
    place = Path(tempfile.mkdtemp(dir=folder))
    key = os.urandom(32)
    engine = make_engine(f"sqlite:///{place / 'store.sqlite3'}", key=key)
    factory, profile_id = _store(engine, server, login)
    owner = MailSync(factory, Passwords(), Authorizer(factory))
    actor = actor_of(factory, profile_id)
    user_id = actor.user_id
    try:
        if owner.sync_now(actor, profile_id).new != COUNT:
            raise RuntimeError("the untimed sync did not store every message")
    finally:
        owner.close()
    with unit_of_work(factory) as session:
        ids = list(session.scalars(select(Message.id).where(Message.folder == "INBOX")))
    engine.dispose()
    done = subprocess.run(
        [sys.executable, "-m", "bench.bench_mail_actions", "--one"],
        input=json.dumps({"store": str(place), "key": key.hex(), "profile": profile_id,
                          "user": user_id, "ids": ids}),
        check=True,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )  # fmt: skip
    figures = json.loads(done.stdout)
    _check(server, login, make_engine(f"sqlite:///{place / 'store.sqlite3'}", key=key))
    shutil.rmtree(place)
    local.append(figures["local"])
    return float(figures["total"])


def _check(server: Any, login: str, engine: Engine) -> None:
    """Every row is in Work under the UID the server gave its message; nothing waits."""
    factory = make_session_factory(engine)
    with unit_of_work(factory) as session:
        waiting = session.scalar(select(MailAction.id).limit(1))
        rows = session.execute(select(Message.message_id, Message.folder, Message.uid)).all()
    engine.dispose()
    with _client(server, login) as client:
        client.select_folder(TARGET, readonly=True)
        fetched = client.fetch(client.search("ALL"), ["BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"])
    on_server = {
        data[b"BODY[HEADER.FIELDS (MESSAGE-ID)]"].decode().split(":", 1)[1].strip(" \r\n<>"): uid
        for uid, data in fetched.items()
    }
    stored = {(mid or "").strip("<>"): uid for mid, folder, uid in rows if folder == TARGET}
    if waiting is not None or len(rows) != COUNT or stored != on_server:
        raise RuntimeError("the store does not match the server after the move")


def child() -> int:
    """One timed run of ours (see :func:`ours`): prints the local and whole seconds."""
    asked = json.loads(sys.stdin.read())
    applied = threading.Event()
    events: list[ActionsApplied] = []

    def heard(event: SyncEvent) -> None:
        if isinstance(event, ActionsApplied):
            events.append(event)
            applied.set()

    configure_mappers()  # the app's start does this before any action; no store is opened
    engine = make_engine(
        f"sqlite:///{Path(asked['store']) / 'store.sqlite3'}", key=bytes.fromhex(asked["key"])
    )
    factory = make_session_factory(engine)
    owner = MailSync(factory, Passwords(), Authorizer(factory))
    owner.add_listener(heard)
    actions = MailActions(factory, Authorizer(factory), owner)
    actor = SignedInUser(asked["user"], "bench", "Bench", asked["profile"])
    started = time.perf_counter()
    result = actions.move(actor, asked["ids"], TARGET)
    local = time.perf_counter() - started
    if not applied.wait(WAIT_S):
        raise RuntimeError("the queue did not apply the move in time")
    total = time.perf_counter() - started
    owner.close()
    if result.changed != COUNT or events[0].failed or events[0].moved != COUNT:
        raise RuntimeError(f"moved {result.changed} here, then {events[0]}")
    print(json.dumps({"local": local, "total": total}))
    return 0


def bench_path(folder: Path, without: frozenset[str], runs: int) -> bool:
    server = harness().Dovecot(PASSWORD, without=without)
    server.start()
    local: list[float] = []
    try:
        reference_runs, our_runs = alternating(
            [lambda: reference(server), lambda: ours(server, folder, local)], runs
        )
    finally:
        server.destroy()
    bare, mine = Figure(tuple(reference_runs)), Figure(tuple(our_runs))
    ratio = mine.median / bare.median
    low, high = min(our_runs) / max(reference_runs), max(our_runs) / min(reference_runs)
    met = ratio <= RATIO_TARGET
    name = "COPY + STORE + UID EXPUNGE" if without else "UID MOVE"
    print(
        f"move {COUNT:,} messages, {name} path, {runs} runs each, alternating:\n"
        f"  bare imapclient (login, select, {name}): {bare.shown()}\n"
        f"  ours, cold (MailActions.move until the queue stored the new UIDs): {mine.shown()}\n"
        f"    of which the local side (the call until rows show moved): "
        f"{Figure(tuple(local)).shown()}\n"
        f"  ours / reference: {ratio:.2f}x (range {low:.2f}-{high:.2f}, target <= "
        f"{RATIO_TARGET:.1f}x): {'met' if met else 'MISSED'}",
        flush=True,
    )
    return met


def main(quick: bool | None = None) -> int:
    quick = quick_mode() if quick is None else quick
    if shutil.which("dovecot") is None:
        print("bench mail_actions: needs dovecot-imapd (tools/system-packages.sh test)")
        return 1
    runs = 3 if quick else 7
    folder = Path(tempfile.mkdtemp(prefix="switchboard-bench-actions-"))
    folder.chmod(0o755)
    try:
        met = [bench_path(folder, without, runs) for without in (frozenset(), frozenset({"MOVE"}))]
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0 if all(met) else 1


if __name__ == "__main__":
    sys.exit(child() if sys.argv[1:2] == ["--one"] else main())
