"""Errors the account services raise for the user to read: each message says what was wrong."""

from __future__ import annotations

import math


class AccountError(ValueError):
    """Bad input or a refused action; nothing was changed."""


class UnknownUserError(AccountError):
    pass


class WrongPasswordError(AccountError):
    pass


class SignInThrottledError(AccountError):
    """Too many wrong passwords: the caller decides whether to wait (CLI) or say so (GUI)."""

    def __init__(self, login: str, retry_after_s: float) -> None:
        self.retry_after_s = retry_after_s
        super().__init__(
            f"too many wrong passwords for {login!r}; try again in {math.ceil(retry_after_s)} s"
        )


class NotFoundError(AccountError):
    pass


class PermissionDeniedError(AccountError):
    pass
