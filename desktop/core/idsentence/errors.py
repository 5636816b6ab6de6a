"""Exceptions of the ID-sentence codec.

Both are ``ValueError`` subclasses so that callers that only care about "bad input" can catch one
familiar type; the messages are written for the person who typed the sentence.
"""

from __future__ import annotations

from desktop.core.idsentence.results import Candidate


class LayoutError(ValueError):
    """A layout file breaks a rule that would make some IDs unreadable or ambiguous."""


class IdSentenceError(ValueError):
    """Bad input for encoding or decoding; the message names the word, the slot and what fits."""


class AmbiguousSentenceError(IdSentenceError):
    """The sentence fits more than one ID and guessing could give support the wrong account."""

    def __init__(self, message: str, candidates: list[Candidate]) -> None:
        super().__init__(message)
        self.candidates = candidates
