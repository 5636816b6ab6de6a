"""Profile colours: a default palette whose colours people can tell apart, and the measure of it.

A profile's colour is how a person recognises, at a glance, which account a message or an
action belongs to, so two profiles of one user must never get look-alike colours by default.
"Look-alike" is measured the way colour science does, with CIEDE2000 (Sharma, Wu and Dalal,
"The CIEDE2000 color-difference formula", 2005) on CIELAB values of the sRGB colours: a distance
of about 2 is just noticeable side by side; every two colours of the palette are at least
``MIN_PALETTE_DISTANCE`` apart. Each colour also carries white or black text at the WCAG AA
contrast of 4.5:1, because the colour is the background of the profile's chip.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable

Lab = tuple[float, float, float]

#: The first eight profiles of a user get these, in this order (blue, green and red first: the
#: colours the demo profiles always had).
PALETTE = (
    "#2563eb",  # blue
    "#16a34a",  # green
    "#dc2626",  # red
    "#c026d3",  # fuchsia
    "#d97706",  # amber
    "#06b6d4",  # cyan
    "#facc15",  # yellow
    "#57534e",  # stone grey
)
MIN_PALETTE_DISTANCE = 20.0

# The CIE D65 white point (2 degree observer) in XYZ, the reference white of sRGB.
_WHITE = (0.95047, 1.0, 1.08883)
_EPSILON = 216 / 24389
_KAPPA = 24389 / 27


def parse_hex(colour: str) -> tuple[int, int, int]:
    """``#rrggbb`` as three 0-255 channels; anything else is a programming error."""
    if len(colour) != 7 or colour[0] != "#":
        raise ValueError(f"not a #rrggbb colour: {colour!r}")
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _linear(channel: int) -> float:
    value = channel / 255
    return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    """WCAG 2's relative luminance (the Y of XYZ) of an sRGB colour."""
    red, green, blue = (_linear(c) for c in parse_hex(colour))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2's contrast ratio, from 1 (none) to 21 (black on white)."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def srgb_to_lab(colour: str) -> Lab:
    """CIELAB (D65) of an sRGB colour, by way of linear RGB and XYZ."""
    red, green, blue = (_linear(c) for c in parse_hex(colour))
    xyz = (
        0.4124564 * red + 0.3575761 * green + 0.1804375 * blue,
        0.2126729 * red + 0.7151522 * green + 0.0721750 * blue,
        0.0193339 * red + 0.1191920 * green + 0.9503041 * blue,
    )
    fx, fy, fz = (_lab_f(value / white) for value, white in zip(xyz, _WHITE, strict=True))
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def _lab_f(ratio: float) -> float:
    return ratio ** (1 / 3) if ratio > _EPSILON else (_KAPPA * ratio + 16) / 116


def ciede2000(first: Lab, second: Lab) -> float:
    """The CIEDE2000 colour difference of two CIELAB colours (kL = kC = kH = 1)."""
    l1, a1, b1 = first
    l2, a2, b2 = second
    mean_c = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(mean_c**7 / (mean_c**7 + 25**7)))
    a1, a2 = a1 * (1 + g), a2 * (1 + g)
    c1, c2 = math.hypot(a1, b1), math.hypot(a2, b2)
    h1, h2 = _hue(a1, b1), _hue(a2, b2)

    delta_l = l2 - l1
    delta_c = c2 - c1
    if c1 * c2 == 0:
        delta_h_angle = 0.0
    elif abs(h2 - h1) <= 180:
        delta_h_angle = h2 - h1
    elif h2 - h1 > 180:
        delta_h_angle = h2 - h1 - 360
    else:
        delta_h_angle = h2 - h1 + 360
    delta_h = 2 * math.sqrt(c1 * c2) * math.sin(math.radians(delta_h_angle / 2))

    mean_l = (l1 + l2) / 2
    mean_c = (c1 + c2) / 2
    if c1 * c2 == 0:
        mean_h = h1 + h2
    elif abs(h1 - h2) <= 180:
        mean_h = (h1 + h2) / 2
    elif h1 + h2 < 360:
        mean_h = (h1 + h2 + 360) / 2
    else:
        mean_h = (h1 + h2 - 360) / 2
    t = (
        1
        - 0.17 * math.cos(math.radians(mean_h - 30))
        + 0.24 * math.cos(math.radians(2 * mean_h))
        + 0.32 * math.cos(math.radians(3 * mean_h + 6))
        - 0.20 * math.cos(math.radians(4 * mean_h - 63))
    )
    rotation = 30 * math.exp(-(((mean_h - 275) / 25) ** 2))
    r_c = 2 * math.sqrt(mean_c**7 / (mean_c**7 + 25**7))
    s_l = 1 + 0.015 * (mean_l - 50) ** 2 / math.sqrt(20 + (mean_l - 50) ** 2)
    s_c = 1 + 0.045 * mean_c
    s_h = 1 + 0.015 * mean_c * t
    r_t = -math.sin(math.radians(2 * rotation)) * r_c
    lightness, chroma, hue = delta_l / s_l, delta_c / s_c, delta_h / s_h
    return math.sqrt(lightness**2 + chroma**2 + hue**2 + r_t * chroma * hue)


def _hue(a: float, b: float) -> float:
    if a == 0 and b == 0:
        return 0.0
    return math.degrees(math.atan2(b, a)) % 360


def colour_distance(first: str, second: str) -> float:
    """CIEDE2000 between two ``#rrggbb`` colours."""
    return ciede2000(srgb_to_lab(first), srgb_to_lab(second))


def next_colour(used: Iterable[str]) -> str:
    """The colour for a user's next profile: the first palette colour none of theirs has yet.

    With all eight taken (or a ninth profile) the least used palette colour is reused, the
    earliest on a tie, so repeats stay as far apart as the user's profiles allow.
    """
    counts = Counter(colour.lower() for colour in used)
    return min(PALETTE, key=lambda colour: (counts[colour], PALETTE.index(colour)))
