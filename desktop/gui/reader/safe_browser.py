"""A text browser that never fetches anything by itself.

Mail HTML is hostile by default: remote images are read receipts and trackers, and a ``file:``
or relative reference would read local files. Every resource Qt asks for goes through
:meth:`SafeBrowser.loadResource`, which answers only from ``data:`` URLs and from content the user
explicitly chose to load; everything else is refused and recorded, so the reader can say what
was blocked. QTextDocument runs no scripts, and links are never followed here: a click is handed
to the owner, which asks the user first.
"""

from __future__ import annotations

import urllib.request
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QByteArray, QTimer, QUrl, Signal
from PySide6.QtGui import QTextCharFormat, QTextCursor, QTextDocument, QTextImageFormat
from PySide6.QtWidgets import QTextBrowser, QWidget

from desktop.gui.icons import icon
from desktop.gui.session.records import REMOTE_SCHEMES

PLACEHOLDER_SIZE = 24

_KINDS = {
    int(QTextDocument.ResourceType.ImageResource.value): "image",
    int(QTextDocument.ResourceType.StyleSheetResource.value): "style sheet",
    int(QTextDocument.ResourceType.HtmlResource.value): "page",
}


@dataclass(frozen=True, slots=True)
class BlockedResource:
    url: str
    kind: str

    @property
    def loadable(self) -> bool:
        """Remote http(s) content may be loaded on request; local files never are."""
        return QUrl(self.url).scheme().lower() in REMOTE_SCHEMES


class SafeBrowser(QTextBrowser):
    blocked_changed = Signal()
    link_requested = Signal(QUrl)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.setReadOnly(True)
        self.anchorClicked.connect(self.link_requested)
        self._blocked: dict[str, BlockedResource] = {}
        self._allowed: dict[str, bytes] = {}
        self._placeholder = icon("remote").pixmap(PLACEHOLDER_SIZE, PLACEHOLDER_SIZE).toImage()
        # Resources requested while painting are reported once the paint is over.
        self._report = QTimer(self)
        self._report.setSingleShot(True)
        self._report.setInterval(0)
        self._report.timeout.connect(self.blocked_changed)

    @property
    def blocked(self) -> list[BlockedResource]:
        return list(self._blocked.values())

    def show_html(self, html: str, allowed: dict[str, bytes] | None = None) -> None:
        """Renders ``html``; ``allowed`` holds remote content the user asked for, by URL."""
        self._blocked = {}
        self._allowed = dict(allowed or {})
        self.setHtml(html)
        self._shrink_blocked_images()
        self._report.stop()
        self.blocked_changed.emit()

    def show_plain(self, text: str) -> None:
        self._blocked = {}
        self._allowed = {}
        # QTextEdit.setPlainText writes the text in the cursor's current character format; after
        # a click on a link that format is the link's, and the whole text would become that link.
        self.setCurrentCharFormat(QTextCharFormat())
        self.setPlainText(text)
        self.blocked_changed.emit()

    def loadResource(self, type: int, name: QUrl | str) -> Any:
        qurl = QUrl(name)
        url = qurl.toString()
        scheme = qurl.scheme().lower()
        if scheme == "data":
            return _decode_data_url(url)
        if url in self._allowed:
            return QByteArray(self._allowed[url])
        self._block(url, _KINDS.get(int(type), "resource"))
        if int(type) == int(QTextDocument.ResourceType.ImageResource.value):
            return self._placeholder
        return None

    def _block(self, url: str, kind: str) -> None:
        if url and url not in self._blocked:
            self._blocked[url] = BlockedResource(url, kind)
            self._report.start()

    def _shows(self, url: str) -> bool:
        return url in self._allowed or QUrl(url).scheme().lower() == "data"

    def _shrink_blocked_images(self) -> None:
        """Records every refused image at once and shows a small mark in its place.

        Without this, an image declared 600 pixels wide leaves a 600-pixel hole, and images are
        only requested when painted, so the list of what was blocked would depend on scrolling.
        """
        document = self.document()
        cursor = QTextCursor(document)
        block = document.begin()
        while block.isValid():
            position = block.begin()
            while not position.atEnd():
                fragment = position.fragment()
                position += 1
                char_format = fragment.charFormat()
                image = QTextImageFormat(char_format.toImageFormat())
                if not char_format.isImageFormat() or self._shows(image.name()):
                    continue
                self._block(image.name(), "image")
                image.setWidth(PLACEHOLDER_SIZE)
                image.setHeight(PLACEHOLDER_SIZE)
                image.setToolTip(self.tr("Blocked: {url}").format(url=image.name()))
                cursor.setPosition(fragment.position())
                cursor.setPosition(
                    fragment.position() + fragment.length(), QTextCursor.MoveMode.KeepAnchor
                )
                cursor.setCharFormat(image)
            block = block.next()


def _decode_data_url(url: str) -> QByteArray | None:
    """Inline content is part of the message itself, so it is shown; it never leaves the box."""
    try:
        with urllib.request.DataHandler().data_open(urllib.request.Request(url)) as response:
            return QByteArray(response.read())
    except (ValueError, OSError):
        return None
