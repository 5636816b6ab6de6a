"""What each outbox state means, in the words of a person rather than of SMTP."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from desktop.gui.session.records import OutboxEntry, OutboxState


def _tr(text: str) -> str:
    return QCoreApplication.translate("outbox", text)


def state_text(entry: OutboxEntry) -> str:
    match entry.state:
        case OutboxState.QUEUED:
            return _tr("Waiting to be sent")
        case OutboxState.SENDING:
            return _tr("Sending…")
        case OutboxState.FAILED:
            return _tr("Not sent")
        case OutboxState.MAY_HAVE_BEEN_SENT:
            return _tr("May have been sent")
        case _:
            return _tr("Sent")


def explanation(entry: OutboxEntry) -> str:
    """The sentence under the list for the chosen message: what happened and what to do."""
    match entry.state:
        case OutboxState.QUEUED:
            waiting = entry.reason or _tr("It goes as soon as the server can be reached.")
            return _tr("This message waits to be sent. {why}").format(why=waiting)
        case OutboxState.SENDING:
            return _tr("This message is being sent now.")
        case OutboxState.FAILED:
            return _tr(
                "Not sent. {reason} Correct what it names, then choose Retry, or discard the "
                "message."
            ).format(reason=entry.reason)
        case OutboxState.MAY_HAVE_BEEN_SENT:
            return _tr(
                "Switchboard stopped while this message was being sent, so it may have arrived. "
                "Ask a recipient or look in your Sent folder on the server, then choose "
                "Mark as sent or Send again. It is never sent again without you."
            )
        case _:
            return ""


def button_text(waiting: int, attention: int) -> str:
    """The sidebar button: what waits for the person first, else what waits for the network."""
    if attention:
        if attention == 1:
            return _tr("Outbox: 1 not sent")
        return _tr("Outbox: {n} not sent").format(n=attention)
    if waiting == 1:
        return _tr("Outbox: 1 waiting")
    return _tr("Outbox: {n} waiting").format(n=waiting)
