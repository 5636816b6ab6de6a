"""A second launch hands its mailto: links to the running app: the window comes to the front and
a new message opens with the link's fields, never before sign-in or past the lock screen. A dead
app's socket is taken over; two launches at once make exactly one app."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import PASSWORD, Seeded
from filelock import FileLock
from PySide6.QtNetwork import QLocalServer
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine

from desktop.gui.compose.window import ComposeWindow
from desktop.gui.controller import AppController
from desktop.gui.launch_requests import LaunchRequests, serve_launches
from desktop.gui.mainwindow.window import MainWindow
from desktop.gui.session.backend import Backend
from desktop.gui.session.store_identity import store_identity
from desktop.gui.single_instance import (
    AppNotAnsweringError,
    InstanceServer,
    claim,
    instance_key,
    server_name,
)
from desktop.paths import instance_lock_file

# Offscreen Qt cannot raise a window; the test checks what raising must leave: shown, not minimized.
pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support raise")]

LINK = (
    "mailto:ward@stmarys.example,%22Doe%2C%20J%22%20%3Cj@x.example%3E?cc=lab@x.example"
    "&BCC=audit@x.example&Subject=Bed%2012%20caf%C3%A9&body=Please%20call%20me.%0D%0AAda"
    "&attach=%2Fetc%2Fpasswd&from=boss@x.example"
)
GUI_ENTRY = "import sys; from desktop.gui.launch import main; sys.exit(main())"
"""What the ``switchboard-gui`` script runs; the store comes from the environment."""


@dataclass
class App:
    controller: AppController
    requests: LaunchRequests
    url: str

    @property
    def window(self) -> MainWindow:
        return self.controller.window

    def composes(self) -> list[ComposeWindow]:
        return self.controller.compose.windows


@pytest.fixture
def app(qtbot: QtBot, seeded: Seeded, engine: Engine) -> Iterator[App]:
    """The running app as launch starts it: holding the store's lock, listening, at sign-in."""
    url = engine.url.render_as_string(hide_password=False)
    key = instance_key(store_identity(url))
    lock = FileLock(instance_lock_file(key))
    lock.acquire()
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    controller = AppController(window, lambda: Backend(seeded.services))
    requests = serve_launches(controller, server_name(key))
    with qtbot.waitSignal(controller.ready):
        controller.start()
    yield App(controller, requests, url)
    requests.stop()
    controller.compose.close_all()
    lock.release()


def sign_in(qtbot: QtBot, app: App) -> None:
    page = app.controller.sign_in
    assert page is not None
    page.password.setText(PASSWORD)
    with qtbot.waitSignal(app.controller.workspace_shown, timeout=10000):
        page.submit()
    qtbot.waitUntil(lambda: app.window.active_profile is not None)


def launch_again(app: App, *links: str, script: bool = False) -> subprocess.Popen[str]:
    """``switchboard LINK`` (or the ``switchboard-gui`` script) in a process of its own, as a
    desktop's URL handler runs it."""
    environment = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    if script:
        environment["SWITCHBOARD_DATABASE_URL"] = app.url
        command = [sys.executable, "-c", GUI_ENTRY, *links]
    else:
        command = [sys.executable, "-m", "desktop", "--database-url", app.url, *links]
    return subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment
    )


HAND_OVER = textwrap.dedent(
    """
    import sys
    from desktop.gui.single_instance import hand_over
    sys.exit(0 if hand_over(sys.argv[1], sys.argv[2:]) else 1)
    """
)


def hand_over_elsewhere(name: str, arguments: list[str]) -> subprocess.Popen[str]:
    """The launch's client end in a process of its own: its blocking wait holds Python's lock,
    so in this process it would keep the app's event loop from answering."""
    return subprocess.Popen(
        [sys.executable, "-c", HAND_OVER, name, *arguments], stderr=subprocess.PIPE, text=True
    )


