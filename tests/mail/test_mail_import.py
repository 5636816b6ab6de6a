"""Import of mbox, Maildir and .eml into one profile: dedupe, resume, progress, attachments."""

from __future__ import annotations

import base64
import mailbox
import threading
from email import header as email_header
from pathlib import Path

import pytest
from mail_helpers import assert_full_text_index_matches, simple_message
from sqlalchemy import func, select

from desktop.services.mail.importer import (
    ImportProgress,
    ImportResult,
    ImportSourceError,
    import_paths,
)
from desktop.services.mail.inbox import Inbox
from desktop.store.engine import make_engine
from desktop.store.models import Attachment, Message
from desktop.store.session import SessionFactory, make_session_factory, unit_of_work


def write_mbox(path: Path, messages: list[bytes]) -> Path:
    box = mailbox.mbox(path)
    for raw in messages:
        box.add(raw)
    box.flush()
    box.close()
    return path


def count(session_factory: SessionFactory, profile_id: int) -> int:
    with unit_of_work(session_factory) as session:
        return (
            session.scalar(
                select(func.count()).select_from(Message).where(Message.profile_id == profile_id)
            )
            or 0
        )


def subjects(session_factory: SessionFactory, profile_id: int) -> list[str]:
    with unit_of_work(session_factory) as session:
        return sorted(
            session.scalars(select(Message.subject).where(Message.profile_id == profile_id))
        )


def test_mbox_import_then_reimport_adds_nothing(
    tmp_path: Path, session_factory: SessionFactory, profile_id: int
) -> None:
    body_with_from = "Hello\nFrom the ward: all fine.\n"
    box = write_mbox(
        tmp_path / "in.mbox",
        [simple_message(i) for i in range(5)] + [simple_message(9, body=body_with_from)],
    )
    first = import_paths(session_factory, profile_id, [box])
    assert (first.added, first.skipped, first.unreadable) == (6, 0, 0)
    again = import_paths(session_factory, profile_id, [box])
    assert (again.added, again.skipped) == (0, 6)
    assert count(session_factory, profile_id) == 6
    with unit_of_work(session_factory) as session:
        text = session.scalar(select(Message.text).where(Message.message_id == "<m9@example.org>"))
    assert text == body_with_from


def test_the_same_message_id_in_another_profile_is_not_a_duplicate(
    tmp_path: Path, session_factory: SessionFactory, profile_id: int, second_profile_id: int
) -> None:
    box = write_mbox(tmp_path / "in.mbox", [simple_message(1), simple_message(2)])
    import_paths(session_factory, profile_id, [box])
    assert import_paths(session_factory, second_profile_id, [box]).added == 2


def test_messages_without_message_id_dedupe_by_content(
    tmp_path: Path, session_factory: SessionFactory, profile_id: int
) -> None:
    raw = b"From: a@example.org\nSubject: no id\n\nbody\n"
    eml = tmp_path / "one.eml"
    eml.write_bytes(raw)
    other = tmp_path / "other.eml"
    other.write_bytes(raw.replace(b"body", b"another body"))
    assert import_paths(session_factory, profile_id, [eml, other]).added == 2
    assert import_paths(session_factory, profile_id, [eml, eml, other]).added == 0
    assert count(session_factory, profile_id) == 2


def test_maildir_import_uses_delivery_time_for_undated_mail(
    tmp_path: Path, session_factory: SessionFactory, profile_id: int
) -> None:
    folder = mailbox.Maildir(tmp_path / "Maildir")
    folder.add(simple_message(1))
    undated = mailbox.MaildirMessage(b"From: a@example.org\nSubject: undated\n\nhi\n")
    key = folder.add(undated)
    folder.close()
    result = import_paths(session_factory, profile_id, [tmp_path / "Maildir"])
    assert result.added == 2
    delivered = int(key.split(".")[0])
    with unit_of_work(session_factory) as session:
        message = session.scalars(select(Message).where(Message.subject == "undated")).one()
        assert message.date_guessed
        assert int(message.date.timestamp()) == delivered


