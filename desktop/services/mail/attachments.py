"""Saving attachments to disk, only ever inside the app home.

The name on disk is the cleaned one (see :func:`desktop.services.mail.parse.clean_filename`), and
the final path is checked to lie under the attachments folder anyway, so no file name a sender
chose can make the app write anywhere else.
"""

from __future__ import annotations

import os
from pathlib import Path

from desktop.paths import app_home
from desktop.services.mail.parse import clean_filename
from desktop.store.models import Attachment
from desktop.store.session import SessionFactory, unit_of_work


class AttachmentNotFoundError(LookupError):
    pass


def attachments_dir() -> Path:
    path = app_home() / "attachments"
    path.mkdir(exist_ok=True, mode=0o700)
    return path


def save_attachment(session_factory: SessionFactory, attachment_id: int) -> Path:
    """Write one attachment to ``<home>/attachments/<message id>/<clean name>``."""
    with unit_of_work(session_factory) as session:
        attachment = session.get(Attachment, attachment_id)
        if attachment is None:
            raise AttachmentNotFoundError(f"no attachment {attachment_id}")
        root = attachments_dir().resolve()
        folder = root / str(attachment.message_id)
        target = (folder / clean_filename(attachment.filename)).resolve()
        if not target.is_relative_to(root) or target.parent != folder.resolve():
            raise ValueError("attachment name would leave the attachments folder")
        folder.mkdir(exist_ok=True, mode=0o700)
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(attachment.content)
        return target
