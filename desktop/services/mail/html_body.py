"""An HTML body made safe to send, and the plain text that goes beside it.

What the person composed may have been pasted from anywhere: scripts, event handlers, forms and
remote styles are removed by ``nh3`` (the Ammonia sanitizer) with its default allow-list, which
keeps the formatting mail needs. Inline ``style`` is kept for a few properties only: the
composer's editor (Qt's rich text) writes bold, italics and paragraph spacing as styles, not as
tags, and dropping them would send a message other than the one written; nothing in the list can
load anything from the network. The plain-text alternative is for readers that show no HTML
and for filters that score a message whose two parts disagree, so it holds the same words, with
paragraph breaks and links kept.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import nh3

_BREAKING = frozenset(
    {
        "p",
        "div",
        "br",
        "li",
        "tr",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "pre",
        "table",
        "ul",
        "ol",
        "hr",
    }
)
_HIDDEN = frozenset({"script", "style", "head", "title"})
_BLANK_LINES = re.compile(r"\n{3,}")
_SPACES = re.compile(r"[ \t\r\f\v]+")


_STYLE_PROPERTIES = frozenset(
    {
        "font-weight",
        "font-style",
        "text-decoration",
        "color",
        "background-color",
        "text-align",
        "margin-top",
        "margin-bottom",
        "margin-left",
        "margin-right",
    }
)
_ATTRIBUTES = {**nh3.ALLOWED_ATTRIBUTES, "*": {"style"}}


def sanitized(html: str) -> str:
    return nh3.clean(html, attributes=_ATTRIBUTES, filter_style_properties=set(_STYLE_PROPERTIES))


def plain_text(html: str) -> str:
    """The words of ``html`` as plain text: blocks on their own lines, links as ``text (url)``."""
    reader = _TextReader()
    reader.feed(html)
    reader.close()
    lines = (_SPACES.sub(" ", line).strip() for line in "".join(reader.parts).split("\n"))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip() + "\n"


class _TextReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0
        self._links: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self._hidden += 1
        elif tag in _BREAKING:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("- ")
        if tag == "a":
            self._links.append(dict(attrs).get("href"))

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        elif tag in {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table"}:
            self.parts.append("\n\n")
        elif tag in {"li", "tr"}:
            self.parts.append("\n")
        if tag == "a" and self._links:
            href = self._links.pop()
            if href and href.startswith(("http:", "https:", "mailto:")):
                self.parts.append(f" ({href.removeprefix('mailto:')})")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data.replace("\n", " "))