def test_an_import_killed_half_way_keeps_its_batches_and_a_rerun_completes_it(
    tmp_path: Path, session_factory: SessionFactory, profile_id: int
) -> None:
    box = write_mbox(tmp_path / "big.mbox", [simple_message(i) for i in range(25)])
    calls: list[ImportProgress] = []

    class Killed(Exception):
        pass

    def die_after_two_batches(progress: ImportProgress) -> None:
        calls.append(progress)
        if len(calls) == 2:
            raise Killed

    with pytest.raises(Killed):
        import_paths(session_factory, profile_id, [box], die_after_two_batches, batch_size=10)
    assert count(session_factory, profile_id) == 20
    progress: list[ImportProgress] = []
    result = import_paths(session_factory, profile_id, [box], progress.append, batch_size=10)
    assert (result.added, result.skipped) == (5, 20)
    assert count(session_factory, profile_id) == 25
    assert subjects(session_factory, profile_id) == sorted(f"Message number {i}" for i in range(25))
    assert progress[-1].bytes_done == progress[-1].bytes_total == box.stat().st_size
    assert progress[-1].messages == 25
    assert [p.bytes_done for p in progress] == sorted(p.bytes_done for p in progress)


def test_unreadable_messages_are_kept_raw(
    tmp_path: Path, session_factory: SessionFactory, profile_id: int
) -> None:
    eml = tmp_path / "garbage.eml"
    eml.write_bytes(b"\x00\x01 not mail at all \xff")
    result = import_paths(session_factory, profile_id, [eml])
    assert (result.added, result.unreadable) == (1, 1)
    with unit_of_work(session_factory) as session:
        message = session.scalars(select(Message)).one()
        assert message.raw == b"\x00\x01 not mail at all \xff"
        assert message.parse_error


def test_bad_paths_are_refused_before_anything_is_stored(
    tmp_path: Path, session_factory: SessionFactory, profile_id: int
) -> None:
    good = write_mbox(tmp_path / "in.mbox", [simple_message(1)])
    (tmp_path / "plain-folder").mkdir()
    with pytest.raises(ImportSourceError, match="not a Maildir"):
        import_paths(session_factory, profile_id, [good, tmp_path / "plain-folder"])
    with pytest.raises(ImportSourceError, match="does not exist"):
        import_paths(session_factory, profile_id, [good, tmp_path / "missing.mbox"])
    assert count(session_factory, profile_id) == 0


def test_attachments_are_stored_under_a_clean_name(
    tmp_path: Path, session_factory: SessionFactory, profile_id: int
) -> None:
    raw = (
        b'From: a@example.org\nSubject: scan\nContent-Type: multipart/mixed; boundary="b"\n\n'
        b"--b\nContent-Type: text/plain\n\nsee scan\n"
        b"--b\nContent-Type: application/octet-stream\n"
        b'Content-Disposition: attachment; filename="../../../../tmp/evil\x07.sh"\n\n'
        b"echo owned\n--b--\n"
    )
    eml = tmp_path / "scan.eml"
    eml.write_bytes(raw)
    import_paths(session_factory, profile_id, [eml])
    with unit_of_work(session_factory) as session:
        attachment = session.scalars(select(Attachment)).one()
        assert attachment.filename_sent == "../../../../tmp/evil.sh"
        assert attachment.filename == "evil.sh"
        assert attachment.content == b"echo owned"
    assert_full_text_index_matches(session_factory)


def test_batches_mixing_attachments_and_plain_mail_are_all_searchable(
    tmp_path: Path, session_factory: SessionFactory, profile_id: int
) -> None:
    def with_files(number: int) -> bytes:
        return (
            f"From: a@example.org\nSubject: scans {number}\nMessage-ID: <s{number}@x>\n"
            'Content-Type: multipart/mixed; boundary="b"\n\n'
            "--b\nContent-Type: text/plain\n\nradiograph attached\n"
            '--b\nContent-Type: image/png\nContent-Disposition: attachment; filename="a.png"\n\n'
            "PNG\n"
            '--b\nContent-Type: image/png\nContent-Disposition: attachment; filename="b.png"\n\n'
            "PNG\n--b--\n"
        ).encode()

    box = write_mbox(
        tmp_path / "mixed.mbox",
        [with_files(i) if i % 3 == 0 else simple_message(i) for i in range(12)],
    )
    assert import_paths(session_factory, profile_id, [box], batch_size=5).added == 12
    assert_full_text_index_matches(session_factory)
    with unit_of_work(session_factory) as session:
        assert session.scalar(select(func.count()).select_from(Attachment)) == 8


