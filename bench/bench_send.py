"""Sending benchmark against the tests' private Postfix (delivering into their Dovecot) on loopback.

200 messages of 50 kB through the outbox (each queued, so committed to the store, then delivered
over one SMTP connection by the profile's queue) vs bare ``smtplib`` sending the same messages
over one connection to the same server in the same run: at most 1.3x its time. The runs take
turns (``bench/timing.py``); each figure is a median with its range. With the Sent copy (an IMAP
APPEND of each message) is shown beside it, without a target: bare smtplib saves no copy.
Needs root and the Debian packages postfix, dovecot-imapd and dovecot-lmtpd.
"""

from __future__ import annotations

import importlib
import os
import random
import shutil
import smtplib
import ssl
import sys
import tempfile
import time
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from types import ModuleType

from bench.timing import Figure, alternating
from desktop.services.authorization import Authorizer, SignedInUser
from desktop.services.mail.outbox import Outbox
from desktop.services.mail.sync_owner import MailSync
from desktop.store.engine import make_engine
from desktop.store.migrate import upgrade_to_head
from desktop.store.models import Profile, Role, SmtpServer, User
from desktop.store.session import SessionFactory, make_session_factory, unit_of_work

COUNT = 20 if os.environ.get("SWITCHBOARD_BENCH_QUICK") == "1" else 200
SIZE = 50 * 1024
ROUNDS = 3
RATIO_TARGET = 1.3
WORDS = ("patient", "ward", "round", "report", "lab", "result", "referral", "clinic", "summary")


def harness() -> tuple[ModuleType, ModuleType]:
    """The servers the tests use (tests/dovecot.py, tests/postfix.py)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    return importlib.import_module("dovecot"), importlib.import_module("postfix")


class Passwords:
    def __init__(self, password: str) -> None:
        self.password = password

    def get_password(self, profile_id: int) -> str | None:
        return self.password

    def get_smtp_password(self, profile_id: int) -> str | None:
        return None


def messages(sender: str, to: str, seed: int) -> list[EmailMessage]:
    rng = random.Random(seed)
    built = []
    for number in range(COUNT):
        message = EmailMessage()
        message["From"] = sender
        message["To"] = to
        message["Subject"] = f"Report {seed}-{number}"
        message["Message-ID"] = make_msgid(domain="example.net")
        text: list[str] = []
        while sum(len(line) + 1 for line in text) < SIZE:
            text.append(" ".join(rng.choices(WORDS, k=12)))
        message.set_content("\n".join(text) + "\n")
        built.append(message)
    return built


def store(folder: Path, server: ModuleType, dove: object, post: object) -> tuple[
    SessionFactory, SignedInUser, int, str, str
]:  # fmt: skip
    engine = make_engine(f"sqlite:///{folder / 'store.sqlite3'}")
    upgrade_to_head(engine)
    factory = make_session_factory(engine)
    login, to = dove.add_user(), dove.add_user()  # type: ignore[attr-defined]
    address = post.address(login)  # type: ignore[attr-defined]
    with unit_of_work(factory) as session:
        user = User(login="bench", display_name="Bench", password_hash="x")
        session.add(user)
        session.flush()
        profile = Profile(
            user_id=user.id, organization="Bench", role=Role.MEMBER, email=address,
            support_id=random.randrange(2**32), imap_host="127.0.0.1",
            imap_port=dove.imaps_port, imap_security="ssl", imap_user=login,  # type: ignore[attr-defined]
            ca_file=dove.ca_file,  # type: ignore[attr-defined]
        )  # fmt: skip
        session.add(profile)
        session.flush()
        session.add(
            SmtpServer(
                profile_id=profile.id, host="127.0.0.1", port=post.submission_port,  # type: ignore[attr-defined]
                security="starttls", ca_file=dove.ca_file, own_password=False,  # type: ignore[attr-defined]
                server_saves_sent=True,
            )
        )  # fmt: skip
        actor = SignedInUser(user.id, user.login, user.display_name, profile.id)
        return factory, actor, profile.id, login, post.address(to)  # type: ignore[attr-defined]


def main() -> int:
    if shutil.which("postfix") is None or not Path("/usr/lib/dovecot/lmtp").exists():
        print("bench send: needs postfix and dovecot-lmtpd (tools/system-packages.sh test)")
        return 1
    dovecot, postfix = harness()
    folder = Path(tempfile.mkdtemp(prefix="switchboard-bench-send-"))
    dove = dovecot.Dovecot(dovecot.MAIL_SERVER_PASSWORD)
    post = postfix.Postfix(dove)
    dove.start()
    post.start()
    try:
        return _run(dovecot, dove, post, folder)
    finally:
        post.destroy()
        dove.destroy()
        shutil.rmtree(folder, ignore_errors=True)


def _run(dovecot: ModuleType, dove: object, post: object, folder: Path) -> int:
    factory, actor, profile_id, login, to = store(folder, dovecot, dove, post)
    password = dovecot.MAIL_SERVER_PASSWORD
    outbox = Outbox(factory, Authorizer(factory))
    owner = MailSync(factory, Passwords(password), Authorizer(factory))
    context = ssl.create_default_context(cafile=dove.ca_file)  # type: ignore[attr-defined]
    sender = post.address(login)  # type: ignore[attr-defined]
    seeds = iter(range(1000))

    def through_outbox(copy: bool) -> Callable[[], float]:
        def run() -> float:
            with unit_of_work(factory) as session:
                session.get_one(SmtpServer, profile_id).server_saves_sent = not copy
            batch = messages(sender, to, next(seeds))
            started = time.perf_counter()
            for message in batch:
                outbox.queue_message(actor, profile_id, message, [to])
            report = owner.deliver_now(actor, profile_id)
            elapsed = time.perf_counter() - started
            assert report.sent == COUNT, report
            return elapsed

        return run

    def bare() -> float:
        batch = [m.as_bytes() for m in messages(sender, to, next(seeds))]
        started = time.perf_counter()
        with smtplib.SMTP("127.0.0.1", post.submission_port) as client:  # type: ignore[attr-defined]
            client.starttls(context=context)
            client.login(login, password)
            for data in batch:
                client.sendmail(sender, [to], data)
        return time.perf_counter() - started

    try:
        bare_runs, ours_runs, copy_runs = alternating(
            [bare, through_outbox(False), through_outbox(True)], ROUNDS
        )
    finally:
        owner.close()
    reference, ours, with_copy = (
        Figure(tuple(bare_runs)),
        Figure(tuple(ours_runs)),
        Figure(tuple(copy_runs)),
    )
    ratio = ours.median / reference.median
    low = min(ours.runs) / max(reference.runs)
    high = max(ours.runs) / min(reference.runs)
    print(f"{COUNT} messages of {SIZE // 1024} kB over one connection to Postfix on loopback:")
    print(f"  bare smtplib:            {reference.shown()}  {reference.rate(COUNT)}")
    print(f"  outbox (queue + send):   {ours.shown()}  {ours.rate(COUNT)}")
    print(f"  outbox + Sent copy:      {with_copy.shown()}  {with_copy.rate(COUNT)}")
    met = ratio <= RATIO_TARGET
    print(
        f"  outbox / bare: {ratio:.2f}x (range {low:.2f}-{high:.2f}), target <= {RATIO_TARGET}x"
        f" {'met' if met else 'MISSED'}"
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
