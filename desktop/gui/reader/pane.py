"""The reader pane: headers, the body rendered safely, remote content on request, attachments."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from urllib.parse import urlsplit

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QStackedLayout,
    QVBoxLayout,
    QWidget,
)

from desktop.gui.reader.attachments import AttachmentList, AttachmentLoader
from desktop.gui.reader.headers import HeaderPanel
from desktop.gui.reader.safe_browser import SafeBrowser
from desktop.gui.session.records import MessageDetail, RemoteContent, describe
from desktop.gui.session.viewdata import ProfileCard
from desktop.gui.session.workers import Workers

RemoteLoader = Callable[[int, Sequence[str]], RemoteContent]
"""Blocking: the remote content of a message (by id) at these URLs, as the signed-in user."""


class RemoteContentBar(QFrame):
    """Says what was blocked and offers to load it, for this message only."""

    load_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.note = QLabel()
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.note.setWordWrap(True)
        self.load = QPushButton(self.tr("&Load remote content"))
        self.load.setToolTip(
            self.tr("Fetch this message's remote images; the sender may learn you opened it")
        )
        self.load.setAccessibleName(self.tr("Load remote content"))
        self.load.clicked.connect(self.load_requested)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.note, 1)
        layout.addWidget(self.load)

    def show_blocked(
        self, urls: list[str], loading: bool, failed: dict[str, str] | None = None
    ) -> None:
        """``failed``: items the user asked for that did not load, with the reason for each."""
        failed = failed or {}
        blocked = [url for url in urls if url not in failed]
        lines = []
        if blocked:
            lines.append(
                self.tr("Blocked {count} remote item(s) from {hosts} to protect your privacy.")
                .format(count=len(blocked), hosts=_hosts(blocked))
            )  # fmt: skip
        if failed:
            reasons = sorted(set(failed.values()))
            lines.append(
                self.tr("Could not load {count} item(s) from {hosts}: {reasons}.").format(
                    count=len(failed), hosts=_hosts(list(failed)), reasons="; ".join(reasons[:3])
                )
            )
        self.note.setText("\n".join(lines))
        self.note.setToolTip("\n".join(urls))
        self.load.setVisible(bool(blocked))
        self.load.setEnabled(not loading)
        self.load.setText(self.tr("Loading…") if loading else self.tr("&Load remote content"))
        self.setVisible(bool(urls))


def _hosts(urls: list[str]) -> str:
    hosts = sorted({urlsplit(url).hostname or url for url in urls})
    return ", ".join(hosts[:3]) + (f" +{len(hosts) - 3}" if len(hosts) > 3 else "")


class ReaderPane(QWidget):
    """Shows one message; emits ``opened`` so the owner can mark it read in the background."""

    opened = Signal(int)
    remote_loaded = Signal(int)

    def __init__(
        self,
        attachment_loader: AttachmentLoader,
        remote_loader: RemoteLoader,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setAccessibleName(self.tr("Message reader"))
        self._workers = Workers(self)
        self._remote_loader = remote_loader
        self._message: MessageDetail | None = None
        self._fetch_task: int | None = None
        self._failed: dict[str, str] = {}

        self.headers = HeaderPanel()
        self.remote_bar = RemoteContentBar()
        self.remote_bar.hide()
        self.remote_bar.load_requested.connect(self.load_remote_content)
        self.notice = QLabel()
        self.notice.setTextFormat(Qt.TextFormat.PlainText)
        self.notice.setWordWrap(True)
        self.notice.setAccessibleName(self.tr("About this message"))
        self.notice.hide()
        self.browser = SafeBrowser()
        self.browser.setAccessibleName(self.tr("Message body"))
        self.browser.link_requested.connect(self._confirm_link)
        self.browser.blocked_changed.connect(self._update_bar)
        self.attachments = AttachmentList(attachment_loader)

        self._placeholder = QLabel(self.tr("Select a message to read it."))
        self._placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._placeholder.setEnabled(False)
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.headers)
        layout.addWidget(self.notice)
        layout.addWidget(self.remote_bar)
        layout.addWidget(self.browser, 1)
        layout.addWidget(self.attachments)
        self._stack = QStackedLayout(self)
        self._stack.addWidget(self._placeholder)
        self._stack.addWidget(content)

    @property
    def message(self) -> MessageDetail | None:
        return self._message

    def clear(self) -> None:
        self._forget_fetch()
        self._message = None
        self._stack.setCurrentIndex(0)

    def show_message(self, message: MessageDetail, profile: ProfileCard | None) -> None:
        self._forget_fetch()
        self._failed = {}
        self._message = message
        self.headers.show_message(message, profile)
        self.attachments.set_attachments(message.attachments)
        self._show_notice(message)
        self._stack.setCurrentIndex(1)
        self._render({})
        self.opened.emit(message.id)

    def _show_notice(self, message: MessageDetail) -> None:
        if not message.body_loaded:
            text = self.tr(
                "Only the headers have arrived so far; the text comes with the next sync."
            )
        elif message.parse_error:
            text = self.tr(
                "This message could not be read as sent ({reason}); it is kept as received."
            )
            text = text.format(reason=message.parse_error)
        else:
            text = ""
        self.notice.setText(text)
        self.notice.setVisible(bool(text))

    def load_remote_content(self) -> None:
        """Only ever called from the user's click on the bar (or its shortcut)."""
        message = self._message
        if message is None or message.html is None or self._fetch_task is not None:
            return
        blocked = self.browser.blocked
        urls = [item.url for item in blocked if item.loadable and item.url not in self._failed]
        if not urls:
            return
        self.remote_bar.show_blocked(urls, loading=True)
        loader = self._remote_loader
        self._fetch_task = self._workers.submit(
            lambda: loader(message.id, urls),
            lambda fetched: self._on_fetched(message.id, fetched),
            lambda error: self._on_fetch_failed(message.id, urls, error),
        )

    def _on_fetched(self, message_id: int, fetched: RemoteContent) -> None:
        self._fetch_task = None
        if self._message is None or self._message.id != message_id:
            return
        self._failed = dict(fetched.failed)
        self._render(fetched.loaded)
        self.remote_loaded.emit(message_id)

    def _on_fetch_failed(self, message_id: int, urls: list[str], error: Exception) -> None:
        """The whole load was refused or broke (the store, the role): said in the banner."""
        reason = describe(error).what_failed.rstrip(".")
        self._on_fetched(message_id, RemoteContent(failed=dict.fromkeys(urls, reason)))

    def _render(self, allowed: dict[str, bytes]) -> None:
        message = self._message
        if message is None:
            return
        if message.html is not None:
            self.browser.show_html(message.html, allowed)
        else:
            self.browser.show_plain(message.text or "")
        self._update_bar()

    def _update_bar(self) -> None:
        urls = [item.url for item in self.browser.blocked if item.loadable]
        failed = {url: why for url, why in self._failed.items() if url in urls}
        self.remote_bar.show_blocked(urls, loading=self._fetch_task is not None, failed=failed)

    def _forget_fetch(self) -> None:
        if self._fetch_task is not None:
            self._workers.forget(self._fetch_task)
            self._fetch_task = None

    def _confirm_link(self, url: QUrl) -> None:
        """Mail links can lie about where they go; show the real address before leaving."""
        if url.scheme().lower() not in {"http", "https", "mailto"}:
            return
        answer = QMessageBox.question(
            self,
            self.tr("Open link"),
            self.tr("Open this address in your browser?\n\n%s") % url.toString(),
        )
        if answer == QMessageBox.StandardButton.Yes:
            QDesktopServices.openUrl(url)
