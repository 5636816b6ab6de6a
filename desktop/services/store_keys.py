"""The store's data key: made once, wrapped per user by their password, and by "remember me".

Each password slot's wrapping key is Argon2id of the user's password with sign-in's parameters
and a salt of its own, so unwrapping costs what checking a password costs, and a copied key file
is as hard to attack as the password hashes were. A remembered slot is wrapped by a key derived
from the "remember me" token that already lives in the OS keyring (and only there): one keyring
entry serves both, signing out removes the slot, and the store's own copy of the token (a SHA-256
hash, inside the encrypted store) is not that key.

Every change of the key file runs under a lock file beside it, so that a command adding a user
while the window remembers a sign-in cannot lose either slot.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from argon2.low_level import Type, hash_secret_raw

from desktop.services.errors import AccountError, UnknownUserError, WrongPasswordError
from desktop.services.passwords import PRODUCTION_COST, PasswordCost
from desktop.services.secrets import SecretStore
from desktop.store.key_slots import (
    KEY_BYTES,
    PASSWORD,
    REMEMBERED,
    KdfParameters,
    KeyFile,
    SlotDoesNotOpenError,
    key_file_of,
    new_data_key,
    new_key_file,
    new_salt,
    read_key_file,
    unb64,
    unwrap,
    wrap,
    write_key_file,
)

KEY_FILE_LOCK_TIMEOUT = 30.0
REMEMBERED_CONTEXT = b"switchboard remembered key slot"


class StoreKeys:
    """The key file of one store; blocking (Argon2id, file locks, keyring): on a worker."""

    def __init__(
        self, store: Path, secrets: SecretStore, cost: PasswordCost = PRODUCTION_COST
    ) -> None:
        self.store = store
        self.path = key_file_of(store)
        self._secrets = secrets
        self._cost = cost

    def exists(self) -> bool:
        return self.path.exists()

    def logins(self) -> list[tuple[str, str]]:
        """Who can open the store, as (login, display name): the sign-in screen's list."""
        return read_key_file(self.path).logins()

    def create(self, login: str, display_name: str, password: str) -> OpenedStoreKey:
        """A new store's data key and its first slot, written before the store exists."""
        with self._locked():
            if self.path.exists():
                raise AccountError("This store already has a key file; sign in instead.")
            key_file, data_key = self.prepare(login, display_name, password)
            write_key_file(self.path, key_file)
        return OpenedStoreKey(self, data_key)

    def prepare(self, login: str, display_name: str, password: str) -> tuple[KeyFile, bytes]:
        """A new data key and the key file with its first slot, written nowhere yet: the
        encryption of a plain store writes it itself, at the point its order of files needs."""
        key_file = new_key_file()
        data_key = new_data_key()
        return self._password_slot(key_file, data_key, login, display_name, password), data_key

    def unlock(self, login: str, password: str) -> OpenedStoreKey:
        key_file = read_key_file(self.path)
        slot = key_file.slot(login, PASSWORD)
        if slot is None or slot.kdf is None:
            raise UnknownUserError(f"no user with login {login!r}")
        wrapping_key = _derive(password, slot.kdf)
        try:
            return OpenedStoreKey(self, unwrap(key_file, slot, wrapping_key))
        except SlotDoesNotOpenError as error:
            raise WrongPasswordError(f"wrong password for {login!r}") from error

    def unlock_remembered(self, login: str, remember_for: timedelta) -> OpenedStoreKey | None:
        """The key from "remember me", or None when there is none or it is past its period."""
        key_file = read_key_file(self.path)
        slot = key_file.slot(login, REMEMBERED)
        if slot is None:
            return None
        token = self._secrets.get_remember_token(login)
        created = datetime.fromisoformat(slot.created_at) if slot.created_at else None
        if token is None or created is None or created < datetime.now(UTC) - remember_for:
            return None
        try:
            return OpenedStoreKey(self, unwrap(key_file, slot, _remembered_key(token)))
        except SlotDoesNotOpenError:
            return None

    @contextmanager
    def _locked(self) -> Iterator[None]:
        from filelock import FileLock

        lock = FileLock(self.path.with_name(self.path.name + ".lock"), mode=0o600)
        with lock.acquire(timeout=KEY_FILE_LOCK_TIMEOUT):
            yield

    def _change(self, change: Callable[[KeyFile], KeyFile]) -> None:
        with self._locked():
            write_key_file(self.path, change(read_key_file(self.path)))

    def _password_slot(
        self, key_file: KeyFile, data_key: bytes, login: str, display_name: str, password: str
    ) -> KeyFile:
        return _with_password_slot(key_file, data_key, login, display_name, self._derived(password))

    def _derived(self, password: str) -> tuple[KdfParameters, bytes]:
        cost = self._cost
        kdf = KdfParameters(cost.time_cost, cost.memory_cost_kib, cost.parallelism, new_salt())
        return kdf, _derive(password, kdf)


@dataclass(frozen=True)
class OpenedStoreKey:
    """The data key of an open store, in memory only: what lets the signed-in add slots."""

    keys: StoreKeys
    data_key: bytes = field(repr=False)

    def set_password(self, login: str, display_name: str, password: str) -> None:
        """A new user's slot, or a password change: only that login's slot is rewrapped.

        The password is derived before the key file's lock is taken (Argon2id is slow on
        purpose, and the lock holds up every other change of the file).
        """
        derived = self.keys._derived(password)
        self.keys._change(
            lambda key_file: _with_password_slot(
                key_file, self.data_key, login, display_name, derived
            )
        )

    def remember(self, login: str, display_name: str, token: str) -> None:
        def change(key_file: KeyFile) -> KeyFile:
            slot = wrap(
                key_file,
                self.data_key,
                _remembered_key(token),
                login=login,
                display_name=display_name,
                kind=REMEMBERED,
                created_at=datetime.now(UTC).isoformat(),
            )
            return key_file.with_slot(slot)

        self.keys._change(change)

    def forget(self, login: str) -> None:
        """Sign-out: the keyring's token no longer opens the store, even if copied."""
        self.keys._change(lambda key_file: key_file.without(login, REMEMBERED))

    def remove_user(self, login: str) -> None:
        self.keys._change(lambda key_file: key_file.without(login))


def _with_password_slot(
    key_file: KeyFile,
    data_key: bytes,
    login: str,
    display_name: str,
    derived: tuple[KdfParameters, bytes],
) -> KeyFile:
    kdf, wrapping_key = derived
    slot = wrap(
        key_file,
        data_key,
        wrapping_key,
        login=login,
        display_name=display_name,
        kind=PASSWORD,
        kdf=kdf,
    )
    return key_file.with_slot(slot)


def _derive(password: str, kdf: KdfParameters) -> bytes:
    return hash_secret_raw(
        password.encode("utf-8"),
        unb64(kdf.salt),
        time_cost=kdf.time_cost,
        memory_cost=kdf.memory_cost_kib,
        parallelism=kdf.parallelism,
        hash_len=KEY_BYTES,
        type=Type.ID,
    )


def _remembered_key(token: str) -> bytes:
    """Not the token's SHA-256, which the store keeps to check remembered sign-ins."""
    return hmac.new(token.encode("utf-8"), REMEMBERED_CONTEXT, hashlib.sha256).digest()
