"""The folders of each profile's mail server, as the last folder listing found them.

One row per folder the server lists, subscribed or not, so that the sidebar can show the tree
and a move can offer every folder; ``role`` (:class:`desktop.core.folders.FolderRole`) is what
the unified views and the delete and archive actions look up, so that no code guesses folder
names. Messages name their folder by ``name`` (``messages.folder``), as IMAP does; a rename
seen on the server is one update of both.
"""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column

from desktop.store.models.base import Base


class Folder(Base):
    __tablename__ = "folders"
    __table_args__ = (UniqueConstraint("profile_id", "name", name="uq_folders_profile_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("profiles.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(Text)
    # The hierarchy delimiter LIST gave ("/" or "."); None for a flat server.
    delimiter: Mapped[str | None] = mapped_column(String(8), default=None)
    role: Mapped[str] = mapped_column(String(16), default="", server_default="")
    subscribed: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    selectable: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
