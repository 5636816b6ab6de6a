"""Awkward mail lands readable: a corpus of real-world breakage, built here byte by byte."""

from __future__ import annotations

import base64
import random
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import pytest

from desktop.services.mail.parse import (
    UNPARSEABLE_SUBJECT,
    clean_filename,
    parse_date,
    parse_headers,
    parse_message,
    parse_with_stdlib,
    scan_message,
)

ARRIVAL = datetime(2021, 6, 1, 12, 0, tzinfo=UTC)


def mail(headers: str, body: bytes = b"Hello.\r\n") -> bytes:
    return headers.strip().replace("\n", "\r\n").encode("ascii") + b"\r\n\r\n" + body


@pytest.mark.parametrize(
    ("encoded", "expected"),
    [
        ("=?utf-8?q?Gr=C3=BC=C3=9Fe?=", "Grüße"),
        ("=?iso-8859-1?q?Gr=FC=DFe?= aus Berlin", "Grüße aus Berlin"),
        ("=?koi8-r?b?8NLJ18XU?=", "Привет"),
        ("=?iso-2022-jp?b?GyRCJDMkcyRLJEEkTxsoQg==?=", "こんにちは"),
        ("=?gb2312?b?xOO6ww==?=", "你好"),
        ("=?windows-1252?q?=80_price?=", "€ price"),
        ("=?UTF-8?B?4pyTIGRvbmU=?= =?UTF-8?B?IHR3aWNl?=", "✓ done twice"),
        ("=?x-no-such-charset?q?caf=C3=A9?=", "café"),
    ],
)
def test_encoded_subjects_in_any_charset(encoded: str, expected: str) -> None:
    parsed = parse_message(mail(f"From: a@example.org\nSubject: {encoded}\nMessage-ID: <x@y>"))
    assert parsed.subject == expected
    assert parsed.parse_error is None


def test_raw_eight_bit_headers_are_read_as_utf8_else_windows_1252() -> None:
    utf8 = b"From: J\xc3\xb6rg <j@example.org>\r\nSubject: Gr\xc3\xbc\xc3\x9fe\r\n\r\nbody\r\n"
    latin = b"From: J\xf6rg <j@example.org>\r\nSubject: Gr\xfc\xdfe \x80\r\n\r\nbody\r\n"
    assert parse_message(utf8).subject == "Grüße"
    assert parse_message(utf8).sender == "Jörg <j@example.org>"
    assert parse_message(latin).subject == "Grüße €"


def test_encoded_sender_and_folded_recipients() -> None:
    parsed = parse_message(
        mail(
            "From: =?utf-8?q?J=C3=B6rg_M=C3=BCller?= <joerg@example.org>\n"
            'To: a@example.org,\n b@example.org\nCc: "C, D" <c@example.org>'
        )
    )
    assert parsed.sender == "Jörg Müller <joerg@example.org>"
    assert parsed.to_addrs == "a@example.org, b@example.org"
    assert parsed.cc_addrs == '"C, D" <c@example.org>'


def test_a_good_date_is_kept_in_utc_and_not_guessed() -> None:
    parsed = parse_message(mail("From: a@b\nDate: Tue, 03 Mar 2020 10:00:00 +0100"), ARRIVAL)
    assert parsed.date == datetime(2020, 3, 3, 9, 0, tzinfo=UTC)
    assert not parsed.date_guessed


@pytest.mark.parametrize(
    "headers",
    [
        "From: a@b",
        "From: a@b\nDate: yesterday, around noon",
        "From: a@b\nDate: Tue, 45 Foo 2020 99:99:99 +0100",
        "From: a@b\nDate: Mon, 01 Jan 1601 00:00:00 +0000",
    ],
)
def test_missing_or_bad_dates_fall_back_to_arrival_and_are_marked_guessed(headers: str) -> None:
    parsed = parse_message(mail(headers), ARRIVAL)
    assert parsed.date == ARRIVAL
    assert parsed.date_guessed


def test_a_date_without_zone_is_taken_as_utc() -> None:
    parsed = parse_message(mail("From: a@b\nDate: Tue, 03 Mar 2020 10:00:00 -0000"), ARRIVAL)
    assert parsed.date == datetime(2020, 3, 3, 10, 0, tzinfo=UTC)
    assert not parsed.date_guessed


def stdlib_date(value: str) -> datetime | str:
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError) as error:
        return type(error).__name__


