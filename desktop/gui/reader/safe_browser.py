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

from PySide6.QtCore import QByteArray, QUrl, Signal
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QTextBrowser, QWidget

REMOTE_SCHEMES = frozenset({"http", "https"})

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

    @property
    def blocked(self) -> list[BlockedResource]:
        return list(self._blocked.values())

    def show_html(self, html: str, allowed: dict[str, bytes] | None = None) -> None:
        """Renders ``html``; ``allowed`` holds remote content the user asked for, by URL."""
        self._blocked = {}
        self._allowed = dict(allowed or {})
        self.setHtml(html)
        # Images are requested while laying out; finish the layout now so that the list of
        # blocked resources is complete before anyone reads it.
        self.document().size()
        self.blocked_changed.emit()

    def show_plain(self, text: str) -> None:
        self._blocked = {}
        self._allowed = {}
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
        if url and url not in self._blocked:
            self._blocked[url] = BlockedResource(url, _KINDS.get(int(type), "resource"))
        return None


def _decode_data_url(url: str) -> QByteArray | None:
    """Inline content is part of the message itself, so it is shown; it never leaves the box."""
    try:
        with urllib.request.DataHandler().data_open(urllib.request.Request(url)) as response:
            return QByteArray(response.read())
    except (ValueError, OSError):
        return None
