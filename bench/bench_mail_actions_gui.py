"""Archive from the window: from the key press to the rows gone from the list, beside the bare
service call doing the same store work.

A fresh store (SQLite, in the temp folder) holds one profile with imported mail; the window lists
it over the real services. Each window run selects the top ``CHOSEN`` rows, triggers Archive and
stops the clock when the list has lost them (the store transaction, the worker hop and the row
removal), then Undo puts them back, untimed. Each reference run calls ``MailActions.archive`` on
the same number of other messages directly, then undoes it, untimed. The two take turns; each
figure is the median with its range. The first window run (a cold window: first worker, first
query plans) is shown on its own, since it is the one a person meets first. Target: the window
adds under 100 ms to the bare call at the median.
"""

from __future__ import annotations

import mailbox
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING

from bench.bench_mail_inbox import quick_mode
from bench.timing import Figure, alternating

if TYPE_CHECKING:
    from desktop.services.authorization import SignedInUser
    from desktop.services.container import Services

CHOSEN = 50
TARGET_OVERHEAD_S = 0.100


def _mail(number: int) -> EmailMessage:
    message = EmailMessage()
    message["From"] = f"Sender {number} <s{number}@example.org>"
    message["To"] = "ada@example.org"
    message["Subject"] = f"Report {number}"
    message["Date"] = f"Tue, 03 Mar 2026 10:{number % 60:02d}:{number // 60 % 60:02d} +0000"
    message["Message-ID"] = f"<bench{number}@example.org>"
    message.set_content(f"Body {number}\n")
    return message


def _store(messages: int) -> tuple[Services, SignedInUser]:
    """A fresh store with one profile holding ``messages`` imported messages (untimed)."""
    from desktop.services.accounts import ProfileDraft
    from desktop.services.container import wire_services
    from desktop.services.mail.importer import import_paths
    from desktop.services.passwords import CHEAP_TEST_COST
    from desktop.services.secrets import SecretStore
    from desktop.store.engine import make_engine
    from desktop.store.migrate import upgrade_to_head

    folder = Path(tempfile.mkdtemp(prefix="bench-actions-"))
    engine = make_engine(f"sqlite:///{folder / 'store.sqlite3'}")
    upgrade_to_head(engine)
    services = wire_services(engine, SecretStore.in_memory(), password_cost=CHEAP_TEST_COST)
    services.accounts.create_first_user("ada", "Ada", "correct horse battery")
    actor = services.accounts.sign_in("ada", "correct horse battery")
    profile = services.accounts.create_profile(
        actor, ProfileDraft(organization="Clinic", email="ada@example.org", title="")
    )
    actor = services.accounts.switch_profile(actor, profile.id)
    box = mailbox.mbox(folder / "mail.mbox")
    for number in range(messages):
        box.add(_mail(number))
    box.close()
    import_paths(services.session_factory, profile.id, [folder / "mail.mbox"])
    return services, actor


def main(quick: bool | None = None) -> int:
    quick = quick_mode() if quick is None else quick
    messages, runs = (400, 5) if quick else (2000, 15)

    from PySide6.QtCore import QItemSelectionModel
    from PySide6.QtWidgets import QApplication

    from desktop.gui.mainwindow.window import MainWindow
    from desktop.gui.session.services_workspace import ServicesWorkspace
    from desktop.gui.session.session import Session

    app = QApplication.instance() or QApplication([])
    services, actor = _store(messages)
    window = MainWindow()
    window.resize(1280, 800)
    window.show()
    session = Session(ServicesWorkspace(services, actor))
    window.open_session(session)
    page = window.workspace_page
    assert page is not None
    model = page.inbox_model

    def wait(done: object) -> None:
        deadline = time.monotonic() + 30
        while not done():  # type: ignore[operator]
            app.processEvents()
            if time.monotonic() > deadline:
                raise SystemExit("bench_mail_actions_gui: the window did not answer in 30 s")

    wait(lambda: model.rowCount() >= CHOSEN and session.folders.tree is not None)
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows

    def in_window() -> float:
        table = page.inbox.table
        table.clearSelection()
        for row in range(CHOSEN):
            table.selectionModel().select(model.index(row, 0), flags)
        before = model.rowCount()
        started = time.perf_counter()
        window.mail.archive_action.trigger()
        wait(lambda: model.rowCount() == before - CHOSEN)
        took = time.perf_counter() - started
        window.mail.undo_action.trigger()
        wait(lambda: model.rowCount() == before and not model.loading)
        return took

    others = [model.row_at(row).id for row in range(CHOSEN, 2 * CHOSEN)]

    def bare() -> float:
        started = time.perf_counter()
        services.mail_actions.archive(actor, others)
        took = time.perf_counter() - started
        services.mail_actions.undo(actor)
        return took

    first = in_window()
    ours, reference = (Figure(tuple(column)) for column in alternating([in_window, bare], runs))
    window.close()
    overhead = ours.median - reference.median
    verdict = "met" if overhead < TARGET_OVERHEAD_S else "MISSED"
    print(
        f"archive {CHOSEN} of {messages} messages, key to rows gone (window): {ours.shown()}\n"
        f"  first in a fresh window (cold): {first * 1000:.1f} ms\n"
        f"  MailActions.archive, the same store work (reference): {reference.shown()}\n"
        f"  the window adds {overhead * 1000:.1f} ms (target < 100 ms): {verdict}"
    )
    return 0 if overhead < TARGET_OVERHEAD_S else 1
