"""Issue 16, item 3: after a message went through everything the app does with mail (an mbox
import, a sync from a real IMAP server, one that the store refused first, a search, the reader,
its attachment opened, a lock, a sign-out and an upgrade of the store with its copy aside), not
one word of it can be read in any file under the app home or the user's folders, the log
(written at DEBUG, with the IMAP protocol log on) included.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Iterable, Iterator
from dataclasses import replace
from email.message import EmailMessage
from pathlib import Path

import pytest
from conftest import import_messages
from dovecot import MAIL_SERVER_PASSWORD, Dovecot
from pytestqt.qtbot import QtBot
from test_opened_attachments import Desktop
from test_signin_encrypted import PASSWORD, first_run, start

from desktop.gui.controller import AppController
from desktop.gui.error_dialog import ErrorChannel
from desktop.gui.mainwindow.sync_status import SyncPhase
from desktop.gui.mainwindow.window import MainWindow
from desktop.gui.session.services_workspace import ServicesWorkspace
from desktop.logs import LOG_FILE_NAME, configure_logging
from desktop.services.accounts import ProfileDraft
from desktop.services.mail.settings import set_server_options
from desktop.services.secrets import SecretStore
from desktop.services.store_opening import StoreDoor
from desktop.store.cipher import is_plain_sqlite
from desktop.store.engine import make_engine
from desktop.store.migrate import (
    alembic_config,
    head_revision,
    script_directory,
    upgrade_store,
)

pytestmark = [pytest.mark.gui, pytest.mark.imap]

WORDS = ("zymurgy", "quixotic", "pellucid", "vintner", "xylograph", "borborygmus")
"""One for each part of the message: subject, body, sender's name, address, attachment's file
name and the attachment's content."""
ATTACHMENT = b"%PDF-1.4 the borborygmus ledger"


def known_message(number: int) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Pellucid Brewer <vintner@brewhouse.example>"
    message["To"] = "Grace Hopper <grace@navy.example>"
    message["Cc"] = "Cellar <cellar.vintner@brewhouse.example>"
    message["Subject"] = f"Zymurgy notes {number}"
    message["Date"] = f"Tue, 03 Mar 2026 10:{number:02d}:00 +0000"
    message["Message-ID"] = f"<known-{number}@brewhouse.example>"
    message.set_content("The quixotic fermentation went well.\n")
    message.add_alternative("<p>The <b>quixotic</b> fermentation went well.</p>", subtype="html")
    message.add_attachment(
        ATTACHMENT, maintype="application", subtype="pdf", filename="xylograph ledger.pdf"
    )
    return message


def encodings(word: str) -> Iterator[tuple[str, bytes]]:
    """The word as plain text would hold it (any case, UTF-8 or UTF-16) and as base64 would at
    each of the three alignments (only the characters that the word alone decides)."""
    for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
        yield encoding, word.lower().encode(encoding)
    for spelled in {word, word.capitalize(), word.upper()}:
        raw = spelled.encode()
        for offset in range(3):
            encoded = base64.b64encode(b"\0" * offset + raw + b"\0\0")
            first, end = -(-8 * offset // 6), 8 * (offset + len(raw)) // 6
            yield "base64", encoded[first:end]


def readable(folders: Iterable[Path], words: Iterable[str] = WORDS) -> list[str]:
    """``file: word (how)`` for every word found in any file under the folders."""
    found = []
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if not path.is_file() or path.is_symlink():
                continue
            content = path.read_bytes()
            lowered = content.lower()
            for word in words:
                for how, needle in encodings(word):
                    if needle in (content if how == "base64" else lowered):
                        found.append(f"{path.relative_to(folder.parent)}: {word} ({how})")
    return found


@pytest.fixture
def user_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The user's home and XDG folders, so that whatever Qt writes (its cache, settings that
    missed the app home) is searched too."""
    home = tmp_path / "user"
    folders = [home]
    monkeypatch.setenv("HOME", str(home))
    for variable, name in (
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_CACHE_HOME", "cache"),
        ("XDG_DATA_HOME", "data"),
        ("XDG_STATE_HOME", "state"),
    ):
        folder = home / name
        folder.mkdir(parents=True)
        monkeypatch.setenv(variable, str(folder))
    return folders


@pytest.fixture
def debug_log() -> Iterator[None]:
    root = logging.getLogger()
    level = root.level
    handler = configure_logging(logging.DEBUG)
    yield
    root.removeHandler(handler)
    handler.close()
    root.setLevel(level)


def connect_to(services_workspace: ServicesWorkspace, dovecot: Dovecot, login: str) -> int:
    """A second profile on the test's Dovecot, with its protocol log on (the most the app
    ever writes about a connection)."""
    services, actor = services_workspace.services, services_workspace.actor
    accounts = services.accounts
    profile = accounts.create_profile(
        actor, ProfileDraft(organization="Harbour Ward", email="grace@harbour.example")
    )
    draft = replace(
        profile.as_draft(),
        imap_host="127.0.0.1",
        imap_port=dovecot.imaps_port,
        imap_security="ssl",
        imap_user=login,
        ca_file=dovecot.ca_file,
    )
    accounts.update_profile(actor, profile.id, draft)
    accounts.set_server_password(actor, profile.id, MAIL_SERVER_PASSWORD)
    set_server_options(
        services.session_factory,
        services.authorizer,
        actor,
        profile.id,
        allow_plaintext=False,
        protocol_log=True,
    )
    return profile.id


def sync(qtbot: QtBot, window: MainWindow, profile_id: int, outcome: SyncPhase) -> None:
    session = window.session
    assert session is not None
    session.sync(profile_id)
    status = window.sync_status
    qtbot.waitUntil(lambda: status.phase(profile_id) is outcome, timeout=30000)


def search_and_open_each(qtbot: QtBot, window: MainWindow, desktop: Desktop) -> None:
    """Both copies found by a word of their subject, each read, and its attachment opened:
    the first on the offscreen desktop, which cannot open it (Qt warns, naming the file), the
    second through Qt's URL hook, as a viewer would."""
    page = window.workspace_page
    assert page is not None
    page.inbox.search.setText("zymurgy")
    model = page.inbox_model
    qtbot.waitUntil(lambda: model.rowCount() == 2, timeout=10000)
    for row in range(2):
        with qtbot.waitSignal(page.message_shown, timeout=10000):
            page.inbox.table.selectRow(row)
        assert page.reader.message is not None
        assert "quixotic" in page.reader.browser.toPlainText()
        attachments = page.reader.attachments
        if row == 0:
            with qtbot.waitSignal(attachments.open_failed, timeout=10000):
                attachments.open_selected()
            continue
        with desktop.handling(), qtbot.waitSignal(attachments.opened, timeout=10000) as opened:
            attachments.open_selected()
        assert Path(opened.args[0]).read_bytes() == ATTACHMENT


