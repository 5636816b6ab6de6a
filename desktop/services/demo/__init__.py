"""Demo data for a first run: one person with three accounts and a few hundred messages."""

from desktop.services.demo.seed import (
    DEMO_DISPLAY_NAME,
    DEMO_LOGIN,
    DEMO_PASSWORD,
    seed_demo,
    seed_demo_if_empty,
    seed_demo_store,
    store_is_empty,
)

__all__ = [
    "DEMO_DISPLAY_NAME",
    "DEMO_LOGIN",
    "DEMO_PASSWORD",
    "seed_demo",
    "seed_demo_if_empty",
    "seed_demo_store",
    "store_is_empty",
]