def fast_date(value: str) -> datetime | str:
    try:
        return parse_date(value)
    except (TypeError, ValueError, IndexError, OverflowError) as error:
        return type(error).__name__


def date_forms(seed: int) -> list[str]:
    """Dates in the common form and near it: odd zones, impossible days, short years, comments."""
    rng = random.Random(seed)
    days = ["Mon, ", "Sat, ", "", "Sat ", "sat, "]
    months = ["Jan", "Feb", "Dec", "jan", "Foo"]
    years = ["2022", "1999", "0099", "99", "1969", "2201", "10000"]
    times = ["09:30:00", "23:59:59", "24:00:00", "09:30", "9:30:00", "09:30:60"]
    zones = ["+0000", "-0000", "+0100", "-0930", "+0099", "+2400", "-2359", "GMT", "UT", "EST"]
    tails = ["", " (UTC)", " (CET)", "  ", " junk"]
    return [
        f"{rng.choice(days)}{rng.choice(['1', '01', '31', '00', '29', '45'])} "
        f"{rng.choice(months)} {rng.choice(years)} {rng.choice(times)} {rng.choice(zones)}"
        f"{rng.choice(tails)}"
        for _ in range(2000)
    ]


@pytest.mark.parametrize("seed", range(3))
def test_the_quick_date_reading_agrees_with_the_stdlib_on_every_form(seed: int) -> None:
    for value in date_forms(seed):
        assert fast_date(value) == stdlib_date(value), value
        stdlib, fast = stdlib_date(value), fast_date(value)
        if isinstance(stdlib, datetime) and isinstance(fast, datetime):
            assert fast.utcoffset() == stdlib.utcoffset(), value


def test_broken_base64_decodes_as_far_as_it_can() -> None:
    good = base64.b64encode("Befund unauffällig, Kontrolle in 6 Monaten".encode()).decode()
    broken = good[:-3] + "!!"  # lost padding and a stray character
    parsed = parse_message(
        mail(
            "From: a@b\nSubject: lab\nContent-Type: text/plain; charset=utf-8\n"
            "Content-Transfer-Encoding: base64",
            broken.encode() + b"\r\n",
        )
    )
    assert parsed.parse_error is None
    assert parsed.text.startswith("Befund unauffällig, Kontrolle in 6")


def test_no_subject_and_duplicated_headers() -> None:
    assert parse_message(mail("From: a@b")).subject == ""
    parsed = parse_message(mail("From: a@b\nSubject: first\nSubject: second\nMessage-ID: <1@x>"))
    assert parsed.subject == "first"
    assert parsed.message_id == "<1@x>"


def test_a_lying_body_charset_still_gives_text() -> None:
    parsed = parse_message(
        mail("From: a@b\nContent-Type: text/plain; charset=us-ascii", "Grüße".encode("cp1252"))
    )
    assert parsed.text.strip() == "Grüße"


def test_multipart_keeps_text_html_and_attachments() -> None:
    body = (
        b"--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nplain \xc3\xa9\r\n"
        b"--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>html</p>\r\n"
        b"--b\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n"
        b'Content-Disposition: attachment; filename="../../etc/report.pdf"\r\n\r\n'
        + base64.b64encode(b"%PDF-1.4 data")
        + b"\r\n--b--\r\n"
    )
    parsed = parse_message(mail('From: a@b\nContent-Type: multipart/mixed; boundary="b"', body))
    assert parsed.text.strip() == "plain é"
    assert parsed.html is not None
    assert parsed.html.strip() == "<p>html</p>"
    [attachment] = parsed.attachments
    assert attachment.filename_sent == "../../etc/report.pdf"
    assert attachment.filename == "report.pdf"
    assert attachment.content == b"%PDF-1.4 data"
    assert attachment.content_type == "application/pdf"


@pytest.mark.parametrize(
    ("sent", "clean"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Windows\\System32\\evil.exe", "evil.exe"),
        ("/absolute/path/x.txt", "x.txt"),
        ("invoice\u202egpj.exe", "invoicegpj.exe"),
        ("bell\x07\x00name\r\n.txt", "bellname.txt"),
        ("..", "attachment.pdf"),
        ("", "attachment.pdf"),
        ('what?*:<>|".doc', "what_______.doc"),
        (".bashrc", "bashrc"),
        ("x" * 300 + ".pdf", "x" * 196 + ".pdf"),
    ],
)
def test_hostile_attachment_names_are_cleaned(sent: str, clean: str) -> None:
    assert clean_filename(sent, "application/pdf") == clean


