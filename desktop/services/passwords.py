"""Sign-in password hashing with argon2id.

The cost is a parameter so that tests and load tests can hash cheaply on a two-core machine;
the app itself always uses :data:`PRODUCTION_COST`. Verification reads the cost from the hash,
so hashes made with either cost keep verifying.
"""

from __future__ import annotations

from dataclasses import dataclass

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError


@dataclass(frozen=True)
class PasswordCost:
    time_cost: int
    memory_cost_kib: int
    parallelism: int


PRODUCTION_COST = PasswordCost(time_cost=3, memory_cost_kib=64 * 1024, parallelism=4)
"""argon2-cffi's RFC 9106 "low memory" profile."""

CHEAP_TEST_COST = PasswordCost(time_cost=1, memory_cost_kib=64, parallelism=1)
"""For tests only: fast enough to sign in thousands of times in a load test."""


class PasswordHashing:
    def __init__(self, cost: PasswordCost = PRODUCTION_COST) -> None:
        self._hasher = PasswordHasher(
            time_cost=cost.time_cost,
            memory_cost=cost.memory_cost_kib,
            parallelism=cost.parallelism,
            type=Type.ID,
        )

    def hash(self, password: str) -> str:
        hashed: str = self._hasher.hash(password)
        return hashed

    def verify(self, hashed: str, password: str) -> bool:
        try:
            return bool(self._hasher.verify(hashed, password))
        except (VerificationError, InvalidHashError):
            return False
