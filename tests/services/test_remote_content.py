"""Remote content goes out only as the reader allowed, and every request is in the egress audit.

A real HTTP server on loopback answers with images, redirects (to ``ftp:``, to another host name
of the same machine) and oversized bodies; a bare TCP listener stands in for an FTP server and
for a server that never answers. The tests check what reached the servers and what the egress
audit holds.
"""

from __future__ import annotations

import mailbox
import socket
import threading
from collections.abc import Iterator
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from people import add_user
from sqlalchemy import select

from desktop.services.accounts import ProfileDraft
from desktop.services.authorization import SignedInUser
from desktop.services.container import Services
from desktop.services.errors import NotFoundError, PermissionDeniedError
from desktop.services.mail.importer import import_paths
from desktop.services.mail.remote_content import RemoteContentFetcher
from desktop.store.models import EgressEvent, Message
from desktop.store.session import unit_of_work

PASSWORD = "correct horse battery"
PIXEL = b"\x89PNG\r\n\x1a\n" + b"\x00" * 60
LIMIT = 4096


class WebServer:
    """Answers ``/pixel.png``, ``/big``, ``/endless`` and ``/redirect?to=URL``; logs each path."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str]] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner.requests.append((self.headers.get("Host", ""), self.path))
                path, _, query = self.path.partition("?")
                if path == "/redirect":
                    self.send_response(302)
                    self.send_header("Location", query.removeprefix("to="))
                    self.end_headers()
                elif path == "/big":
                    self.reply(b"x" * (LIMIT + 1))
                elif path == "/endless":  # no Content-Length: only reading tells the size
                    self.send_response(200)
                    self.end_headers()
                    for _ in range(20):
                        self.wfile.write(b"y" * 1024)
                else:
                    self.reply(PIXEL)

            def reply(self, body: bytes) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port: int = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class SilentListener:
    """Accepts connections and never answers: an FTP server's port, or a hung web server."""

    def __init__(self) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.port: int = self.socket.getsockname()[1]
        self.accepted = 0
        self._open: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            self.accepted += 1
            self._open.append(connection)

    def close(self) -> None:
        self.socket.close()
        for connection in self._open:
            connection.close()


@pytest.fixture
def web() -> Iterator[WebServer]:
    server = WebServer()
    yield server
    server.close()


@pytest.fixture
def listener() -> Iterator[SilentListener]:
    server = SilentListener()
    yield server
    server.close()


def signed_in_with_message(
    services: Services, tmp_path: Path, login: str = "ada"
) -> tuple[SignedInUser, int, int]:
    accounts = services.accounts
    add_user(services, login, login.title(), PASSWORD)
    actor = accounts.sign_in(login, PASSWORD)
    profile = accounts.create_profile(
        actor, ProfileDraft(organization="Clinic", email=f"{login}@clinic.example")
    )
    actor = accounts.switch_profile(actor, profile.id)
    message = EmailMessage()
    message["From"] = "news@example.org"
    message["Subject"] = "News"
    message["Message-ID"] = f"<news-{login}@example.org>"
    message.set_content("text")
    message.add_alternative("<p>html</p>", subtype="html")
    box = mailbox.mbox(tmp_path / f"{login}.mbox")
    box.add(message)
    box.close()
    import_paths(services.session_factory, profile.id, [tmp_path / f"{login}.mbox"])
    with unit_of_work(services.session_factory) as session:
        message_id = session.scalars(
            select(Message.id).where(Message.profile_id == profile.id)
        ).one()
    return actor, profile.id, message_id


def egress(services: Services) -> list[EgressEvent]:
    with unit_of_work(services.session_factory) as session:
        rows = list(session.scalars(select(EgressEvent).order_by(EgressEvent.id)))
        session.expunge_all()
        return rows


def fetcher(services: Services, timeout: float = 5.0) -> RemoteContentFetcher:
    return RemoteContentFetcher(
        services.session_factory, services.authorizer, timeout=timeout, max_bytes=LIMIT
    )


def test_an_image_is_fetched_and_audited_without_its_query(
    services: Services, tmp_path: Path, web: WebServer
) -> None:
    actor, profile_id, message_id = signed_in_with_message(services, tmp_path)
    url = web.url("/pixel.png?recipient=ada%40clinic.example")
    result = fetcher(services).fetch(actor, message_id, [url])
    assert result.loaded == {url: PIXEL}
    assert result.failed == {}
    assert web.requests == [(f"127.0.0.1:{web.port}", "/pixel.png?recipient=ada%40clinic.example")]
    [row] = egress(services)
    assert (row.profile_id, row.host, row.port, row.commands) == (
        profile_id,
        "127.0.0.1",
        web.port,
        "GET",
    )
    assert row.outcome == "ok 200"
    assert row.bytes_in > len(PIXEL)
    assert row.bytes_out > 0
    assert "recipient" not in " ".join(str(value) for value in vars(row).values())


