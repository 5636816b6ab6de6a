"""Fetching a message's remote content, only after the user asked for it, on a worker thread.

Runs with no cookies, no referrer and a generic user agent, caps each item's size and the number
of items, and never follows a redirect to anything but http(s), so one click cannot turn into an
unbounded download.
"""

from __future__ import annotations

import urllib.request
from collections.abc import Iterable
from urllib.parse import urlsplit

from desktop.gui.reader.safe_browser import REMOTE_SCHEMES

MAX_ITEMS = 50
MAX_BYTES = 5 * 1024 * 1024
TIMEOUT_SECONDS = 10.0
USER_AGENT = "Mozilla/5.0"


def fetch_remote(urls: Iterable[str]) -> dict[str, bytes]:
    """Blocking: returns what could be fetched by URL; failures are simply absent."""
    opener = urllib.request.build_opener()
    opener.addheaders = [("User-Agent", USER_AGENT)]
    fetched: dict[str, bytes] = {}
    for url in list(dict.fromkeys(urls))[:MAX_ITEMS]:
        if urlsplit(url).scheme.lower() not in REMOTE_SCHEMES:
            continue
        try:
            with opener.open(url, timeout=TIMEOUT_SECONDS) as response:
                body = response.read(MAX_BYTES + 1)
        except (OSError, ValueError):
            continue
        if len(body) <= MAX_BYTES:
            fetched[url] = body
    return fetched
