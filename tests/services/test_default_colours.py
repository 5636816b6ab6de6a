"""A new profile without a chosen colour gets the first palette colour its user has not used."""

from __future__ import annotations

from dataclasses import replace
from itertools import combinations

from people import add_user

from desktop.core.profile_colours import MIN_PALETTE_DISTANCE, PALETTE, colour_distance
from desktop.services.accounts import ProfileDraft
from desktop.services.authorization import SignedInUser
from desktop.services.container import Services
from desktop.services.demo import seed_demo

PASSWORD = "correct horse battery"


def first_user(services: Services) -> SignedInUser:
    services.accounts.create_first_user("ada", "Ada Example", PASSWORD)
    return services.accounts.sign_in("ada", PASSWORD)


def draft(number: int, **changes: object) -> ProfileDraft:
    return replace(
        ProfileDraft(organization=f"Org {number}", email=f"ada{number}@example.org"), **changes
    )


def test_the_first_eight_profiles_get_eight_clearly_distinct_colours(services: Services) -> None:
    ada = first_user(services)
    colours = [services.accounts.create_profile(ada, draft(n)).colour for n in range(8)]
    assert colours == list(PALETTE)
    for first, second in combinations(colours, 2):
        assert colour_distance(first, second) >= MIN_PALETTE_DISTANCE
    assert services.accounts.create_profile(ada, draft(8)).colour == PALETTE[0]


def test_a_chosen_colour_is_kept_and_skipped_by_the_next_profile(services: Services) -> None:
    ada = first_user(services)
    chosen = services.accounts.create_profile(ada, draft(1, colour=PALETTE[0].upper()))
    assert chosen.colour == PALETTE[0]
    assert services.accounts.create_profile(ada, draft(2)).colour == PALETTE[1]
    own = services.accounts.create_profile(ada, draft(3, colour="#123456"))
    assert own.colour == "#123456"
    assert services.accounts.create_profile(ada, draft(4)).colour == PALETTE[2]


def test_editing_without_a_colour_keeps_it(services: Services) -> None:
    ada = first_user(services)
    profile = services.accounts.create_profile(ada, draft(1, colour="#abcdef"))
    updated = services.accounts.update_profile(
        ada, profile.id, replace(profile.as_draft(), title="Nurse", colour=None)
    )
    assert (updated.title, updated.colour) == ("Nurse", "#abcdef")


def test_colours_are_per_user_and_a_deleted_profiles_colour_comes_back(
    services: Services,
) -> None:
    ada = first_user(services)
    first = services.accounts.create_profile(ada, draft(1))
    ada = services.accounts.switch_profile(ada, first.id)
    second = services.accounts.create_profile(ada, draft(2))
    add_user(services, "bob", "Bob Example", PASSWORD)
    bob = services.accounts.sign_in("bob", PASSWORD)
    assert services.accounts.create_profile(bob, draft(9)).colour == PALETTE[0]

    services.accounts.delete_profile(ada, second.id)
    assert services.accounts.create_profile(ada, draft(3)).colour == PALETTE[1]


def test_demo_profiles_have_distinct_palette_colours(services: Services) -> None:
    actor = seed_demo(services)
    colours = [p.colour for p in services.accounts.list_profiles(actor)]
    assert colours == list(PALETTE[:3])
