"""Mail benchmarks against a private Dovecot on loopback, each beside a reference from the same run.

* first sync of 20,000 messages into an empty profile vs ``mbsync`` (isync) pulling the same
  mailbox into a Maildir: at most 2x mbsync's time;
* incremental sync after 100 new messages arrived on those 20,000: under 1 s.

Import is measured in ``bench_import``, the unified-inbox figures on 1,000,000 messages in
``bench_mail_inbox``. Needs root (the
Maildir files are handed to the ``mail`` user) and the Debian packages dovecot-imapd and isync.
``SWITCHBOARD_BENCH_SCALE`` (default 1.0) shrinks the message counts for a quick look.
"""

from __future__ import annotations

import importlib.util
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from types import ModuleType
from typing import Any

from desktop.services.authorization import Authorizer, SignedInUser
from desktop.services.mail.sync_owner import MailSync
from desktop.store.engine import make_engine
from desktop.store.migrate import upgrade_to_head
from desktop.store.models import Profile, Role, User
from desktop.store.session import SessionFactory, make_session_factory, unit_of_work

QUICK_SCALE = "0.1"
"""``python -m bench --quick``: 2,000 messages, so the whole quick run stays under two minutes."""
SCALE = float(
    os.environ.get(
        "SWITCHBOARD_BENCH_SCALE",
        QUICK_SCALE if os.environ.get("SWITCHBOARD_BENCH_QUICK") == "1" else "1.0",
    )
)
SYNC_MESSAGES = int(20_000 * SCALE)
NEW_MESSAGES = 100
SYNC_RATIO_TARGET = 2.0
INCREMENTAL_TARGET_S = 1.0
PASSWORD = "bench-password"
WORDS = (
    "patient", "ward", "round", "report", "lab", "result", "follow", "up", "referral",
    "clinic", "appointment", "schedule", "meeting", "budget", "review", "discharge", "summary",
    "imaging", "consult", "radiology", "pharmacy", "dosage", "protocol", "audit", "training",
    "rota", "shift", "handover", "urgent", "routine", "update", "invoice", "contract",
    "policy", "nurse", "doctor", "admin", "committee", "agenda", "minutes", "draft", "final",
    "approval", "request",
)  # fmt: skip
NAMES = ["Ada Lovelace", "Grace Hopper", "Alan Turing", "Jörg Müller", "Zoë Martin", "李雷"]


def harness() -> ModuleType:
    """The Dovecot harness the tests use (tests/dovecot.py), loaded from its file."""
    path = Path(__file__).resolve().parent.parent / "tests" / "dovecot.py"
    spec = importlib.util.spec_from_file_location("switchboard_bench_dovecot", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def messages(count: int, seed: int, start: int = 0) -> Iterator[bytes]:
    """Plausible mail: varied senders, subjects and bodies of 1-3 kB, dates over two years."""
    rng = random.Random(seed)
    base = 1_640_995_200  # 2022-01-01
    for number in range(start, start + count):
        name = rng.choice(NAMES)
        subject = " ".join(rng.choices(WORDS, k=rng.randint(3, 8))).capitalize()
        lines = [
            " ".join(rng.choices(WORDS, k=rng.randint(8, 14))) for _ in range(rng.randint(8, 25))
        ]
        when = time.gmtime(base + rng.randint(0, 63_072_000))
        date = format_datetime(datetime(*when[:6], tzinfo=UTC))
        yield (
            f"From: {name} <{name.split()[0].lower()}@example.org>\r\n"
            f"To: ada@clinic.example\r\n"
            f"Subject: {subject} #{number}\r\n"
            f"Date: {date}\r\n"
            f"Message-ID: <bench-{seed}-{number}@example.org>\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "Content-Transfer-Encoding: 8bit\r\n\r\n" + "\r\n".join(lines) + "\r\n"
        ).encode()


def fresh_store(folder: Path) -> tuple[SessionFactory, int]:
    engine = make_engine(f"sqlite:///{folder / 'store.sqlite3'}")
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
            support_id=random.randrange(2**32),
        )
        session.add(profile)
        session.flush()
        return factory, profile.id


class Passwords:
    def get_password(self, profile_id: int) -> str | None:
        return PASSWORD

    def get_smtp_password(self, profile_id: int) -> str | None:
        return None


