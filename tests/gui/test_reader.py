"""The reader shows mail safely: nothing remote is fetched unless the user clicks for it."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import Seeded, import_messages, mail, open_window, services_session
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import event, select

from desktop.core.folders import FolderRole
from desktop.core.mail_views import MailView
from desktop.gui.mainwindow.settings import WindowSettings, open_settings
from desktop.gui.reader.pane import ReaderPane, RemoteLoader
from desktop.gui.session.services_workspace import ServicesWorkspace
from desktop.gui.session.viewdata import ProfileCard
from desktop.services.mail.inbox import AttachmentInfo, MessageDetail
from desktop.services.mail.remote_content import RemoteContent
from desktop.store.models import EgressEvent
from desktop.store.session import unit_of_work

pytestmark = pytest.mark.gui

# A 1x1 transparent PNG.
PIXEL = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)
PROFILE = ProfileCard(7, "St Mary's Hospital", "Nurse", "a@stmarys.example", "member", "#e11d48", 1)


class CountingServer:
    """A real HTTP server on loopback that counts every request it receives.

    ``/redirect?to=URL`` answers with a redirect there; everything else is a pixel.
    """

    def __init__(self) -> None:
        self.requests: list[str] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner.requests.append(self.path)
                if self.path.startswith("/redirect?to="):
                    self.send_response(302)
                    self.send_header("Location", self.path.removeprefix("/redirect?to="))
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(len(PIXEL)))
                self.end_headers()
                self.wfile.write(PIXEL)

            def log_message(self, format: str, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def http_server() -> Iterator[CountingServer]:
    server = CountingServer()
    yield server
    server.close()


def message(html: str | None, text: str = "", **extra: object) -> MessageDetail:
    fields: dict[str, object] = {
        "id": 1,
        "profile_id": PROFILE.id,
        "profile_email": PROFILE.email,
        "folder": "INBOX",
        "sender": "Dr Who <who@example.org>",
        "to": "a@stmarys.example",
        "cc": "",
        "subject": "Results",
        "date": datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
        "date_guessed": False,
        "text": text,
        "html": html,
        "seen": False,
        "flagged": False,
        "body_loaded": True,
        "parse_error": None,
        "attachments": (),
    }
    fields.update(extra)
    return MessageDetail(**fields)  # type: ignore[arg-type]


def no_remote(_message_id: int, urls: Sequence[str]) -> RemoteContent:
    return RemoteContent(failed=dict.fromkeys(urls, "not in this test"))


def make_pane(qtbot: QtBot, content: bytes = b"", remote: RemoteLoader = no_remote) -> ReaderPane:
    pane = ReaderPane(lambda _attachment_id: content, remote)
    qtbot.addWidget(pane)
    pane.resize(700, 500)
    pane.show()
    qtbot.waitExposed(pane)
    return pane


def stored_html_message(seeded: Seeded, tmp_path: Path, html: str) -> MessageDetail:
    import_messages(seeded.services, tmp_path, seeded.hospital_id, [mail(40, "Bulletin", html)])
    row = seeded.services.mailbox.page(seeded.actor, search="Bulletin")[0]
    detail = seeded.services.mailbox.get(seeded.actor, row.id)
    assert detail is not None
    return detail


def hospital_egress(seeded: Seeded) -> list[tuple[str, str]]:
    with unit_of_work(seeded.services.session_factory) as session:
        return [
            (row.host, row.outcome)
            for row in session.scalars(
                select(EgressEvent)
                .where(EgressEvent.profile_id == seeded.hospital_id)
                .order_by(EgressEvent.id)
            )
        ]


def test_remote_image_is_not_fetched_until_user_clicks(
    qtbot: QtBot, http_server: CountingServer, seeded: Seeded, tmp_path: Path
) -> None:
    image = http_server.url("/tracker.png")
    style = http_server.url("/style.css")
    html = (
        f'<html><head><link rel="stylesheet" href="{style}"></head><body>'
        f'<p>Hello</p><img src="{image}" width="20" height="20">'
        f'<div style="background-image: url({http_server.url("/bg.png")})">x</div>'
        "<script>document.title='pwned'</script></body></html>"
    )
    detail = stored_html_message(seeded, tmp_path, html)
    pane = make_pane(qtbot, remote=ServicesWorkspace(seeded.services, seeded.actor).remote_content)
    opened: list[int] = []
    pane.opened.connect(opened.append)
    pane.show_message(detail, PROFILE)
    pane.browser.viewport().repaint()
    qtbot.wait(200)

    assert http_server.requests == []
    blocked = [item.url for item in pane.browser.blocked]
    assert image in blocked
    assert pane.remote_bar.isVisible()
    assert "127.0.0.1" in pane.remote_bar.note.text()
    assert "pwned" not in pane.browser.toPlainText()
    assert opened == [detail.id]
    assert hospital_egress(seeded) == []

    with qtbot.waitSignal(pane.remote_loaded, timeout=10000):
        qtbot.mouseClick(pane.remote_bar.load, Qt.MouseButton.LeftButton)
    assert "/tracker.png" in http_server.requests
    assert image not in [item.url for item in pane.browser.blocked]
    assert hospital_egress(seeded) == [("127.0.0.1", "ok 200")] * len(http_server.requests)


def test_a_refused_redirect_is_said_in_the_banner(
    qtbot: QtBot, http_server: CountingServer, seeded: Seeded, tmp_path: Path
) -> None:
    elsewhere = http_server.url("/pixel.png").replace("127.0.0.1", "localhost")
    to_ftp = http_server.url("/redirect?to=ftp://127.0.0.1:21/x.png")
    to_other_host = http_server.url(f"/redirect?to={elsewhere}")
    html = f'<p>News</p><img src="{to_ftp}"><img src="{to_other_host}">'
    pane = make_pane(qtbot, remote=ServicesWorkspace(seeded.services, seeded.actor).remote_content)
    pane.show_message(stored_html_message(seeded, tmp_path, html), PROFILE)
    with qtbot.waitSignal(pane.remote_loaded, timeout=10000):
        qtbot.mouseClick(pane.remote_bar.load, Qt.MouseButton.LeftButton)
    note = pane.remote_bar.note.text()
    assert "Could not load 2 item(s) from 127.0.0.1" in note
    assert "refused a redirect to a ftp: address" in note
    assert "refused a redirect to localhost, not named here" in note
    assert not pane.remote_bar.load.isVisible()
    assert len(http_server.requests) == 2
    assert hospital_egress(seeded) == [("127.0.0.1", "redirect 302")] * 2


def test_after_clicking_a_link_a_plain_text_message_is_its_own_text(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    pane = make_pane(qtbot)
    clicked: list[str] = []
    pane.browser.link_requested.connect(lambda url: clicked.append(url.toString()))
    pane.show_message(message('<p><a href="https://example.org/x">read more</a></p>'), PROFILE)
    cursor = pane.browser.document().find("read more")
    cursor.setPosition(cursor.selectionStart() + 2)
    spot = pane.browser.cursorRect(cursor).center()
    monkeypatch.setattr(QMessageBox, "question", lambda *_: QMessageBox.StandardButton.No)
    qtbot.mouseClick(pane.browser.viewport(), Qt.MouseButton.LeftButton, pos=spot)
    assert clicked == ["https://example.org/x"]

    pane.show_message(message(None, text="Plain reply\nsecond line", id=2), PROFILE)
    assert pane.browser.toPlainText() == "Plain reply\nsecond line"
    assert pane.browser.toHtml().count("href") == 0
    assert pane.browser.anchorAt(pane.browser.cursorRect(pane.browser.textCursor()).center()) == ""


def test_local_file_references_are_refused_and_not_offered(qtbot: QtBot, tmp_path: Path) -> None:
    secret = tmp_path / "secret.png"
    secret.write_bytes(PIXEL)
    pane = make_pane(qtbot)
    pane.show_message(message(f'<img src="file://{secret}"><img src="{secret}">'), PROFILE)
    assert {item.url for item in pane.browser.blocked} >= {f"file://{secret}"}
    assert not any(item.loadable for item in pane.browser.blocked)
    assert not pane.remote_bar.isVisible()


def test_inline_data_image_is_shown_without_blocking(qtbot: QtBot) -> None:
    import base64

    inline = "data:image/png;base64," + base64.b64encode(PIXEL).decode()
    pane = make_pane(qtbot)
    pane.show_message(message(f'<p>Scan</p><img src="{inline}">'), PROFILE)
    assert pane.browser.blocked == []
    assert not pane.remote_bar.isVisible()


def test_plain_text_and_headers_are_never_html(qtbot: QtBot) -> None:
    pane = make_pane(qtbot)
    pane.show_message(
        message(None, text="<b>not bold</b>", subject="<img src=http://x/y.png>"), PROFILE
    )
    assert pane.browser.toPlainText() == "<b>not bold</b>"
    assert pane.headers.subject.text() == "<img src=http://x/y.png>"
    assert pane.headers.subject.textFormat() == Qt.TextFormat.PlainText
    assert "St Mary's Hospital" in pane.headers.profile.text()


def test_attachment_listed_with_size_and_saved_where_chosen(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pane = make_pane(qtbot, content=b"%PDF-1.4 report")
    attachment = AttachmentInfo(3, "../../lab results.pdf", "application/pdf", 2048)
    pane.show_message(message(None, text="see attached", attachments=(attachment,)), PROFILE)
    assert pane.attachments.item_texts() == ["lab results.pdf  (2.0 kB)"]

    offered: list[str] = []
    choices = [tmp_path / "kept.pdf", tmp_path / "missing folder" / "lost.pdf"]

    def choose(_parent: object, _title: str, suggested: str) -> tuple[str, str]:
        offered.append(suggested)
        return str(choices.pop(0)), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", choose)
    with qtbot.waitSignal(pane.attachments.saved) as saved:
        pane.attachments.save_selected()
    assert Path(offered[0]).name == "lab results.pdf"
    assert Path(saved.args[0]).read_bytes() == b"%PDF-1.4 report"
    assert Path(saved.args[0]).name == "kept.pdf"
    with qtbot.waitSignal(pane.attachments.save_failed) as failed:
        pane.attachments.save_selected()
    assert "or a folder on its way does not exist" in failed.args[0]
    assert "Errno" not in failed.args[0]
    assert not (tmp_path / "missing folder").exists()


def test_first_message_reports_every_blocked_image_at_once_in_a_small_space(
    qtbot: QtBot, http_server: CountingServer
) -> None:
    banner, pixel = http_server.url("/banner.png"), http_server.url("/open.gif")
    html = f'<h2>Bulletin</h2><img src="{banner}" width="600"><img src="{pixel}" width=1 height=1>'
    pane = make_pane(qtbot)
    pane.show_message(message(html), PROFILE)
    assert pane.remote_bar.isVisible()
    assert "Blocked 2 remote item(s) from 127.0.0.1" in pane.remote_bar.note.text()
    assert pane.browser.document().size().height() < 200
    qtbot.wait(100)
    assert http_server.requests == []


def test_headers_only_and_guessed_date_are_said(qtbot: QtBot) -> None:
    pane = make_pane(qtbot)
    pane.show_message(message(None, body_loaded=False, date_guessed=True), PROFILE)
    assert pane.notice.isVisible()
    assert "Only the headers have arrived" in pane.notice.text()
    assert "(guessed" in pane.headers.date_label.text()
    pane.show_message(message(None, text="fine"), PROFILE)
    assert not pane.notice.isVisible()


@pytest.mark.parametrize("delay_ms", [0, 50], ids=["immediately", "after a delay"])
def test_reading_in_the_window_lowers_one_count_and_never_counts_the_store_again(
    qtbot: QtBot, seeded: Seeded, delay_ms: int
) -> None:
    """Marked by the open itself ("immediately") or once the message stayed open, alike."""
    settings = WindowSettings(open_settings())
    settings.set_mark_read_delay_ms(delay_ms)
    settings.sync()
    window = open_window(qtbot, services_session(seeded))
    page = window.workspace_page
    assert page is not None
    session = window.session
    assert session is not None
    # The folder pane's first load counts the store too, on a worker of its own: it is part of
    # opening the window, not of reading, so it must be in before the statements are watched.
    qtbot.waitUntil(
        lambda: (
            page.inbox_model.rowCount() == 5
            and window.notifier.unread == 5
            and session.folders.tree is not None
        )
    )
    statements: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    event.listen(seeded.services.engine, "before_cursor_execute", record)
    try:
        # The clinic's newest twice (already read the second time), then a ward report.
        for row, unread in ((1, 4), (1, 4), (0, 3)):
            with qtbot.waitSignal(page.message_shown):
                page.inbox.table.clearSelection()
                page.inbox.table.selectRow(row)
            qtbot.waitUntil(lambda unread=unread: window.notifier.unread == unread)
            assert page.read_timer.pending is None
    finally:
        event.remove(seeded.services.engine, "before_cursor_execute", record)
    unread = {p.id: p.unread for p in page.sidebar.profiles.profiles}
    assert unread == {seeded.hospital_id: 2, seeded.clinic_id: 1}
    assert seeded.services.mailbox.unread_counts(seeded.actor) == unread
    assert not [s for s in statements if "count(" in s.lower()]
    tree = session.folders.tree
    assert tree is not None
    assert dict(tree.unified)[MailView(FolderRole.INBOX)] == 3  # the folder pane followed too
    window.close()
