"""CIEDE2000 against the published test data, and the default palette measured with it."""

from __future__ import annotations

from itertools import combinations

import pytest

from desktop.core.profile_colours import (
    MIN_PALETTE_DISTANCE,
    PALETTE,
    ciede2000,
    colour_distance,
    contrast_ratio,
    next_colour,
    srgb_to_lab,
)

# G. Sharma, W. Wu, E. N. Dalal, "The CIEDE2000 color-difference formula: implementation notes,
# supplementary test data, and mathematical observations", Color Research & Application 30(1),
# 2005, table 1: (L1, a1, b1), (L2, a2, b2), delta E00. The pairs probe the hue wrap-around, the
# mean-hue branch and the rotation term, which naive implementations get wrong.
SHARMA_PAIRS = [
    ((50.0000, 2.6772, -79.7751), (50.0000, 0.0000, -82.7485), 2.0425),
    ((50.0000, 3.1571, -77.2803), (50.0000, 0.0000, -82.7485), 2.8615),
    ((50.0000, 2.8361, -74.0200), (50.0000, 0.0000, -82.7485), 3.4412),
    ((50.0000, -1.3802, -84.2814), (50.0000, 0.0000, -82.7485), 1.0000),
    ((50.0000, -1.1848, -84.8006), (50.0000, 0.0000, -82.7485), 1.0000),
    ((50.0000, -0.9009, -85.5211), (50.0000, 0.0000, -82.7485), 1.0000),
    ((50.0000, 0.0000, 0.0000), (50.0000, -1.0000, 2.0000), 2.3669),
    ((50.0000, -1.0000, 2.0000), (50.0000, 0.0000, 0.0000), 2.3669),
    ((50.0000, 2.4900, -0.0010), (50.0000, -2.4900, 0.0009), 7.1792),
    ((50.0000, 2.4900, -0.0010), (50.0000, -2.4900, 0.0010), 7.1792),
    ((50.0000, 2.4900, -0.0010), (50.0000, -2.4900, 0.0011), 7.2195),
    ((50.0000, 2.4900, -0.0010), (50.0000, -2.4900, 0.0012), 7.2195),
    ((50.0000, -0.0010, 2.4900), (50.0000, 0.0009, -2.4900), 4.8045),
    ((50.0000, -0.0010, 2.4900), (50.0000, 0.0010, -2.4900), 4.8045),
    ((50.0000, -0.0010, 2.4900), (50.0000, 0.0011, -2.4900), 4.7461),
    ((50.0000, 2.5000, 0.0000), (50.0000, 0.0000, -2.5000), 4.3065),
    ((50.0000, 2.5000, 0.0000), (73.0000, 25.0000, -18.0000), 27.1492),
    ((50.0000, 2.5000, 0.0000), (61.0000, -5.0000, 29.0000), 22.8977),
    ((50.0000, 2.5000, 0.0000), (56.0000, -27.0000, -3.0000), 31.9030),
    ((50.0000, 2.5000, 0.0000), (58.0000, 24.0000, 15.0000), 19.4535),
    ((50.0000, 2.5000, 0.0000), (50.0000, 3.1736, 0.5854), 1.0000),
    ((50.0000, 2.5000, 0.0000), (50.0000, 3.2972, 0.0000), 1.0000),
    ((50.0000, 2.5000, 0.0000), (50.0000, 1.8634, 0.5757), 1.0000),
    ((50.0000, 2.5000, 0.0000), (50.0000, 3.2592, 0.3350), 1.0000),
    ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
    ((63.0109, -31.0961, -5.8663), (62.8187, -29.7946, -4.0864), 1.2630),
    ((61.2901, 3.7196, -5.3901), (61.4292, 2.2480, -4.9620), 1.8731),
    ((35.0831, -44.1164, 3.7933), (35.0232, -40.0716, 1.5901), 1.8645),
    ((22.7233, 20.0904, -46.6940), (23.0331, 14.9730, -42.5619), 2.0373),
    ((36.4612, 47.8580, 18.3852), (36.2715, 50.5065, 21.2231), 1.4146),
    ((90.8027, -2.0831, 1.4410), (91.1528, -1.6435, 0.0447), 1.4441),
    ((90.9257, -0.5406, -0.9208), (88.6381, -0.8985, -0.7239), 1.5381),
    ((6.7747, -0.2908, -2.4247), (5.8714, -0.0985, -2.2286), 0.6377),
    ((2.0776, 0.0795, -1.1350), (0.9033, -0.0636, -0.5514), 0.9082),
]


@pytest.mark.parametrize(("first", "second", "expected"), SHARMA_PAIRS)
def test_ciede2000_matches_sharma_wu_dalal(
    first: tuple[float, float, float], second: tuple[float, float, float], expected: float
) -> None:
    assert round(ciede2000(first, second), 4) == expected
    assert round(ciede2000(second, first), 4) == expected  # symmetric, as the paper notes


@pytest.mark.parametrize(
    ("colour", "lab"),
    [
        ("#ffffff", (100.0, 0.0, 0.0)),
        ("#000000", (0.0, 0.0, 0.0)),
        ("#ff0000", (53.2408, 80.0925, 67.2032)),
        ("#00ff00", (87.7347, -86.1827, 83.1793)),
        ("#0000ff", (32.2970, 79.1875, -107.8602)),
        ("#808080", (53.5850, 0.0, 0.0)),
    ],
)
def test_srgb_to_lab_d65(colour: str, lab: tuple[float, float, float]) -> None:
    assert srgb_to_lab(colour) == pytest.approx(lab, abs=0.01)


@pytest.mark.parametrize(("first", "second"), list(combinations(PALETTE, 2)))
def test_every_two_palette_colours_are_clearly_distinct(first: str, second: str) -> None:
    assert colour_distance(first, second) >= MIN_PALETTE_DISTANCE


def test_the_palette_has_eight_different_colours_and_all_28_pairs_are_checked() -> None:
    assert len(set(PALETTE)) == len(PALETTE) == 8
    assert len(list(combinations(PALETTE, 2))) == 28
    assert MIN_PALETTE_DISTANCE >= 20


@pytest.mark.parametrize("colour", PALETTE)
def test_black_or_white_text_is_readable_on_every_palette_colour(colour: str) -> None:
    best = max(contrast_ratio(colour, "#000000"), contrast_ratio(colour, "#ffffff"))
    assert best >= 4.5  # WCAG AA for normal text


def test_contrast_ratio_spans_one_to_twenty_one() -> None:
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#2563eb", "#2563eb") == pytest.approx(1.0)


def test_next_colour_is_the_first_one_not_yet_used() -> None:
    assert next_colour([]) == PALETTE[0]
    assert next_colour([PALETTE[0], PALETTE[1]]) == PALETTE[2]
    assert next_colour([PALETTE[1]]) == PALETTE[0]
    assert next_colour([PALETTE[2].upper(), "#123456"]) == PALETTE[0]
    assert next_colour(PALETTE[:2]) == PALETTE[2]


def test_after_eight_the_least_used_colour_comes_back() -> None:
    assert next_colour(PALETTE) == PALETTE[0]
    assert next_colour([*PALETTE, PALETTE[0], PALETTE[1]]) == PALETTE[2]