def handed(qtbot: QtBot, launch: subprocess.Popen[str]) -> None:
    qtbot.waitUntil(lambda: launch.poll() is not None, timeout=20000)
    _out, err = launch.communicate()
    assert launch.returncode == 0, err


def opened(qtbot: QtBot, app: App) -> ComposeWindow:
    qtbot.waitUntil(lambda: len(app.composes()) == 1)
    compose = app.composes()[0]
    qtbot.waitUntil(lambda: compose.draft is not None)
    return compose


def test_a_second_launch_raises_the_window_and_opens_the_link(qtbot: QtBot, app: App) -> None:
    sign_in(qtbot, app)
    app.window.showMinimized()
    app.window.hide()  # in the tray
    arrived: list[float] = []
    assert app.requests.server is not None
    app.requests.server.arguments_received.connect(lambda _a: arrived.append(time.monotonic()))

    started = time.monotonic()
    second = launch_again(app, LINK)
    qtbot.waitUntil(lambda: second.poll() is not None, timeout=20000)
    ended = time.monotonic()
    _out, err = second.communicate()
    assert second.returncode == 0, err
    assert arrived, "the running app never heard of the second launch"
    assert app.window.isVisible()
    assert not app.window.isMinimized()

    compose = opened(qtbot, app)
    draft = compose.draft
    assert draft is not None
    assert draft.to == ("ward@stmarys.example", '"Doe, J" <j@x.example>')
    assert (draft.cc, draft.bcc) == (("lab@x.example",), ("audit@x.example",))
    assert draft.subject == "Bed 12 café"
    assert draft.body.startswith("Please call me.\nAda")
    assert draft.attachments == ()
    assert draft.from_profile_id == app.window.active_profile.id  # type: ignore[union-attr]
    note = compose.note.text()
    assert "because it is the active profile" in note
    assert app.window.active_profile.label in note  # type: ignore[union-attr]
    assert "never attaches files from a link" in note
    assert compose.note.isVisible()
    assert compose.sender_picker.isVisible()
    print(
        f"second launch: handed over after {arrived[0] - started:.3f} s, "
        f"process ended after {ended - started:.3f} s"
    )


def test_a_link_waits_for_sign_in_and_opens_after_it(qtbot: QtBot, app: App) -> None:
    page = app.controller.sign_in
    assert page is not None
    assert page.isVisible()
    handed(qtbot, launch_again(app, LINK, script=True))
    qtbot.waitUntil(page.waiting.isVisible)
    assert "once you sign in" in page.waiting.text()
    assert "ward@" not in page.waiting.text()
    assert app.composes() == []
    assert app.controller.session is None

    sign_in(qtbot, app)
    compose = opened(qtbot, app)
    assert compose.subject.text() == "Bed 12 café"
    assert compose.sender_picker.profiles.count() == 2
    assert "because it is the active profile" in compose.note.text()
    assert not page.waiting.isVisible()


def test_a_link_never_opens_past_the_lock_screen(qtbot: QtBot, app: App) -> None:
    sign_in(qtbot, app)
    app.controller.lock()
    page = app.controller.sign_in
    assert page is not None
    assert page.isVisible()
    assert app.requests.server is not None
    handed(qtbot, hand_over_elsewhere(app.requests.server.name, [LINK, "mailto:b@x.example"]))
    qtbot.waitUntil(page.waiting.isVisible)
    assert "The 2 new messages" in page.waiting.text()
    assert app.composes() == []

    page.password.setText(PASSWORD)
    with qtbot.waitSignal(app.controller.workspace_shown, timeout=10000):
        page.submit()
    qtbot.waitUntil(lambda: len(app.composes()) == 2)
    qtbot.waitUntil(lambda: all(c.draft is not None for c in app.composes()))
    assert {c.windowTitle() for c in app.composes()} == {"Bed 12 café", "New message"}


def test_signing_out_drops_the_links_that_waited(qtbot: QtBot, app: App) -> None:
    sign_in(qtbot, app)
    app.controller.lock()
    app.requests.take([LINK])
    assert len(app.requests.waiting) == 1
    app.window.sign_out_requested.emit()
    assert app.requests.waiting == []