def mixed_messages(count: int) -> list[bytes]:
    """Mostly plain mail; every 7th without a Message-ID, every 5th with an attachment."""
    messages = []
    for n in range(count):
        if n % 7 == 0:
            messages.append(b"From: a@example.org\nSubject: no id %d\n\nbody %d\n" % (n, n))
        elif n % 5 == 0:
            messages.append(
                b"From: a@example.org\nMessage-ID: <f%d@example.org>\nSubject: file %d\n"
                b'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="b"\n\n'
                b"--b\nContent-Type: text/plain\n\nsee file\n"
                b'--b\nContent-Type: text/plain\nContent-Disposition: attachment; filename="n.txt"'
                b"\n\nnote %d\n--b--\n" % (n, n, n)
            )
        else:
            messages.append(simple_message(n))
    return messages


@pytest.mark.parametrize("importers", [2, 3])
def test_imports_running_at_once_store_each_message_once(
    tmp_path: Path, database_url: str, session_factory: SessionFactory, profile_id: int,
    importers: int,
) -> None:  # fmt: skip
    total = 1500
    messages = mixed_messages(total)
    box = write_mbox(tmp_path / "in.mbox", messages)
    start = threading.Barrier(importers)
    results: list[ImportResult] = []
    errors: list[BaseException] = []

    def run() -> None:
        engine = make_engine(database_url)  # an engine of its own, as another window would have
        try:
            start.wait()
            results.append(import_paths(make_session_factory(engine), profile_id, [box], None, 50))
        except BaseException as error:
            errors.append(error)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=run) for _ in range(importers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert count(session_factory, profile_id) == total
    assert sum(result.added for result in results) == total
    assert all(result.added + result.skipped == total for result in results)
    with unit_of_work(session_factory) as session:
        files = session.scalar(select(func.count()).select_from(Attachment))
    assert files == sum(1 for n in range(total) if n % 7 and n % 5 == 0)
    assert_full_text_index_matches(session_factory)


def realistic_message(n: int) -> bytes:
    """One of five shapes by ``n``: plain, HTML alternative, PDF attached, non-ASCII, undated."""
    head = f"From: Sender {n} <s{n}@example.org>\nTo: ada@example.org\nMessage-ID: <r{n}@x>\n"
    dated = "Date: Tue, 03 Mar 2020 10:00:00 +0100\nMIME-Version: 1.0\n"
    text = f"Ward round {n} token{n}\nFrom the ward: all fine.\n"
    kind = n % 5
    if kind == 0:
        return f"{head}{dated}Subject: plain {n}\n\n{text}".encode()
    if kind == 1:
        return (
            f'{head}{dated}Subject: html {n}\nContent-Type: multipart/alternative; boundary="a"\n\n'
            f"--a\nContent-Type: text/plain\n\n{text}--a\nContent-Type: text/html\n\n"
            f"<p>{text}</p>\n--a--\n"
        ).encode()
    if kind == 2:
        pdf = base64.encodebytes(b"%PDF " + bytes([n % 256]) * (n % 3000)).decode()
        return (
            f'{head}{dated}Subject: file {n}\nContent-Type: multipart/mixed; boundary="m"\n\n'
            f"--m\nContent-Type: text/plain\n\n{text}--m\nContent-Type: application/pdf\n"
            f'Content-Disposition: attachment; filename="scan {n}.pdf"\n'
            f"Content-Transfer-Encoding: base64\n\n{pdf}--m--\n"
        ).encode()
    if kind == 3:
        subject = email_header.Header(f"Befund für Zoë {n}", "utf-8").encode()
        return (
            f"{head}{dated}Subject: {subject}\nContent-Type: text/plain; charset=utf-8\n\n"
            f"Grüße {text}"
        ).encode()
    return f"{head}Subject: undated {n}\n\n{text}".encode()


def test_a_realistic_mailbox_is_stored_once_with_its_files_and_is_searchable(
    tmp_path: Path, session_factory: SessionFactory, profile_id: int, user_id: int
) -> None:
    total = 2000
    box = write_mbox(tmp_path / "export.mbox", [realistic_message(n) for n in range(total)])
    progress: list[ImportProgress] = []
    result = import_paths(session_factory, profile_id, [box], progress.append)
    assert (result.added, result.skipped, result.unreadable) == (total, 0, 0)
    assert progress[-1] == ImportProgress(box.stat().st_size, box.stat().st_size, total)

    expected = {
        f"<r{n}@x>": ["plain", "html", "file", "Befund für Zoë", "undated"][n % 5] + f" {n}"
        for n in range(total)
    }
    with unit_of_work(session_factory) as session:
        rows = session.execute(
            select(Message.message_id, Message.subject, Message.text, Message.date_guessed)
        ).all()
        files = session.execute(
            select(Message.message_id, Attachment.filename, Attachment.content).join(Message)
        ).all()
    assert sorted(row.message_id for row in rows) == sorted(expected)
    assert all(row.subject == expected[row.message_id] for row in rows)
    assert all("From the ward: all fine." in row.text for row in rows)
    assert all(row.date_guessed == row.subject.startswith("undated") for row in rows)
    attached = {n: realistic_message(n) for n in range(2, total, 5)}
    assert len(files) == len(attached)
    for message_id, filename, content in files:
        n = int(message_id[2:-3])
        assert (filename, content) == (f"scan {n}.pdf", b"%PDF " + bytes([n % 256]) * (n % 3000))

    assert_full_text_index_matches(session_factory)
    found = Inbox(session_factory).page(user_id, search="token1234")
    assert [row.subject for row in found] == [expected["<r1234@x>"]]

    again = import_paths(session_factory, profile_id, [box])
    assert (again.added, again.skipped) == (0, total)
    assert count(session_factory, profile_id) == total


def test_a_cancelled_import_keeps_whole_messages_counts_them_and_a_rerun_completes_it(
    tmp_path: Path, session_factory: SessionFactory, profile_id: int
) -> None:
    """Cancel is looked at between messages: the batch already read is stored, nothing else."""
    box = write_mbox(tmp_path / "big.mbox", [simple_message(i) for i in range(35)])
    cancel = threading.Event()

    def cancel_after_two_batches(progress: ImportProgress) -> None:
        if progress.messages >= 20:
            cancel.set()

    result = import_paths(
        session_factory, profile_id, [box], cancel_after_two_batches, batch_size=10, cancel=cancel
    )
    assert result == ImportResult(added=20, skipped=0, unreadable=0, cancelled=True)
    assert count(session_factory, profile_id) == 20
    assert subjects(session_factory, profile_id) == sorted(f"Message number {i}" for i in range(20))
    assert_full_text_index_matches(session_factory)
    again = import_paths(session_factory, profile_id, [box], batch_size=10)
    assert again == ImportResult(added=15, skipped=20, unreadable=0, cancelled=False)
    assert count(session_factory, profile_id) == 35


def test_a_cancel_before_the_start_imports_nothing_from_any_source(
    tmp_path: Path, session_factory: SessionFactory, profile_id: int
) -> None:
    first = write_mbox(tmp_path / "a.mbox", [simple_message(i) for i in range(3)])
    second = write_mbox(tmp_path / "b.mbox", [simple_message(i) for i in range(3, 6)])
    cancel = threading.Event()
    cancel.set()
    result = import_paths(session_factory, profile_id, [first, second], cancel=cancel)
    assert result == ImportResult(added=0, skipped=0, unreadable=0, cancelled=True)
    assert count(session_factory, profile_id) == 0
