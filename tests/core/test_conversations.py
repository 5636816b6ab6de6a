"""JWZ threading over a corpus of real-world breakage: cycles, missing parents, duplicates."""

from __future__ import annotations

import random

import pytest
from thread_corpus import CORPUS, mail

from desktop.core.conversations import Envelope, conversations
from desktop.core.subjects import subject_key


def groups(envelopes: list[Envelope]) -> set[frozenset[int]]:
    return {frozenset(conversation.keys) for conversation in conversations(envelopes)}


def test_the_corpus_groups_as_a_person_would() -> None:
    assert groups(CORPUS) == {
        frozenset({1, 2, 3, 15}),
        frozenset({4, 5}),
        frozenset({6, 7}),
        frozenset({8}),
        frozenset({9, 10}),
        frozenset({11, 12}),
        frozenset({13}),
        frozenset({14}),
        frozenset({16, 17}),
    }


def test_each_message_is_in_exactly_one_conversation() -> None:
    keys = [key for conversation in conversations(CORPUS) for key in conversation.keys]
    assert sorted(keys) == [envelope.key for envelope in CORPUS]


@pytest.mark.parametrize("seed", range(20))
def test_the_grouping_does_not_depend_on_arrival_order(seed: int) -> None:
    shuffled = CORPUS[:]
    random.Random(seed).shuffle(shuffled)
    assert groups(shuffled) == groups(CORPUS)


def test_any_part_made_of_whole_conversations_groups_the_same() -> None:
    """What lets the store regroup only the conversations a new message touches."""
    every = conversations(CORPUS)
    by_key = {envelope.key: envelope for envelope in CORPUS}
    for conversation in every:
        part = [by_key[key] for key in conversation.keys]
        assert groups(part) == {frozenset(conversation.keys)}


def test_the_conversation_shows_its_starting_message_and_lists_every_id() -> None:
    found = {frozenset(c.keys): c for c in conversations(CORPUS)}
    chain = found[frozenset({1, 2, 3, 15})]
    assert chain.top.key == 1
    assert chain.subject_key == "lab results"
    assert chain.mentioned == {"<a@x>", "<b@x>", "<c@x>"}
    assert found[frozenset({4, 5})].mentioned == {"<d@x>", "<e@x>", "<gone@x>"}
    budget = found[frozenset({11, 12})]
    assert budget.top.key == 11


def test_a_reply_joins_the_latest_same_subject_conversation_before_it() -> None:
    envelopes = [
        mail(1, "<m1@x>", "", "Meeting"),
        mail(5, "<m2@x>", "", "Meeting"),
        mail(7, "<r@x>", "", "Re: Meeting"),
        mail(2, "<early@x>", "", "Re: Meeting"),
    ]
    assert groups(envelopes) == {frozenset({1, 2}), frozenset({5, 7})}


def test_replies_without_any_starting_message_join_each_other() -> None:
    envelopes = [mail(1, "<p@x>", "", "Re: Visit"), mail(2, "<q@x>", "", "SV: Visit")]
    assert groups(envelopes) == {frozenset({1, 2})}


def test_conversations_come_newest_last_message_first() -> None:
    ordered = conversations(CORPUS)
    latest = [max(conversation.keys) for conversation in ordered]
    assert latest == sorted(latest, reverse=True)


@pytest.mark.parametrize(
    ("subject", "key", "is_reply"),
    [
        ("Re: Lab", "lab", True),
        ("RE:RE: Lab", "lab", True),
        ("AW: WG: Lab", "lab", True),
        ("Fwd: Lab", "lab", False),
        ("[staff] Re: Lab  results", "lab results", True),
        ("Re[2]: Lab", "lab", True),
        ("SV: Lab", "lab", True),
        ("Réf : Lab", "lab", True),
        ("Meeting: agenda", "meeting: agenda", False),
        ("", "", False),
    ],
)
def test_subject_keys(subject: str, key: str, is_reply: bool) -> None:
    found = subject_key(subject)
    assert (found.key, found.is_reply) == (key, is_reply)