CRASHING_APP = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from PySide6.QtCore import QCoreApplication
    from desktop.gui.single_instance import InstanceServer, claim
    app = QCoreApplication([])
    lock = claim(sys.argv[1], Path(sys.argv[2]), [])
    server = InstanceServer(sys.argv[1])
    print("LISTENING" if lock is not None and server.listen() else "NO", flush=True)
    app.exec()
    """
)


def test_a_dead_apps_socket_is_taken_over(qtbot: QtBot, tmp_path: Path) -> None:
    name, lock_path = str(tmp_path / "app.sock"), tmp_path / "app.lock"
    crashed = subprocess.Popen(
        [sys.executable, "-c", CRASHING_APP, name, str(lock_path)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert crashed.stdout is not None
    assert crashed.stdout.readline().strip() == "LISTENING"
    crashed.send_signal(signal.SIGKILL)
    crashed.wait()
    assert Path(name).exists(), "the killed app left no socket file behind"
    blocked = QLocalServer()
    assert not blocked.listen(name), "a stale socket file should block a plain listen"

    lock = claim(name, lock_path, ["mailto:a@x.example"], wait_s=5)
    assert lock is not None
    assert lock.is_locked
    server = InstanceServer(name)
    assert server.listen()
    with qtbot.waitSignal(server.arguments_received, timeout=20000) as received:
        launch = hand_over_elsewhere(name, ["mailto:b@x.example"])
    handed(qtbot, launch)
    assert received.args == [["mailto:b@x.example"]]
    server.close()
    lock.release()


RACER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from PySide6.QtCore import QCoreApplication
    from desktop.gui.single_instance import InstanceServer, claim
    app = QCoreApplication([])
    lock = claim(sys.argv[1], Path(sys.argv[2]), [sys.argv[3]])
    if lock is None:
        print("HANDED", flush=True)
        sys.exit(0)
    server = InstanceServer(sys.argv[1])
    server.listen()
    server.arguments_received.connect(lambda a: (print("APP GOT", *a, flush=True), app.quit()))
    sys.exit(app.exec())
    """
)


def test_two_launches_at_once_make_exactly_one_app(tmp_path: Path) -> None:
    name, lock_path = str(tmp_path / "race.sock"), tmp_path / "race.lock"
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", RACER, name, str(lock_path), f"mailto:{who}@x.example"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for who in ("first", "second")
    ]
    results = [racer.communicate(timeout=60) for racer in racers]
    assert [racer.returncode for racer in racers] == [0, 0], [err for _out, err in results]
    outputs = [out.strip() for out, _err in results]
    app = next(i for i, out in enumerate(outputs) if out.startswith("APP GOT"))
    other = 1 - app
    assert outputs[other] == "HANDED"
    assert outputs[app] == f"APP GOT mailto:{('first', 'second')[other]}@x.example"


def test_an_app_that_does_not_answer_is_reported_not_waited_for_forever(tmp_path: Path) -> None:
    name, lock_path = str(tmp_path / "hung.sock"), tmp_path / "hung.lock"
    hung = FileLock(lock_path)
    hung.acquire()
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(name)
    listener.listen()  # connections queue up, nothing ever answers them
    try:
        with pytest.raises(AppNotAnsweringError):
            claim(name, lock_path, ["mailto:a@x.example"], wait_s=0.5)
    finally:
        listener.close()
        hung.release()


def test_each_store_has_its_own_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    here = store_identity("sqlite:///store.sqlite3")
    assert here == f"sqlite:///{tmp_path.resolve() / 'store.sqlite3'}"
    assert instance_key(here) == instance_key(store_identity(f"sqlite:///{tmp_path}/store.sqlite3"))
    assert instance_key(here) != instance_key(store_identity("sqlite:///other.sqlite3"))
    assert instance_key(here) != instance_key("postgresql+psycopg://db.example/switchboard")