def test_rfc2231_attachment_name_with_path_parts() -> None:
    body = (
        b"--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
        b"--b\r\nContent-Type: application/octet-stream\r\n"
        b"Content-Disposition: attachment; filename*=utf-8''..%2F..%2Fbo%C3%AEte.bin\r\n\r\n"
        b"data\r\n--b--\r\n"
    )
    parsed = parse_message(mail('From: a@b\nContent-Type: multipart/mixed; boundary="b"', body))
    [attachment] = parsed.attachments
    assert attachment.filename == "boîte.bin"


@pytest.mark.parametrize("raw", [b"", b"\x00\x01\x02 binary garbage\xff\xfe", b"just some text"])
def test_unparseable_input_is_kept_raw_with_the_reason(raw: bytes) -> None:
    parsed = parse_message(raw, ARRIVAL)
    assert parsed.parse_error
    assert parsed.raw == raw
    assert parsed.subject == UNPARSEABLE_SUBJECT
    assert parsed.date == ARRIVAL
    assert parsed.date_guessed


def test_header_only_parse_reads_the_same_headers() -> None:
    raw = mail("From: a@b\nSubject: =?utf-8?q?caf=C3=A9?=\nDate: Tue, 03 Mar 2020 10:00:00 +0000")
    headers = parse_headers(raw.split(b"\r\n\r\n")[0] + b"\r\n\r\n", size=len(raw))
    full = parse_message(raw)
    assert (headers.subject, headers.sender, headers.date) == (full.subject, full.sender, full.date)
    assert headers.size == len(raw)


def crlf(text: str) -> bytes:
    return text.replace("\n", "\r\n").encode("utf-8", "surrogateescape")


WELL_FORMED = {
    "plain": b"From: a@example.org\nSubject: hi\nMessage-ID: <p@x>\n\nHello.\n",
    "crlf, folded, duplicated, any case": crlf(
        "FROM: a@example.org\nTo: b@example.org,\n\tc@example.org\nsubject: first\n"
        "Subject: second\nCc:\nmessage-id:   <c@x>  \n\nline one\nline two\n"
    ),
    "eight-bit and encoded headers": (
        b"From: J\xf6rg <j@example.org>\nSubject: =?utf-8?q?Gr=C3=BC=C3=9Fe?= \xc3\xa9\n"
        b"Date: Tue, 03 Mar 2020 10:00:00 +0100\n\nbody\n"
    ),
    "quoted-printable latin-1": (
        b"From: a@example.org\nContent-Type: text/plain; charset=iso-8859-1\n"
        b"Content-Transfer-Encoding: quoted-printable\n\nGr=FC=DFe, soft=\n break\n"
    ),
    "base64 that lost its padding": (
        b"From: a@example.org\nContent-Transfer-Encoding: Base64 \n\n"
        + base64.b64encode("Befund: unauffällig.".encode()).rstrip(b"=")
        + b"\n"
    ),
    "alternative with preamble and epilogue": crlf(
        'From: a@example.org\nContent-Type: multipart/alternative;\n boundary="=_b c"\n\n'
        "This is a preamble.\n--=_b c\nContent-Type: text/plain; charset=utf-8\n\nplain\n\n"
        "--=_b c  \nContent-Type: text/html\n\n<p>html</p>\n--=_b c-- \nepilogue\n--=_b c\n"
    ),
    "nested parts, files and lookalike lines": (
        b"From: a@example.org\nContent-Type: multipart/mixed; boundary=outer\n\n"
        b"--outer\nContent-Type: multipart/alternative; boundary=inner\n\n"
        b"--inner\n\ndefault type, no headers\n--inner-\n--innerx\n"
        b"--inner\nContent-Type: text/html\n\n<b>hi</b>\n--inner--\n\n"
        b"--outer\nContent-Type: application/pdf\n"
        b"Content-Disposition: attachment; filename*=utf-8''Befund%20%C3%BC.pdf\n"
        b"Content-Transfer-Encoding: base64\n\n"
        + base64.encodebytes(bytes(range(256)) * 4)
        + b"--outer\nContent-Type: image/png\n\nPNG\n"
        b'--outer\nContent-Type: text/plain; name="note.txt"\n\nnote\n'
        b"--outer\nContent-Type: text/plain\nContent-Disposition: attachment\n\nfile\n"
        b"--outer\nContent-Type: text/plain\n\nsecond text part\n"
        b"--outer\nContent-Type: text/plain\n\n--outer--\n"
    ),
}

