"""The rules of answering: From, the organization warning, recipients, subject, threading, quote."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from desktop.core.compose.identity import (
    Kind,
    SenderProfile,
    organization_warning,
    sender_profile_id,
)
from desktop.core.compose.quoting import (
    forward_body,
    new_body,
    quoted,
    reply_body,
    signature_block,
    swap_signature,
)
from desktop.core.compose.recipients import (
    reply_all_recipients,
    reply_recipients,
    split_addresses,
)
from desktop.core.compose.subject import forward_subject, reply_subject
from desktop.core.compose.thread_headers import MAX_REFERENCES, reply_thread

OWN = ["ada@stmary.org", "ada@clinic.org"]
ST_MARY = SenderProfile(1, "ada@stmary.org", "St Mary")
CLINIC = SenderProfile(2, "ada@clinic.org", "Clinic")


@pytest.mark.parametrize("kind", [k for k in Kind if k is not Kind.NEW])
def test_an_answer_is_from_the_profile_that_received_the_original(kind: Kind) -> None:
    assert sender_profile_id(kind, active_profile_id=2, original_profile_id=1) == 1


def test_a_new_message_is_from_the_active_profile() -> None:
    assert sender_profile_id(Kind.NEW, active_profile_id=2, original_profile_id=None) == 2
    with pytest.raises(ValueError, match="active profile"):
        sender_profile_id(Kind.NEW, active_profile_id=None, original_profile_id=None)


def test_moving_from_to_another_organization_warns_naming_both() -> None:
    warning = organization_warning(ST_MARY, CLINIC)
    assert warning is not None
    assert (warning.original_organization, warning.chosen_organization) == ("St Mary", "Clinic")
    assert "St Mary" in warning.message
    assert "Clinic" in warning.message
    assert warning.message[0].isupper()
    assert warning.message.endswith(".")


def test_the_same_organization_or_a_new_message_does_not_warn() -> None:
    other_st_mary = SenderProfile(3, "a.lovelace@stmary.org", " st mary ")
    assert organization_warning(ST_MARY, other_st_mary) is None
    assert organization_warning(None, CLINIC) is None


def test_reply_goes_to_reply_to_when_there_is_one() -> None:
    assert reply_recipients("Bob <bob@x.org>", "", "", OWN).to == ("Bob <bob@x.org>",)
    answer = reply_recipients("Bob <bob@x.org>", "List <list@x.org>", "", OWN)
    assert answer.to == ("List <list@x.org>",)


def test_names_keep_their_letters_and_an_address_with_a_non_ascii_local_part_is_answered() -> None:
    answer = reply_recipients("Zoë Martin <zoë@example.org>", "", "", OWN)
    assert answer.to == ("Zoë Martin <zoë@example.org>",)
    answer = reply_all_recipients("Björn <bjorn@x.org>", "", '"Martin, Zoë" <zoe@x.org>', "", OWN)
    assert answer.to == ("Björn <bjorn@x.org>", '"Martin, Zoë" <zoe@x.org>')


def test_replying_to_ones_own_sent_mail_goes_to_its_recipients() -> None:
    answer = reply_recipients("Ada <ADA@StMary.org>", "", "Bob <bob@x.org>", OWN)
    assert answer.to == ("Bob <bob@x.org>",)


def test_reply_all_removes_every_own_address_in_any_case_and_keeps_the_rest() -> None:
    answer = reply_all_recipients(
        sender='"Smith, Bob" <bob@x.org>',
        reply_to="",
        to="Ada <ADA@StMary.org>, Cleo <cleo@y.org>, bob@X.org",
        cc="ada@clinic.org, Dan <dan@z.org>, cleo@Y.ORG",
        own_addresses=OWN,
    )
    assert answer.to == ('"Smith, Bob" <bob@x.org>', "Cleo <cleo@y.org>")
    assert answer.cc == ("Dan <dan@z.org>",)


def test_reply_all_moves_reply_to_to_to_and_keeps_the_sender_out() -> None:
    answer = reply_all_recipients(
        "Bob <bob@x.org>", "Team <team@x.org>", "ada@stmary.org", "dan@z.org", OWN
    )
    assert answer.to == ("Team <team@x.org>",)
    assert answer.cc == ("dan@z.org",)


def test_reply_all_with_only_cc_left_makes_one_of_them_the_addressee() -> None:
    answer = reply_all_recipients("ada@clinic.org", "", "ada@stmary.org", "dan@z.org", OWN)
    assert answer.to == ("dan@z.org",)
    assert answer.cc == ()


def test_typed_recipients_split_at_commas_outside_quotes_and_keep_what_is_not_an_address() -> None:
    typed = '"Smith, Bob" <bob@x.org>; cleo@y.org, not an address'
    assert split_addresses(typed) == ('"Smith, Bob" <bob@x.org>', "cleo@y.org", "not an address")


@pytest.mark.parametrize(
    ("original", "expected"),
    [
        ("Rota", "Re: Rota"),
        ("Re: Rota", "Re: Rota"),
        ("RE: re: Rota", "Re: Rota"),
        ("Re[2]: Rota", "Re: Rota"),
        ("Re (3): Rota", "Re: Rota"),
        ("AW: Rota", "Re: Rota"),
        ("SV: Rota", "Re: Rota"),
        ("Fwd: Rota", "Re: Fwd: Rota"),
        ("  Re:   Rota  ", "Re: Rota"),
        ("", "Re:"),
        ("Reading list", "Re: Reading list"),
    ],
)
def test_re_does_not_pile_up(original: str, expected: str) -> None:
    assert reply_subject(original) == expected
    assert reply_subject(reply_subject(original)) == expected


@pytest.mark.parametrize(
    ("original", "expected"),
    [
        ("Rota", "Fwd: Rota"),
        ("Fwd: Rota", "Fwd: Rota"),
        ("Fw: FWD: Rota", "Fwd: Rota"),
        ("WG: Rota", "Fwd: Rota"),
        ("Re: Rota", "Fwd: Re: Rota"),
    ],
)
def test_fwd_does_not_pile_up(original: str, expected: str) -> None:
    assert forward_subject(original) == expected


def test_an_answer_threads_under_the_original() -> None:
    thread = reply_thread("<c@x>", references="<a@x> <b@x>")
    assert thread.in_reply_to == "<c@x>"
    assert thread.references == ("<a@x>", "<b@x>", "<c@x>")


def test_without_references_a_lone_in_reply_to_starts_the_chain() -> None:
    assert reply_thread("<c@x>", "", "<b@x>").references == ("<b@x>", "<c@x>")
    assert reply_thread("<c@x>", "", "<a@x> <b@x>").references == ("<c@x>",)
    assert reply_thread("c@x").in_reply_to == "<c@x>"
    assert reply_thread(None).references == ()


def test_long_references_keep_the_root_and_the_newest() -> None:
    chain = " ".join(f"<{i}@x>" for i in range(50))
    thread = reply_thread("<new@x>", chain)
    assert len(thread.references) == MAX_REFERENCES
    assert thread.references[0] == "<0@x>"
    assert thread.references[-2:] == ("<49@x>", "<new@x>")


def test_the_quote_has_its_attribution_and_every_line_quoted() -> None:
    date = datetime(2026, 2, 3, 9, 15, tzinfo=timezone(timedelta(hours=1)))
    body = reply_body("Bloods are back.\n\n> earlier\nThanks", date, "Bob Smith", "Dr Ada\nSt Mary")
    lines = body.split("\n")
    assert lines[:2] == ["", ""]
    signature = lines.index("-- ")
    attribution = lines.index("On Tue, 3 Feb 2026 at 09:15, Bob Smith wrote:")
    assert signature < attribution
    assert lines[attribution + 1 :] == ["> Bloods are back.", ">", ">> earlier", "> Thanks", ""]


def test_the_signature_has_the_standard_separator_once() -> None:
    assert signature_block("Ada") == "-- \nAda"
    assert signature_block("--\nAda") == "-- \nAda"
    assert signature_block("  \n") == ""
    assert new_body("Ada") == "\n\n-- \nAda\n"
    assert new_body("") == ""
    assert quoted("a\r\nb") == "> a\n> b"


def test_an_inline_forward_has_the_header_block_then_the_text() -> None:
    body = forward_body(
        [("Subject", "Rota"), ("From", "Bob <bob@x.org>"), ("Cc", "")], "Night swap.", ""
    )
    assert body.split("\n") == [
        "",
        "",
        "-------- Forwarded Message --------",
        "Subject: Rota",
        "From: Bob <bob@x.org>",
        "",
        "Night swap.",
        "",
    ]


def test_changing_from_swaps_an_untouched_signature_only() -> None:
    body = "Hello\n\n-- \nSt Mary ward\n"
    assert swap_signature(body, "St Mary ward", "Clinic desk") == "Hello\n\n-- \nClinic desk\n"
    edited = "Hello\n\n-- \nSt Mary ward, on leave\n"
    assert swap_signature(edited, "St Mary ward, x", "Clinic desk") == edited
