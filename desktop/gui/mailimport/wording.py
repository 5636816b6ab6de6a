"""The import dialog's sentences, apart from its widgets so each rule of wording is tested once.

Counts come in the user's locale; every message is a full sentence.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication, QLocale

from desktop.gui.session.records import ImportPreview, ImportResult
from desktop.gui.session.viewdata import ProfileCard


def _tr(text: str) -> str:
    return QCoreApplication.translate("MailImportDialog", text)


def _number(count: int) -> str:
    return QLocale().toString(count)


def _messages(count: int) -> str:
    return _tr("1 message") if count == 1 else _tr("{n} messages").format(n=_number(count))


def addressed_elsewhere(
    preview: ImportPreview, target: ProfileCard, profiles: Sequence[ProfileCard]
) -> tuple[str, ProfileCard | None]:
    """The warning for importing into ``target``, and the profile most of that mail names.

    Empty (and no profile) when none of the mail looked at names another profile of the user.
    """
    counts = preview.addressed_elsewhere(target.id)
    named = sorted(
        (p for p in profiles if counts.get(p.id)), key=lambda p: (-counts[p.id], p.organization)
    )
    if not named:
        return "", None
    if not preview.cut_short:
        looked_at = _tr("the {n} messages")
    elif preview.sources == 1:
        looked_at = _tr("the first {n} messages")
    else:
        looked_at = _tr("the {n} messages looked at (at most {limit} of each source)")
    looked_at = looked_at.format(n=_number(preview.examined), limit=_number(preview.limit))
    sentences = []
    for profile in named:
        count = counts[profile.id]
        if preview.examined == 1:
            sentence = _tr("The message is addressed to {email} ({org}).")
        elif count == 1:
            sentence = _tr("1 of {looked_at} is addressed to {email} ({org}).")
        else:
            sentence = _tr("{count} of {looked_at} are addressed to {email} ({org}).")
        sentences.append(
            sentence.format(
                count=_number(count),
                looked_at=looked_at,
                email=profile.email,
                org=profile.organization,
            )
        )
    question = (
        _tr("Import it into {org} anyway?")
        if preview.examined == 1
        else _tr("Import them into {org} anyway?")
    )
    sentences.append(question.format(org=target.organization))
    return " ".join(sentences), named[0]


def outcome(result: ImportResult) -> str:
    """What an import did: "Imported N messages; M were already there." (and more if stopped)."""
    already = (
        _tr("1 was already there") if result.skipped == 1 else _tr("{m} were already there")
    ).format(m=_number(result.skipped))
    if result.cancelled:
        text = _tr("The import was stopped. Imported {added} before you cancelled; {already}.")
    else:
        text = _tr("Imported {added}; {already}.")
    text = text.format(added=_messages(result.added), already=already)
    if result.unreadable:
        text += " " + _tr(
            "{count} could not be read as mail and are kept exactly as they were."
            if result.unreadable > 1
            else "{count} could not be read as mail and is kept exactly as it was."
        ).format(count=_messages(result.unreadable))
    return text


def progress(messages: int) -> str:
    return _tr("Importing… {count} read so far.").format(count=_messages(messages))