def refuse_new_mail(window: MainWindow, refuse: bool) -> None:
    """The store refuses to take mail (as a full or failing disk would), or takes it again."""
    session = window.session
    assert session is not None
    workspace = session.workspace
    assert isinstance(workspace, ServicesWorkspace)
    with workspace.services.engine.begin() as connection:
        if refuse:
            connection.exec_driver_sql(
                "CREATE TRIGGER refuse_mail BEFORE INSERT ON messages "
                "BEGIN SELECT RAISE(ABORT, 'the disk refused the write'); END"
            )
        else:
            connection.exec_driver_sql("DROP TRIGGER refuse_mail")


def upgrade_from_the_previous_schema(store: Path, secrets: SecretStore) -> Path:
    """The store taken back one schema and upgraded as a newer app would at start."""
    from alembic import command

    door = StoreDoor(f"sqlite:///{store}", secrets=secrets)
    assert door.keys is not None
    key = door.keys.unlock("grace", PASSWORD).data_key
    engine = make_engine(f"sqlite:///{store}", key=key)
    previous = script_directory().get_revision(head_revision()).down_revision
    assert isinstance(previous, str)
    command.downgrade(alembic_config(engine), previous)
    result = upgrade_store(engine)
    engine.dispose()
    assert result.backup is not None
    return result.backup


def receive_mail(qtbot: QtBot, controller: AppController, source: Path, dovecot: Dovecot) -> None:
    """The message imported from an mbox into the first profile, and synced into a second from
    Dovecot: first into a store that refuses it (the failure path), then for real."""
    window = controller.window
    first_run(qtbot, controller)
    qtbot.waitUntil(lambda: window.active_profile is not None)
    session = controller.session
    assert session is not None
    workspace = session.workspace
    assert isinstance(workspace, ServicesWorkspace)
    assert workspace.services.store_key is not None
    source.mkdir()
    import_messages(
        workspace.services, source, workspace.actor.active_profile_id, [known_message(1)]
    )
    login = dovecot.add_user()
    dovecot.deliver(login, [known_message(2).as_bytes()])
    harbour = connect_to(workspace, dovecot, login)
    session.refresh_profiles()
    qtbot.waitUntil(lambda: len(window.profiles) == 2)
    refuse_new_mail(window, True)
    sync(qtbot, window, harbour, SyncPhase.FAILED)
    refuse_new_mail(window, False)
    sync(qtbot, window, harbour, SyncPhase.DONE)


def unlock_and_sign_out(qtbot: QtBot, controller: AppController) -> None:
    sign_in = controller.sign_in
    assert sign_in is not None
    sign_in.password.setText(PASSWORD)
    with qtbot.waitSignal(controller.workspace_shown, timeout=20000):
        sign_in.submit()
    controller.sign_out()
    qtbot.waitUntil(sign_in.isVisible, timeout=10000)
    controller.shut_down()


@pytest.mark.usefixtures("debug_log")
@pytest.mark.qt_log_ignore("does not support QPlatformServices::openDocument")
def test_no_word_of_a_message_is_readable_in_any_file_the_app_wrote(
    qtbot: QtBot, app_home: Path, tmp_path: Path, dovecot: Dovecot, user_folders: list[Path]
) -> None:
    store = app_home / "switchboard.sqlite3"
    secrets = SecretStore.in_memory()
    controller = start(qtbot, store, secrets)
    window = controller.window
    errors = ErrorChannel(window).install()  # Qt's own warnings go to the log, as in the app
    desktop = Desktop()
    try:
        receive_mail(qtbot, controller, tmp_path / "source", dovecot)
        search_and_open_each(qtbot, window, desktop)
        assert len(desktop.opened) == 1
        controller.lock()
        assert (app_home / "switchboard.sqlite3-wal").stat().st_size > 0
        assert readable([app_home, *user_folders]) == []  # the store open, its WAL full
        unlock_and_sign_out(qtbot, controller)
    finally:
        errors.uninstall()
    backup = upgrade_from_the_previous_schema(store, secrets)
    assert not is_plain_sqlite(backup)
    window.settings.sync()

    names = {path.name for path in app_home.rglob("*")}
    assert {store.name, backup.name, LOG_FILE_NAME, "settings.ini"} <= names
    log = (app_home / "logs" / LOG_FILE_NAME).read_text(encoding="utf-8")
    assert "S: " in log  # the protocol log was written, at DEBUG
    assert "refused the write" in log or "crashed" in log  # and the store's refusal
    assert "does not support QPlatformServices::openDocument" in log  # and Qt's warning
    assert readable([app_home, *user_folders]) == []