def test_a_redirect_to_ftp_is_refused_before_any_connection(
    services: Services, tmp_path: Path, web: WebServer, listener: SilentListener
) -> None:
    actor, _, message_id = signed_in_with_message(services, tmp_path)
    url = web.url(f"/redirect?to=ftp://127.0.0.1:{listener.port}/pixel.png")
    result = fetcher(services).fetch(actor, message_id, [url])
    assert result.loaded == {}
    assert result.failed == {url: "refused a redirect to a ftp: address"}
    assert listener.accepted == 0
    assert [row.outcome for row in egress(services)] == ["redirect 302"]


def test_a_redirect_to_a_host_the_banner_did_not_name_is_refused(
    services: Services, tmp_path: Path, web: WebServer
) -> None:
    actor, _, message_id = signed_in_with_message(services, tmp_path)
    url = web.url(f"/redirect?to={web.url('/pixel.png', host='localhost')}")
    result = fetcher(services).fetch(actor, message_id, [url])
    assert result.failed == {url: "refused a redirect to localhost, not named here"}
    assert [host for host, _ in web.requests] == [f"127.0.0.1:{web.port}"]
    assert [row.host for row in egress(services)] == ["127.0.0.1"]


def test_a_redirect_between_named_hosts_is_followed_and_each_hop_audited(
    services: Services, tmp_path: Path, web: WebServer
) -> None:
    actor, _, message_id = signed_in_with_message(services, tmp_path)
    other = web.url("/pixel.png", host="localhost")
    url = web.url(f"/redirect?to={other}")
    result = fetcher(services).fetch(actor, message_id, [url, other])
    assert result.loaded == {url: PIXEL, other: PIXEL}
    assert [(row.host, row.outcome) for row in egress(services)] == [
        ("127.0.0.1", "redirect 302"),
        ("localhost", "ok 200"),
        ("localhost", "ok 200"),
    ]


@pytest.mark.parametrize("path", ["/big", "/endless"])
def test_a_body_over_the_limit_is_dropped(
    services: Services, tmp_path: Path, web: WebServer, path: str
) -> None:
    actor, _, message_id = signed_in_with_message(services, tmp_path)
    url = web.url(path)
    result = fetcher(services).fetch(actor, message_id, [url])
    assert result.loaded == {}
    assert result.failed == {url: "larger than 4 KB"}
    [row] = egress(services)
    assert row.outcome.startswith("failed: larger than")
    assert row.bytes_in <= LIMIT + 64 * 1024 + 1024


def test_a_server_that_never_answers_ends_in_time(
    services: Services, tmp_path: Path, listener: SilentListener
) -> None:
    actor, _, message_id = signed_in_with_message(services, tmp_path)
    url = f"http://127.0.0.1:{listener.port}/pixel.png"
    result = fetcher(services, timeout=0.5).fetch(actor, message_id, [url])
    assert result.failed == {url: "the server did not answer in time"}
    [row] = egress(services)
    assert row.outcome == "failed: the server did not answer in time"


def test_only_http_and_https_leave_at_all(
    services: Services, tmp_path: Path, listener: SilentListener
) -> None:
    actor, _, message_id = signed_in_with_message(services, tmp_path)
    url = f"ftp://127.0.0.1:{listener.port}/x"
    result = fetcher(services).fetch(actor, message_id, [url])
    assert url in result.failed
    assert listener.accepted == 0
    assert egress(services) == []


def test_another_users_message_fetches_nothing(
    services: Services, tmp_path: Path, web: WebServer
) -> None:
    _, _, message_id = signed_in_with_message(services, tmp_path, "ada")
    bob, _, _ = signed_in_with_message(services, tmp_path, "bob")
    with pytest.raises(NotFoundError):
        fetcher(services).fetch(bob, message_id, [web.url("/pixel.png")])
    with pytest.raises(PermissionDeniedError):
        fetcher(services).fetch(bob.with_active_profile(None), message_id, [web.url("/pixel.png")])
    assert web.requests == []
    assert egress(services) == []
