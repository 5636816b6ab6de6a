"""Support IDs as sentences read over the phone: ``20 exultant leopards strode intensely``.

``default_codec()`` is the classic 32-bit layout; ``load_codec`` picks another by name or size.
Codecs are immutable once built, so one instance per layout is shared by every caller.
"""

from __future__ import annotations

from functools import cache

from desktop.core.idsentence.codec import Codec
from desktop.core.idsentence.errors import AmbiguousSentenceError, IdSentenceError, LayoutError
from desktop.core.idsentence.layout import (
    DEFAULT_LAYOUT,
    LAYOUT_BY_BITS,
    available_layouts,
    load_layout,
    resolve_layout_name,
)
from desktop.core.idsentence.results import Candidate, Correction, Decoded
from desktop.core.idsentence.support_id import parse_id, read_support_id

__all__ = [
    "LAYOUT_BY_BITS",
    "AmbiguousSentenceError",
    "Candidate",
    "Codec",
    "Correction",
    "Decoded",
    "IdSentenceError",
    "LayoutError",
    "available_layouts",
    "default_codec",
    "load_codec",
    "parse_id",
    "read_support_id",
]


def load_codec(name_or_bits: str | int = DEFAULT_LAYOUT) -> Codec:
    """A codec for ``"classic-32"``, ``"phone-16"``, ``"phone-64"`` or 16, 32, 64 (bits)."""
    return _codec_for(resolve_layout_name(name_or_bits))


@cache
def _codec_for(name: str) -> Codec:
    return Codec(load_layout(name))


def default_codec() -> Codec:
    return load_codec(DEFAULT_LAYOUT)
