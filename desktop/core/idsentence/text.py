"""Turning what staff typed into tokens, and the other spellings a listed word may be typed as."""

from __future__ import annotations

import re
import unicodedata

_TOKEN = re.compile(r"[a-z]+|[0-9]+")
_APOSTROPHES = str.maketrans("", "", "'\u2019\u02bc`")

#: American and British spellings that differ by a regular pattern, each as (American pattern,
#: its British replacement, British pattern, its American replacement).
_SPELLINGS: tuple[tuple[re.Pattern[str], str, re.Pattern[str], str], ...] = (
    (
        re.compile(r"(?<=[a-z])or(?=(?:able|ably|ed|ing|ful|fully|s)?$)"),
        "our",
        re.compile(r"(?<=[a-z])our(?=(?:able|ably|ed|ing|ful|fully|s)?$)"),
        "or",
    ),
    (
        re.compile(r"(?<=[aeiou][a-z])el(?=(?:ed|ing|ers?|ous|ously)$)"),
        "ell",
        re.compile(r"(?<=[aeiou][a-z])ell(?=(?:ed|ing|ers?|ous|ously)$)"),
        "el",
    ),
    (
        re.compile(r"(?<=[a-z]{2})iz(?=(?:e|ed|es|ing)$)"),
        "is",
        re.compile(r"(?<=[a-z]{2})is(?=(?:e|ed|es|ing)$)"),
        "iz",
    ),
    (re.compile(r"gray"), "grey", re.compile(r"grey"), "gray"),
)


def tokenize(text: str) -> list[str]:
    """Case, accents, punctuation, separators and digits glued to words all stop mattering here."""
    if text.isascii():
        lowered = text.lower()
        words = lowered.split()
        if all(word.isalpha() or word.isdigit() for word in words):
            return words  # the usual case: no punctuation, nothing glued together
        return _TOKEN.findall(lowered.translate(_APOSTROPHES))
    folded = unicodedata.normalize("NFKD", text.casefold()).translate(_APOSTROPHES)
    return _TOKEN.findall(folded)


def normal_form(word: str, plural: bool) -> str:
    """One spelling per word, to tell whether two list words would be heard as one: American
    spelling, and the singular in a plural slot ('colour'/'color', 'leopard'/'leopards')."""
    for _, _, british, american in _SPELLINGS:
        word = british.sub(american, word)
    if plural and word.endswith("s") and not word.endswith(("us", "ss")):
        word = min(number_variants(word))
    return word


def spelling_variants(word: str) -> set[str]:
    """The British form of an American word and the other way round; nothing else."""
    variants = set()
    for american, british, british_pattern, american_text in _SPELLINGS:
        variants.add(american.sub(british, word))
        variants.add(british_pattern.sub(american_text, word))
    variants.discard(word)
    return variants


def number_variants(word: str) -> set[str]:
    """The singular of a listed plural noun, or the plural of a listed singular, by regular rules.

    Only forms English really makes are generated: a made-up form could be another word's typo.
    Irregular ones (oxen, hippopotami) belong in a layout's alias table.
    """
    if not word.endswith("s") or word.endswith(("us", "ss")):
        return {word + "es"} if word.endswith(("s", "x", "z", "ch", "sh")) else {word + "s"}
    if word.endswith("ies"):
        return {word[:-3] + "y"}
    if word.endswith("ves"):
        return {word[:-3] + "f", word[:-3] + "fe"}
    if word.endswith(("sses", "uses", "xes", "zes", "ches", "shes", "oes")):
        return {word[:-2]}
    return {word[:-1]}
