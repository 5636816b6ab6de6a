"""Encrypting a plain store that an older Switchboard left on this computer.

Nobody encrypts a store they cannot sign into: the password is checked by signing in to the plain
store (counted, throttled and audited like any sign-in), and it becomes the new key file's first
slot. The files are then changed in the order :mod:`desktop.store.cipher_export` explains, so a
crash at any point leaves the plain store or the encrypted one complete and in use.

Who can open the encrypted store? Only users with a key slot, and a slot can be made only from
that user's password, which Switchboard never has for anyone but the person at the keyboard. A
store shared by several users is therefore not encrypted: doing it would lock every other user
out of their own mail, with nothing they could do about it (an encrypted store offers no way in
without a slot, and a forgotten-password reset would defeat the encryption). The upgrade is
refused with their names, and the store stays as it was. A careful mail client does not decide,
for other people, that their mail becomes unreadable to them.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.exc import DBAPIError

from desktop.services.audit_events import record_event
from desktop.services.authorization import without_actor
from desktop.services.container import Services, build_services
from desktop.services.errors import AccountError
from desktop.services.store_keys import OpenedStoreKey, StoreKeys
from desktop.services.store_opening import StoreDoor, StoreKind
from desktop.services.user_directory import list_users
from desktop.store.cipher_export import (
    EncryptionFailedError,
    ProgressHook,
    StepHook,
    encrypt_store_file,
    settle_interrupted_encryption,
)
from desktop.store.migrate import startup_lock
from desktop.store.side_writes import side_writes_for

ROOM_FACTOR = 1.5
"""Free space asked for, as a multiple of the store's size: the copy is about as large as the
store (a little larger: SQLCipher keeps a check code in every page), and the rest is margin so
that encrypting never fills the disk the mail lives on."""
BYTES_PER_SECOND = 8 * 1024 * 1024
"""What copying and checking a store costs, for the estimate shown before it starts. Measured
at 16-40 MiB/s on a loaded two-core machine; halved, so that the estimate errs long."""


def free_bytes_in(folder: Path) -> int:
    return shutil.disk_usage(folder).free


@dataclass(frozen=True)
class EncryptionEstimate:
    """What encrypting costs this store, said before it starts."""

    store_bytes: int
    needed_bytes: int
    free_bytes: int

    @property
    def enough_room(self) -> bool:
        return self.free_bytes >= self.needed_bytes

    @property
    def seconds(self) -> float:
        return max(1.0, self.store_bytes / BYTES_PER_SECOND)


@dataclass
class StoreEncryption:
    """Encrypts the plain store behind ``door``. Blocking (files, Argon2id): on a worker."""

    door: StoreDoor
    free_bytes: Callable[[Path], int] = field(default=free_bytes_in)
    """How much room the store's folder has; a parameter so that a full disk can be tested."""

    @without_actor("sizes of the store's file and of its disk, shown before anyone encrypts")
    def estimate(self) -> EncryptionEstimate:
        store = self._plain_store()
        size = _size_with_wal(store)
        return EncryptionEstimate(size, int(size * ROOM_FACTOR), self.free_bytes(store.parent))

    @without_actor("the password is the credential: it signs in to the plain store first")
    def encrypt(
        self,
        login: str,
        password: str,
        *,
        on_step: StepHook | None = None,
        on_progress: ProgressHook | None = None,
    ) -> Services:
        """The encrypted store, open, with ``login``'s key slot; the plain file is gone.

        Raises :class:`AccountError` with the reason (plain store kept) for a store that is
        not plain, a wrong password, other users, too little room or a failed copy.
        """
        door = self.door
        store = self._plain_store()
        self._refuse_without_room()
        try:
            with door.open_unencrypted() as plain:
                actor = plain.accounts.sign_in(login, password)
                _refuse_other_users(plain, login)
                side_writes_for(plain.session_factory).flush()
        except DBAPIError as error:
            if not _is_damage(error):
                raise
            raise AccountError(
                f"The store {store} is damaged ({error.orig}), so it was not encrypted: a "
                "copy of it would be damaged too. Switchboard did not change it; restore it "
                "from a backup."
            ) from error
        keys = door.keys
        assert keys is not None  # a plain store is a file: _plain_store said so
        key_file, data_key = keys.prepare(login, actor.display_name, password)
        with startup_lock(store):
            settle_interrupted_encryption(store)
            if door.kind is not StoreKind.PLAIN:
                raise AccountError("This store was encrypted meanwhile; sign in to open it.")
            try:
                encrypt_store_file(
                    store, data_key, key_file, on_step=on_step, on_progress=on_progress
                )
            except EncryptionFailedError as error:
                raise AccountError(str(error)) from error
        services = build_services(
            door.database_url,
            secrets=door.secrets,
            password_cost=door.password_cost,
            store_key=OpenedStoreKey(StoreKeys(store, door.secrets, door.password_cost), data_key),
        )
        record_event(
            services.session_factory,
            user_id=actor.user_id,
            profile_id=None,
            action="encrypt store",
            target=f"store {store.name}",
        )
        return services

    def _plain_store(self) -> Path:
        """The store's file, after its kind has said why it cannot be encrypted, if it cannot."""
        door = self.door
        kind = door.kind
        if kind is StoreKind.SERVER or door.file is None:
            raise AccountError(
                "Only the embedded store on this computer can be encrypted by Switchboard; a "
                "PostgreSQL server protects its data by its own means."
            )
        if kind is StoreKind.ENCRYPTED:
            raise AccountError(f"The store {door.file} is already encrypted; nothing was changed.")
        if kind is StoreKind.NEW:
            raise AccountError(
                f"There is no store at {door.file} yet; a new store is created encrypted."
            )
        if kind is StoreKind.UNKNOWN:
            raise AccountError(
                f"The file {door.file} is not a plain Switchboard store (it is encrypted and "
                "its key file is missing, or it is another kind of file), so it cannot be "
                "encrypted; Switchboard did not change it."
            )
        return door.file

    def _refuse_without_room(self) -> None:
        estimate = self.estimate()
        if not estimate.enough_room:
            raise AccountError(
                f"Encrypting needs {_megabytes(estimate.needed_bytes)} free beside the store, "
                f"and its disk has {_megabytes(estimate.free_bytes)}. Free some space and try "
                "again; the plain store was kept as it was."
            )


def _refuse_other_users(plain: Services, login: str) -> None:
    others = [user for user in list_users(plain.session_factory) if user.login != login]
    if others:
        names = ", ".join(f"{user.display_name} ({user.login})" for user in others)
        raise AccountError(
            f"This store also holds the mail of {names}. An encrypted store opens only with "
            "each user's own password, which Switchboard does not have, so encrypting it would "
            "lock them out of their mail. The store was kept plain."
        )


def _is_damage(error: DBAPIError) -> bool:
    text = str(error.orig).lower()
    return "malformed" in text or "not a database" in text


def _size_with_wal(store: Path) -> int:
    wal = store.with_name(store.name + "-wal")
    return store.stat().st_size + (wal.stat().st_size if wal.exists() else 0)


def _megabytes(count: int) -> str:
    return f"{max(count / 1_000_000, 0.1):.1f} MB"
