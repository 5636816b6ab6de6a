"""New mail within seconds: IMAP IDLE delivery against the tests' private Dovecot on loopback.

20 messages delivered one at a time into a watched INBOX; each is timed from its delivery to the
window's adapter (``SyncScheduler``, on the Qt thread) reporting the INBOX sync that stored it,
the report the session turns into the new-mail notification and the list refresh. Beside it, in
the same run and for the same deliveries, a bare imapclient IDLE connection to the same INBOX
times when the server's EXISTS reaches it: what any IDLE client waits for before it can fetch.
Target: our median under 3 s. Needs the Debian package dovecot-imapd.
"""

from __future__ import annotations

import importlib
import os
import random
import shutil
import ssl
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path
from types import ModuleType

from imapclient import IMAPClient
from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer

from bench.timing import Figure
from desktop.gui.session.sync_scheduler import SyncScheduler
from desktop.services.authorization import Authorizer, SignedInUser
from desktop.services.mail.imap_sync import SyncResult
from desktop.services.mail.sync_owner import MailSync
from desktop.store.engine import make_engine
from desktop.store.migrate import upgrade_to_head
from desktop.store.models import Profile, Role, User
from desktop.store.session import SessionFactory, make_session_factory, unit_of_work

COUNT = 5 if os.environ.get("SWITCHBOARD_BENCH_QUICK") == "1" else 20
TARGET = 3.0
WAIT = 20.0


def harness() -> ModuleType:
    """The server the tests use (tests/dovecot.py)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    return importlib.import_module("dovecot")


class Passwords:
    def __init__(self, password: str) -> None:
        self.password = password

    def get_password(self, profile_id: int) -> str | None:
        return self.password

    def get_smtp_password(self, profile_id: int) -> str | None:
        return None


def message(number: int) -> bytes:
    built = EmailMessage()
    built["From"] = "Lab <lab@example.net>"
    built["To"] = "ada@example.net"
    built["Subject"] = f"Result {number}"
    built["Message-ID"] = f"<idle-{number}-{random.randrange(2**32)}@example.net>"
    built.set_content(f"Result {number} is ready.\n")
    return built.as_bytes()


def store(folder: Path, dove: object, login: str) -> tuple[SessionFactory, SignedInUser]:
    engine = make_engine(f"sqlite:///{folder / 'store.sqlite3'}")
    upgrade_to_head(engine)
    factory = make_session_factory(engine)
    with unit_of_work(factory) as session:
        user = User(login="bench", display_name="Bench", password_hash="x")
        session.add(user)
        session.flush()
        profile = Profile(
            user_id=user.id, organization="Bench", role=Role.MEMBER, email="ada@example.net",
            support_id=random.randrange(2**32), imap_host="127.0.0.1",
            imap_port=dove.imaps_port, imap_security="ssl", imap_user=login,  # type: ignore[attr-defined]
            ca_file=dove.ca_file,  # type: ignore[attr-defined]
        )  # fmt: skip
        session.add(profile)
        session.flush()
        return factory, SignedInUser(user.id, user.login, user.display_name, profile.id)


class BareIdle:
    """A plain imapclient connection in IDLE; when each EXISTS reached it, on its own thread."""

    def __init__(self, port: int, ca_file: str, login: str, password: str) -> None:
        context = ssl.create_default_context(cafile=ca_file)
        self.client = IMAPClient("127.0.0.1", port=port, ssl=True, ssl_context=context)
        self.client.login(login, password)
        self.client.select_folder("INBOX", readonly=True)
        self.heard: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.client.idle()
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            for response in self.client.idle_check(timeout=0.2):
                if len(response) >= 2 and response[1] == b"EXISTS":
                    self.heard.append(time.perf_counter())

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.client.idle_done()
        self.client.logout()


def wait_until(found: Callable[[], bool], what: str) -> None:
    """Runs the Qt event loop until ``found()``; the figures are stamped by the handlers."""
    loop = QEventLoop()
    timer = QTimer()
    timer.timeout.connect(lambda: loop.quit() if found() else None)
    timer.start(5)
    deadline = time.monotonic() + WAIT
    while not found():
        if time.monotonic() > deadline:
            raise TimeoutError(f"bench idle: no {what} within {WAIT:.0f} s")
        loop.exec()
    timer.stop()


def main() -> int:
    if shutil.which("dovecot") is None:
        print("bench idle: needs dovecot-imapd (tools/system-packages.sh test)")
        return 1
    dovecot = harness()
    folder = Path(tempfile.mkdtemp(prefix="switchboard-bench-idle-"))
    dove = dovecot.Dovecot(dovecot.MAIL_SERVER_PASSWORD)
    dove.start()
    try:
        return _run(dove, dovecot.MAIL_SERVER_PASSWORD, folder)
    finally:
        dove.destroy()
        shutil.rmtree(folder, ignore_errors=True)


def _run(dove: object, password: str, folder: Path) -> int:
    app = QCoreApplication.instance() or QCoreApplication([])
    assert app is not None
    login: str = dove.add_user()  # type: ignore[attr-defined]
    factory, actor = store(folder, dove, login)
    profile_id = actor.active_profile_id
    assert profile_id is not None
    owner = MailSync(factory, Passwords(password), Authorizer(factory))
    scheduler = SyncScheduler(owner, lambda: actor)
    stored: list[tuple[float, int]] = []

    def finished(_profile_id: int, result: SyncResult) -> None:
        stored.append((time.perf_counter(), result.new))

    scheduler.finished.connect(finished)
    scheduler.watch([profile_id])
    wait_until(lambda: owner.is_watching(profile_id) and bool(stored), "catch-up sync")
    bare = BareIdle(dove.imaps_port, dove.ca_file, login, password)  # type: ignore[attr-defined]
    ours_runs, bare_runs = [], []
    try:
        for number in range(COUNT):
            to_window, to_bare = _one_delivery(dove, login, number, stored, bare)
            ours_runs.append(to_window)
            bare_runs.append(to_bare)
    finally:
        bare.close()
        scheduler.close()
        owner.close()
    ours, reference = Figure(tuple(ours_runs)), Figure(tuple(bare_runs))
    print(f"{COUNT} messages delivered one at a time into a watched INBOX on loopback Dovecot:")
    print(f"  bare imapclient IDLE sees EXISTS:      {reference.shown()}")
    print(f"  stored + reported to the window:       {ours.shown()}")
    print(f"  ours - bare at the medians: {(ours.median - reference.median) * 1000:.1f} ms")
    met = ours.median < TARGET
    print(f"  target: median under {TARGET:.0f} s {'met' if met else 'MISSED'}")
    return 0 if met else 1


def _one_delivery(
    dove: object, login: str, number: int, stored: list[tuple[float, int]], bare: BareIdle
) -> tuple[float, float]:
    """Seconds from delivering one message to its report in the window, and to the bare EXISTS."""
    heard, reports = len(bare.heard), len(stored)
    delivered = time.perf_counter()
    dove.deliver(login, [message(number)])  # type: ignore[attr-defined]
    wait_until(lambda: any(new for _, new in stored[reports:]), "INBOX sync")
    wait_until(lambda: len(bare.heard) > heard, "EXISTS on the bare connection")
    arrived = next(at for at, new in stored[reports:] if new)
    return arrived - delivered, bare.heard[heard] - delivered


if __name__ == "__main__":
    sys.exit(main())
