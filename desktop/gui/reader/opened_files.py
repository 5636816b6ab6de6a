"""Attachments opened in another app: readable by this user only while needed, then gone.

Opening an attachment means handing a file to the desktop's viewer, so its plaintext has to
exist outside the encrypted store for a while. It is written into
:func:`desktop.paths.opened_attachments_dir` (a folder of mode 0700) as a file created
exclusively with mode 0600 (``mkstemp``: an existing file or link is never written through).
Nothing there is kept: :func:`discard_opened` removes the folder when the reader closes, at
lock, sign-out and quit, and at start for whatever a crash left.

The file is called ``attachment-…`` with the attachment's extension, not the sender's file
name: the name reaches the viewer's recent-files list, the process list and Qt's warnings
(which go to the app log), and the log never names a message's files.
"""

from __future__ import annotations

import mimetypes
import os
import re
import shutil
import tempfile
from pathlib import Path

_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,8}")
"""An extension kept as the desktop's hint for the viewer; anything longer is more name than
type, and is not written."""


def write_opened(folder: Path, filename: str, content_type: str, data: bytes) -> Path:
    """A new private file holding ``data``, named for its type, in the private ``folder``."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    folder.chmod(0o700)
    suffix = _suffix(filename, content_type)
    fd, name = tempfile.mkstemp(prefix="attachment-", suffix=suffix, dir=folder)
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


def discard_opened(folder: Path) -> None:
    """Remove every opened attachment. A file another program still holds on a system that
    refuses to delete it stays until the next discard; a lock or sign-out never fails on it."""
    shutil.rmtree(folder, ignore_errors=True)


def _suffix(filename: str, content_type: str) -> str:
    suffix = Path(filename).suffix
    if _EXTENSION.fullmatch(suffix):
        return suffix.lower()
    return mimetypes.guess_extension(content_type, strict=False) or ""