def run_mbsync(server: Any, login: str, folder: Path) -> float:
    target = folder / "mbsync-maildir"
    target.mkdir()
    config = folder / "mbsyncrc"
    config.write_text(
        f"FSync no\n\nIMAPAccount bench\nHost localhost\nPort {server.imaps_port}\n"
        f"User {login}\nPass {PASSWORD}\nSSLType IMAPS\nCertificateFile {server.ca_file}\n\n"
        "IMAPStore remote\nAccount bench\n\n"
        f"MaildirStore local\nPath {target}/\nInbox {target}/INBOX\n\n"
        "Channel bench\nFar :remote:\nNear :local:\nPatterns INBOX\nCreate Near\nSync Pull\n"
        f"SyncState {folder}/mbsync-state/\n"
    )
    (folder / "mbsync-state").mkdir()
    started = time.perf_counter()
    subprocess.run(["mbsync", "-q", "-c", str(config), "bench"], check=True, capture_output=True)
    elapsed = time.perf_counter() - started
    fetched = sum(1 for _ in (target / "INBOX" / "new").iterdir()) + sum(
        1 for _ in (target / "INBOX" / "cur").iterdir()
    )
    if fetched != SYNC_MESSAGES:
        raise RuntimeError(f"mbsync fetched {fetched} of {SYNC_MESSAGES} messages")
    return elapsed


def bench_sync(folder: Path) -> bool:
    dovecot = harness()
    server = dovecot.Dovecot(PASSWORD)
    server.start()
    try:
        login = server.add_user()
        server.deliver(login, messages(SYNC_MESSAGES, seed=1))
        server.doveadm("index", "-u", login, "INBOX")  # both clients meet a warm, indexed folder
        mbsync_s = run_mbsync(server, login, folder)

        factory, profile_id = fresh_store(folder)
        with unit_of_work(factory) as session:
            profile = session.get_one(Profile, profile_id)
            profile.imap_host, profile.imap_port = "127.0.0.1", server.imaps_port
            profile.imap_user, profile.ca_file = login, server.ca_file
            session.flush()
            session.expunge(profile)
        owner = MailSync(factory, Passwords(), Authorizer(factory))
        actor = SignedInUser(profile.user_id, "bench", "Bench", profile_id)
        started = time.perf_counter()
        first = owner.sync_now(actor, profile_id)
        ours_s = time.perf_counter() - started
        if first.new != SYNC_MESSAGES or first.bodies != SYNC_MESSAGES:
            raise RuntimeError(f"first sync stored {first.new}/{first.bodies} messages")

        server.deliver(login, messages(NEW_MESSAGES, seed=2, start=SYNC_MESSAGES))
        started = time.perf_counter()
        again = owner.sync_now(actor, profile_id)
        owner.close()
        incremental_s = time.perf_counter() - started
        if again.new != NEW_MESSAGES:
            raise RuntimeError(f"incremental sync stored {again.new} messages")
    finally:
        server.destroy()
    ratio = ours_s / mbsync_s
    print(f"first sync of {SYNC_MESSAGES} messages: mbsync {mbsync_s:.2f} s "
          f"({SYNC_MESSAGES / mbsync_s:,.0f}/s), ours {ours_s:.2f} s "
          f"({SYNC_MESSAGES / ours_s:,.0f}/s): {ratio:.2f}x mbsync "
          f"(target <= {SYNC_RATIO_TARGET:.1f}x)")  # fmt: skip
    target_ms = INCREMENTAL_TARGET_S * 1000
    print(f"incremental sync of {NEW_MESSAGES} new on {SYNC_MESSAGES}: "
          f"{incremental_s * 1000:.0f} ms (target < {target_ms:.0f} ms)")  # fmt: skip
    return ratio <= SYNC_RATIO_TARGET and incremental_s < INCREMENTAL_TARGET_S


def main() -> int:
    if shutil.which("dovecot") is None or shutil.which("mbsync") is None:
        print("bench mail: needs dovecot-imapd and isync (tools/system-packages.sh test)")
        return 1
    folder = Path(tempfile.mkdtemp(prefix="switchboard-bench-mail-"))
    try:
        sync_ok = bench_sync(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0 if sync_ok else 1


if __name__ == "__main__":
    sys.exit(main())
