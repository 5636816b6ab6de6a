"""mailto: links as RFC 6068 section 6 writes them, and the ones a hostile page would write."""

from __future__ import annotations

import pytest

from desktop.core.compose.mailto import MailtoRequest, NotAMailtoLink, is_mailto, parse_mailto


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        ("mailto:chris@example.com", MailtoRequest(to=("chris@example.com",))),
        (
            "mailto:infobot@example.com?subject=current-issue",
            MailtoRequest(to=("infobot@example.com",), subject="current-issue"),
        ),
        (
            "mailto:infobot@example.com?body=send%20current-issue",
            MailtoRequest(to=("infobot@example.com",), body="send current-issue"),
        ),
        (
            "mailto:infobot@example.com?body=send%20current-issue%0D%0Asend%20index",
            MailtoRequest(to=("infobot@example.com",), body="send current-issue\nsend index"),
        ),
        (
            "mailto:list@example.org?In-Reply-To=%3C3469A91.D10AF4C@example.com%3E",
            MailtoRequest(to=("list@example.org",), in_reply_to="<3469A91.D10AF4C@example.com>"),
        ),
        (
            "mailto:majordomo@example.com?body=subscribe%20bamboo-l",
            MailtoRequest(to=("majordomo@example.com",), body="subscribe bamboo-l"),
        ),
        (
            "mailto:joe@example.com?cc=bob@example.com&body=hello",
            MailtoRequest(to=("joe@example.com",), cc=("bob@example.com",), body="hello"),
        ),
        (
            "mailto:?to=joe@example.com&cc=bob@example.com&body=hello",
            MailtoRequest(to=("joe@example.com",), cc=("bob@example.com",), body="hello"),
        ),
        ("mailto:gorby%25kremvax@example.com", MailtoRequest(to=("gorby%kremvax@example.com",))),
        (
            "mailto:unlikely%3Faddress@example.com?blat=foop",
            MailtoRequest(to=("unlikely?address@example.com",), ignored=("blat",)),
        ),
        ("mailto:Mike%26family@example.org", MailtoRequest(to=("Mike&family@example.org",))),
        ("mailto:%22not%40me%22@example.org", MailtoRequest(to=('"not@me"@example.org',))),
        ("mailto:%22oh%5C%5Cno%22@example.org", MailtoRequest(to=('"oh\\\\no"@example.org',))),
        (
            "mailto:%22%5C%5C%5C%22it's%5C%20ugly%5C%5C%5C%22%22@example.org",
            MailtoRequest(to=('"\\\\\\"it\'s\\ ugly\\\\\\""@example.org',)),
        ),
        (
            "mailto:user@example.org?subject=caf%C3%A9",
            MailtoRequest(to=("user@example.org",), subject="café"),
        ),
        (
            "mailto:user@example.org?subject=%3D%3Futf-8%3FQ%3Fcaf%3DC3%3DA9%3F%3D",
            MailtoRequest(to=("user@example.org",), subject="café"),
        ),
        (
            "mailto:user@example.org?subject=%3D%3Fiso-8859-1%3FQ%3Fcaf%3DE9%3F%3D",
            MailtoRequest(to=("user@example.org",), subject="café"),
        ),
        (
            "mailto:user@example.org?subject=caf%C3%A9&body=caf%C3%A9",
            MailtoRequest(to=("user@example.org",), subject="café", body="café"),
        ),
        (
            "mailto:user@%E7%B4%8D%E8%B1%86.example.org?subject=Test&body=NATTO",
            MailtoRequest(to=("user@納豆.example.org",), subject="Test", body="NATTO"),
        ),
        (
            "mailto:?to=addr1@an.example,addr2@an.example",
            MailtoRequest(to=("addr1@an.example", "addr2@an.example")),
        ),
        (
            "mailto:addr1@an.example,addr2@an.example",
            MailtoRequest(to=("addr1@an.example", "addr2@an.example")),
        ),
        (
            "mailto:addr1@an.example?to=addr2@an.example",
            MailtoRequest(to=("addr1@an.example", "addr2@an.example")),
        ),
    ],
)
def test_rfc_6068_examples(link: str, expected: MailtoRequest) -> None:
    assert parse_mailto(link) == expected


def test_header_names_are_case_insensitive_and_every_address_field_collects() -> None:
    request = parse_mailto(
        "MAILTO:a@x.example?TO=b@x.example&Cc=c@x.example&cC=d@x.example&BCC=e@x.example"
        "&SUBJECT=Hi&Body=Text"
    )
    assert request.to == ("a@x.example", "b@x.example")
    assert request.cc == ("c@x.example", "d@x.example")
    assert request.bcc == ("e@x.example",)
    assert (request.subject, request.body) == ("Hi", "Text")


def test_plus_is_a_plus_and_an_escaped_comma_stays_in_its_address() -> None:
    request = parse_mailto("mailto:%22Doe%2C%20J%22%20%3Cj+tag@x.example%3E?subject=1+1")
    assert request.to == ('"Doe, J" <j+tag@x.example>',)
    assert request.subject == "1+1"


def test_the_first_subject_and_body_count() -> None:
    request = parse_mailto("mailto:a@x.example?subject=one&subject=two&body=first&body=second")
    assert (request.subject, request.body) == ("one", "first")


def test_unsafe_headers_and_attachments_are_not_taken_but_named() -> None:
    request = parse_mailto(
        "mailto:a@x.example?from=boss@x.example&Reply-To=evil@y.example"
        "&attach=%2Fetc%2Fpasswd&Attachment=~/.ssh/id_rsa&X-Mailer=x&body=hi"
    )
    assert request == MailtoRequest(
        to=("a@x.example",),
        body="hi",
        ignored=("from", "reply-to", "attach", "attachment", "x-mailer"),
    )
    assert request.asked_for_attachments
    assert not parse_mailto("mailto:a@x.example?from=b@x.example").asked_for_attachments


def test_line_breaks_cannot_inject_headers() -> None:
    request = parse_mailto(
        "mailto:a@x.example%0D%0ABcc:spy@y.example,b@x.example"
        "?subject=Hello%0D%0ABcc:%20spy@y.example&in-reply-to=%3Ca@b%3E%0D%0AX:1"
    )
    assert request.to == ("b@x.example",)
    assert request.subject == "Hello Bcc: spy@y.example"
    assert request.in_reply_to is None


def test_bad_utf8_and_truncated_escapes_do_not_fail() -> None:
    request = parse_mailto("mailto:a@x.example?subject=caf%E9%2&body=%ZZ")
    assert request.subject == "caf\ufffd%2"
    assert request.body == "%ZZ"


def test_empty_link_and_fragment() -> None:
    assert parse_mailto("mailto:") == MailtoRequest()
    assert parse_mailto("mailto:a@x.example#part?subject=no") == MailtoRequest(to=("a@x.example",))


@pytest.mark.parametrize(
    "text",
    [
        "https://example.org/?to=a@x.example",
        "a@x.example",
        "file:///etc/passwd",
        "mail:a@x.example",
        " mailto:a@x.example",
        "",
    ],
)
def test_anything_but_mailto_is_refused(text: str) -> None:
    assert not is_mailto(text)
    with pytest.raises(NotAMailtoLink):
        parse_mailto(text)