LEFT_TO_THE_STDLIB = {
    "bare CR line ends": b"From: a@example.org\rSubject: cr\r\rbody\r",
    "an envelope line": b"From a@example.org Sat Jan  1 00:00:00 2022\nSubject: x\n\nbody\n",
    "a form feed": b"From: a@example.org\n\npage one\x0cpage two\n",
    "a line that is no header": b"From: a@example.org\nnot a header\n\nbody\n",
    "headers only": b"From: a@example.org\nSubject: nothing else",
    "a forwarded message": (
        b"From: a@example.org\nContent-Type: multipart/mixed; boundary=b\n\n"
        b"--b\nContent-Type: message/rfc822\n\nFrom: c@example.org\n\ninner\n--b--\n"
    ),
    "a digest": (
        b"From: a@example.org\nContent-Type: multipart/digest; boundary=b\n\n"
        b"--b\n\nFrom: c@example.org\n\ninner\n--b--\n"
    ),
    "no closing boundary": (
        b"From: a@example.org\nContent-Type: multipart/mixed; boundary=b\n\n--b\n\ncut off\n"
    ),
    "no boundary": b"From: a@example.org\nContent-Type: multipart/mixed\n\n--b\n\nx\n--b--\n",
    "two boundaries in a row": (
        b"From: a@example.org\nContent-Type: multipart/mixed; boundary=b\n\n"
        b"--b\n--b\n\ntext\n--b--\n"
    ),
    "uuencode": (
        b"From: a@example.org\nContent-Transfer-Encoding: x-uuencode\n\n"
        b"begin 644 a.txt\n#86)C\n`\nend\n"
    ),
    "an eight-bit content type": (
        b'From: a@example.org\nContent-Type: text/plain; name="Bericht \xfc.txt"\n\nx\n'
    ),
}


@pytest.mark.parametrize("raw", WELL_FORMED.values(), ids=WELL_FORMED.keys())
def test_the_scanner_reads_well_formed_mail_exactly_as_the_stdlib_parser(raw: bytes) -> None:
    scanned = scan_message(raw, ARRIVAL)
    assert scanned is not None
    assert scanned == parse_with_stdlib(raw, ARRIVAL)
    assert parse_message(raw, ARRIVAL) == scanned


@pytest.mark.parametrize("raw", LEFT_TO_THE_STDLIB.values(), ids=LEFT_TO_THE_STDLIB.keys())
def test_mail_the_scanner_cannot_read_exactly_goes_to_the_stdlib_parser(raw: bytes) -> None:
    assert scan_message(raw, ARRIVAL) is None
    assert parse_message(raw, ARRIVAL) == parse_with_stdlib(raw, ARRIVAL)


def test_the_nested_corpus_message_is_read_in_walk_order() -> None:
    parsed = parse_message(WELL_FORMED["nested parts, files and lookalike lines"], ARRIVAL)
    assert parsed.text == "default type, no headers\n--inner-\n--innerx"
    assert parsed.html == "<b>hi</b>"
    assert [(a.filename, a.content_type) for a in parsed.attachments] == [
        ("Befund ü.pdf", "application/pdf"),
        ("attachment.png", "image/png"),
        ("note.txt", "text/plain"),
        ("attachment.plain", "text/plain"),
    ]
    assert parsed.attachments[0].content == bytes(range(256)) * 4


def header_block(raw: bytes) -> bytes | None:
    """The headers with the empty line after them, as IMAP's BODY[HEADER] hands them over."""
    ends = [i for i in (raw.find(b"\n\n"), raw.find(b"\n\r\n")) if i >= 0]
    return raw[: min(ends) + 1] + (b"\r\n" if b"\r\n" in raw else b"\n") if ends else None


WITH_HEADERS = {
    name: raw
    for name, raw in (WELL_FORMED | LEFT_TO_THE_STDLIB).items()
    if header_block(raw) is not None
}


@pytest.mark.parametrize("raw", WITH_HEADERS.values(), ids=WITH_HEADERS.keys())
def test_the_header_pass_reads_the_headers_as_the_whole_message_parse(raw: bytes) -> None:
    block = header_block(raw)
    assert block is not None
    header_pass = parse_headers(block, len(raw), ARRIVAL)
    whole = parse_with_stdlib(raw, ARRIVAL)
    fields = ("message_id", "sender", "to_addrs", "cc_addrs", "subject", "date", "date_guessed")
    assert [getattr(header_pass, f) for f in fields] == [getattr(whole, f) for f in fields]
