"""The reader pane: headers, the body rendered safely, remote content on request, attachments."""

from __future__ import annotations

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
from desktop.gui.reader.remote import fetch_remote
from desktop.gui.reader.safe_browser import SafeBrowser
from desktop.gui.viewdata import ProfileCard
from desktop.gui.workers import Workers
from desktop.services.mail.inbox import MessageDetail


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

    def show_blocked(self, urls: list[str], loading: bool) -> None:
        hosts = sorted({urlsplit(url).hostname or url for url in urls})
        shown = ", ".join(hosts[:3]) + (f" +{len(hosts) - 3}" if len(hosts) > 3 else "")
        self.note.setText(
            self.tr("Blocked {count} remote item(s) from {hosts} to protect your privacy.").format(
                count=len(urls), hosts=shown
            )
        )
        self.note.setToolTip("\n".join(urls))
        self.load.setEnabled(not loading)
        self.load.setText(self.tr("Loading…") if loading else self.tr("&Load remote content"))
        self.setVisible(bool(urls))


class ReaderPane(QWidget):
    """Shows one message; emits ``opened`` so the owner can mark it read in the background."""

    opened = Signal(int)
    remote_loaded = Signal(int)

    def __init__(self, attachment_loader: AttachmentLoader, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(self.tr("Message reader"))
        self._workers = Workers(self)
        self._message: MessageDetail | None = None
        self._fetch_task: int | None = None

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
        urls = [item.url for item in self.browser.blocked if item.loadable]
        if not urls:
            return
        self.remote_bar.show_blocked(urls, loading=True)
        self._fetch_task = self._workers.submit(
            lambda: fetch_remote(urls),
            lambda fetched: self._on_fetched(message.id, fetched),
            lambda _error: self._on_fetched(message.id, {}),
        )

    def _on_fetched(self, message_id: int, fetched: dict[str, bytes]) -> None:
        self._fetch_task = None
        if self._message is None or self._message.id != message_id:
            return
        self._render(fetched)
        self.remote_loaded.emit(message_id)

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
        self.remote_bar.show_blocked(urls, loading=self._fetch_task is not None)

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
