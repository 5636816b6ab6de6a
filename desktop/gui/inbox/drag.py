"""Messages dragged from the list: their ids, in a type of our own that only our panes accept.

Only ids travel, never subjects or addresses: a drop on another application (a text editor, a
browser) gets nothing it could keep, which matters when the mail is about patients.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QByteArray, QMimeData

MESSAGE_IDS = "application/x-switchboard-message-ids"


def message_data(message_ids: Iterable[int]) -> QMimeData:
    data = QMimeData()
    data.setData(MESSAGE_IDS, QByteArray(",".join(map(str, message_ids)).encode("ascii")))
    return data


def dragged_ids(data: QMimeData) -> tuple[int, ...]:
    """The ids a drag carries; none when it did not come from the message list."""
    if not data.hasFormat(MESSAGE_IDS):
        return ()
    text = bytes(data.data(MESSAGE_IDS).data()).decode("ascii", "replace")
    return tuple(int(part) for part in text.split(",") if part.isdigit())
