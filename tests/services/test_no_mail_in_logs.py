"""Mail content stays out of the log however it might get there: a failed statement's values,
a database server's account of the failing row, and the repr of a record holding mail, which a
traceback or a careless ``%r`` would print."""

from __future__ import annotations

import logging
import mailbox
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from desktop.logs import LOG_FILE_NAME, configure_logging
from desktop.paths import logs_dir
from desktop.services.accounts import ProfileDraft
from desktop.services.container import Services
from desktop.services.failures import describe
from desktop.services.mail.draft import attachment_from_file
from desktop.services.mail.parse import parse_message
from desktop.store.session import make_session_factory, unit_of_work

WORDS = ("zymurgy", "quixotic", "pellucid", "vintner", "xylograph")


@pytest.fixture
def log_file() -> Iterator[Path]:
    root = logging.getLogger()
    level = root.level
    handler = configure_logging(logging.DEBUG)
    yield logs_dir() / LOG_FILE_NAME
    root.removeHandler(handler)
    handler.close()
    root.setLevel(level)


def words_in(content: str) -> list[str]:
    return [word for word in WORDS if word in content.lower()]


def known_message() -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Pellucid Brewer <vintner@brewhouse.example>"
    message["To"] = "ada@stmary.example"
    message["Subject"] = "Zymurgy notes"
    message["Message-ID"] = "<known@brewhouse.example>"
    message["Date"] = "Tue, 03 Mar 2026 10:00:00 +0000"
    message.set_content("The quixotic fermentation went well.\n")
    message.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf",
                           filename="xylograph.pdf")  # fmt: skip
    return message


def test_a_refused_write_of_a_message_leaves_its_words_out_of_log_and_details(
    engine: Engine, log_file: Path
) -> None:
    """A NOT NULL failure: SQLite names the column, SQLAlchemy would add the statement's values
    and PostgreSQL the whole failing row."""
    log = logging.getLogger("desktop.test")
    with pytest.raises(DBAPIError) as raised, unit_of_work(make_session_factory(engine)) as s:
        s.execute(
            text(
                "INSERT INTO messages (profile_id, folder, subject, sender, to_addrs, text) "
                "VALUES (1, NULL, :subject, :sender, :to, :body)"
            ),
            {
                "subject": "Zymurgy notes",
                "sender": "Pellucid Brewer <vintner@brewhouse.example>",
                "to": "xylograph@brewhouse.example",
                "body": "The quixotic fermentation went well.",
            },
        )
    error = raised.value
    try:
        raise RuntimeError("storing the message failed") from error
    except RuntimeError:
        log.exception("a step crashed")
    log.error("could not record it: %s", error.orig)
    failure = describe(error)
    log.warning("%s\n%s", failure.what_failed, failure.details)

    written = log_file.read_text(encoding="utf-8")
    assert "a step crashed" in written
    assert "IntegrityError" in written
    assert "null" in written.lower()  # the server's own reason is kept
    assert words_in(written) == []
    assert words_in(failure.details) == []
    assert words_in(failure.summary) == []


def test_records_holding_mail_leave_it_out_of_their_repr(
    services: Services, tmp_path: Path
) -> None:
    accounts = services.accounts
    accounts.create_first_user("ada", "Ada", "correct horse battery")
    actor = accounts.sign_in("ada", "correct horse battery")
    profile = accounts.create_profile(
        actor, ProfileDraft(organization="St Mary", email="ada@stmary.example")
    )
    actor = accounts.switch_profile(actor, profile.id)
    box = mailbox.mbox(tmp_path / "known.mbox")
    box.add(known_message())
    box.close()
    services.mailbox.import_files(actor, profile.id, [tmp_path / "known.mbox"])
    rows = services.mailbox.page(actor, search="zymurgy")
    assert len(rows) == 1
    detail = services.mailbox.get(actor, rows[0].id)
    assert detail is not None
    assert detail.subject == "Zymurgy notes"
    parsed = parse_message(known_message().as_bytes())
    reply = services.composer.reply(actor, detail.id, reply_all=False)
    saved = services.composer.save_draft(actor, reply)
    known = services.composer.complete_addresses(actor, "vint")
    file = tmp_path / "xylograph.txt"
    file.write_text("quixotic")
    records = [*rows, detail, *detail.attachments, parsed, *parsed.attachments, reply, saved,
               *known, attachment_from_file(file)]  # fmt: skip
    assert known
    for record in records:
        assert words_in(repr(record)) == [], type(record).__name__
