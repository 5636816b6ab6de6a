"""Which store a start finds, and opening it: encrypted by default, plain only as found.

* a new embedded store is created encrypted, its key file first (:meth:`StoreDoor.create`);
* an encrypted store (its key file beside it) opens only once a slot unwraps, by a user's
  password or by "remember me"; before that the door can say only who may sign in;
* a plain store that already exists opens as before (its encryption is offered after sign-in,
  :mod:`desktop.services.store_upgrade`), and a PostgreSQL server protects its data by its own
  means. An encryption that a crash cut short is finished or undone when the door is made,
  before the store's kind is judged (:mod:`desktop.store.cipher_export`).

A store that looks encrypted but has no key file is refused, never overwritten: a lost key file
must be put back, not replaced by a fresh one that would open nothing.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from desktop.services.accounts import remember_period, validated_new_user
from desktop.services.authorization import without_actor
from desktop.services.container import Services, build_services
from desktop.services.errors import AccountError
from desktop.services.passwords import PRODUCTION_COST, PasswordCost
from desktop.services.secrets import SecretStore
from desktop.services.store_keys import OpenedStoreKey, StoreKeys
from desktop.store.cipher import WrongStoreKeyError, is_plain_sqlite
from desktop.store.cipher_export import needs_settling, settle_interrupted_encryption
from desktop.store.engine import default_database_url
from desktop.store.key_slots import KeyFileError
from desktop.store.migrate import startup_lock


class StoreKind(enum.Enum):
    NEW = "new"
    ENCRYPTED = "encrypted"
    PLAIN = "plain"
    SERVER = "server"
    UNKNOWN = "unknown"
    """A file that is neither plain SQLite nor beside a key file: an encrypted store whose key
    file is gone, or no store at all; nothing can tell which, so both are said."""


@dataclass
class StoreDoor:
    """One store's way in. Blocking (files, Argon2id, keyring): on a worker."""

    database_url: str | None = None
    secrets: SecretStore = field(default_factory=SecretStore)
    password_cost: PasswordCost = PRODUCTION_COST

    def __post_init__(self) -> None:
        self.database_url = self.database_url or default_database_url()
        parsed = make_url(self.database_url)
        database = parsed.database
        self.file: Path | None = None
        if parsed.get_backend_name() == "sqlite" and database and database != ":memory:":
            self.file = Path(database)
        self.keys = StoreKeys(self.file, self.secrets, self.password_cost) if self.file else None
        if self.file is not None and needs_settling(self.file):
            # An encryption running in another process has its copy aside, so this waits for it;
            # one a crash cut short is finished or undone. The kind is judged once they are
            # settled. A store with nothing aside takes no lock (the inbox starts without it).
            with startup_lock(self.file):
                settle_interrupted_encryption(self.file)

    @property
    def kind(self) -> StoreKind:
        if self.keys is None or self.file is None:
            return StoreKind.SERVER
        if self.keys.exists():
            return StoreKind.ENCRYPTED
        if not self.file.exists() or self.file.stat().st_size == 0:
            return StoreKind.NEW
        return StoreKind.PLAIN if is_plain_sqlite(self.file) else StoreKind.UNKNOWN

    @without_actor("the sign-in screen's list of who may sign in, kept beside the store")
    def logins(self) -> list[tuple[str, str]]:
        """(login, display name) of each user with a key slot; only for an encrypted store."""
        with _key_file_errors():
            return self._keys().logins()

    @without_actor("opening a store that needs no key (a plain file found, or a server)")
    def open_unencrypted(self) -> Services:
        """A file of unknown kind is opened too, for SQLite to say what it is not."""
        kind = self.kind
        if kind not in (StoreKind.PLAIN, StoreKind.SERVER, StoreKind.UNKNOWN):
            raise AccountError("This store is encrypted: sign in to open it.")
        return build_services(
            self.database_url, secrets=self.secrets, password_cost=self.password_cost
        )

    @without_actor("the bootstrap: a new store, its data key and its first user's key slot")
    def create(self, login: str, display_name: str, password: str) -> Services:
        """The key file with the first user's slot, then the encrypted store it opens."""
        if self.kind is not StoreKind.NEW:
            raise AccountError("This store already exists, so it cannot be created again.")
        login, display_name = validated_new_user(login, display_name, password)
        return self._open(self._keys().create(login, display_name, password), new=True)

    @without_actor("signing in is how an actor comes to be: the password unwraps the key")
    def open_with_password(self, login: str, password: str) -> Services:
        with _key_file_errors():
            key = self._keys().unlock(login, password)
        return self._open(key)

    @without_actor("signing in with the keyring's remembered sign-in, which unwraps the key")
    def open_remembered(self, login: str) -> Services | None:
        with _key_file_errors():
            opened = self._keys().unlock_remembered(login, remember_period())
        return self._open(opened) if opened is not None else None

    def _keys(self) -> StoreKeys:
        """The store's keys, after the store file itself has had its say (see :attr:`kind`)."""
        kind = self.kind
        if self.keys is None or kind is StoreKind.SERVER:
            raise AccountError("Only the embedded store on this computer is encrypted.")
        if kind is StoreKind.UNKNOWN:
            raise AccountError(
                f"The store {self.file} cannot be opened: it is encrypted and its key file "
                f"{self.keys.path} is missing, or it is not a Switchboard store at all. Put the "
                "key file back from a backup; Switchboard did not change the store."
            )
        return self.keys

    def _open(self, key: OpenedStoreKey, *, new: bool = False) -> Services:
        file = self.file
        if not new and (file is None or not file.exists() or file.stat().st_size == 0):
            raise AccountError(
                f"The store {file} is missing beside its key file, so there is no mail to "
                "open. Put the store back from a backup; Switchboard created nothing in its place."
            )
        try:
            return build_services(
                self.database_url,
                secrets=self.secrets,
                password_cost=self.password_cost,
                store_key=key,
            )
        except (WrongStoreKeyError, DBAPIError) as error:
            if isinstance(error, DBAPIError) and not _is_damage(error):
                raise
            raise AccountError(
                f"The store {self.file} does not match its key file: the store is damaged or "
                "was replaced by another file. Switchboard did not change it; restore both "
                "files from the same backup."
            ) from error


def _is_damage(error: DBAPIError) -> bool:
    text = str(error.orig).lower()
    return "malformed" in text or "not a database" in text


@contextmanager
def _key_file_errors() -> Iterator[None]:
    try:
        yield
    except KeyFileError as error:
        raise AccountError(str(error)) from error
