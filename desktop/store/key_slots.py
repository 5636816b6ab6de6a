"""The key file beside an encrypted store: its data key, wrapped once per way of opening it.

The users table is inside the encrypted store, so what opens the store must be readable before
it: ``<store>.keys``, an owner-only JSON file. Each slot holds the store's data key wrapped with
AES-256-GCM by a wrapping key: derived from one user's password (``password`` slots, the KDF
parameters and salt beside it), or random and kept in that user's OS keyring (``remembered``
slots, "remember me"). The store's id, the slot's kind and login are the cipher's associated
data, so a slot copied into another store's file, or relabelled as another user's, does not
unwrap. Nothing secret is in the file: without a password or a keyring entry it opens nothing.

The file is replaced atomically (a private temporary file, fsynced, renamed over it, the folder
fsynced), so a crash leaves either the old file or the new one, never half of one.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import tempfile
import uuid
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

FORMAT_VERSION = 1
PASSWORD = "password"
REMEMBERED = "remembered"
NONCE_BYTES = 12
SALT_BYTES = 16
KEY_BYTES = 32


class KeyFileError(RuntimeError):
    """The key file is missing, damaged or newer than this app; the message is for the user."""


class SlotDoesNotOpenError(RuntimeError):
    """The wrapping key does not unwrap this slot (a wrong password, or a stale keyring key)."""


@dataclass(frozen=True)
class KdfParameters:
    """Argon2id's parameters as used for this slot, so a later cost change keeps it readable."""

    time_cost: int
    memory_cost_kib: int
    parallelism: int
    salt: str


@dataclass(frozen=True)
class Slot:
    login: str
    display_name: str
    kind: str
    nonce: str
    wrapped: str
    kdf: KdfParameters | None = None
    created_at: str = ""


@dataclass(frozen=True)
class KeyFile:
    store_id: str
    slots: tuple[Slot, ...] = field(default_factory=tuple)

    def slot(self, login: str, kind: str) -> Slot | None:
        return next((s for s in self.slots if s.login == login and s.kind == kind), None)

    def with_slot(self, slot: Slot) -> KeyFile:
        """This file with ``slot`` instead of the one of the same login and kind, if any."""
        kept = tuple(s for s in self.slots if (s.login, s.kind) != (slot.login, slot.kind))
        return replace(self, slots=(*kept, slot))

    def without(self, login: str, kind: str | None = None) -> KeyFile:
        kept = tuple(s for s in self.slots if not (s.login == login and kind in (None, s.kind)))
        return replace(self, slots=kept)

    def logins(self) -> list[tuple[str, str]]:
        """Who has a password slot, as (login, display name), sorted by login."""
        return sorted((s.login, s.display_name) for s in self.slots if s.kind == PASSWORD)


def key_file_of(store: Path) -> Path:
    return store.with_name(store.name + ".keys")


def new_key_file() -> KeyFile:
    return KeyFile(store_id=uuid.uuid4().hex)


def new_data_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def new_salt() -> str:
    return _b64(secrets.token_bytes(SALT_BYTES))


def wrap(
    key_file: KeyFile,
    data_key: bytes,
    wrapping_key: bytes,
    *,
    login: str,
    display_name: str,
    kind: str,
    kdf: KdfParameters | None = None,
    created_at: str = "",
) -> Slot:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = AESGCM(wrapping_key).encrypt(nonce, data_key, _bound_to(key_file, login, kind))
    return Slot(login, display_name, kind, _b64(nonce), _b64(sealed), kdf, created_at)


def unwrap(key_file: KeyFile, slot: Slot, wrapping_key: bytes) -> bytes:
    """Imports the cipher at first use: a plain store's commands never load it."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        return AESGCM(wrapping_key).decrypt(
            unb64(slot.nonce), unb64(slot.wrapped), _bound_to(key_file, slot.login, slot.kind)
        )
    except (InvalidTag, ValueError) as error:
        raise SlotDoesNotOpenError(slot.login) from error


def read_key_file(path: Path) -> KeyFile:
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise KeyFileError(
            f"The key file {path} is missing, so the encrypted store beside it cannot be "
            "opened. Put the key file back from a backup; Switchboard did not change the store."
        ) from error
    except (OSError, UnicodeDecodeError) as error:
        raise _damaged(path) from error
    try:
        data = json.loads(raw)
        version = data["format"]
    except (ValueError, KeyError, TypeError) as error:
        raise _damaged(path) from error
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise KeyFileError(
            f"The key file {path} was written by a newer version of Switchboard. Update "
            "Switchboard to open this store; nothing was changed."
        )
    try:
        return _parsed(data)
    except (ValueError, KeyError, TypeError) as error:
        raise _damaged(path) from error


def write_key_file(path: Path, key_file: KeyFile) -> None:
    """Replace the file atomically; owner-only from its first byte."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    data = {"format": FORMAT_VERSION, **asdict(key_file)}
    fd, temporary = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            json.dump(data, file, indent=1)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def _parsed(data: dict[str, Any]) -> KeyFile:
    slots = []
    for raw in data["slots"]:
        kdf = raw.get("kdf")
        slot = Slot(**{**raw, "kdf": KdfParameters(**kdf) if kdf is not None else None})
        if slot.kind not in (PASSWORD, REMEMBERED) or not isinstance(slot.login, str):
            raise ValueError("unknown slot")
        slots.append(slot)
    store_id = data["store_id"]
    if not isinstance(store_id, str) or not store_id:
        raise ValueError("no store id")
    return KeyFile(store_id=store_id, slots=tuple(slots))


def _damaged(path: Path) -> KeyFileError:
    return KeyFileError(
        f"The key file {path} is damaged, so the encrypted store beside it cannot be opened. "
        "Put the key file back from a backup; Switchboard did not change the store."
    )


def _bound_to(key_file: KeyFile, login: str, kind: str) -> bytes:
    return f"switchboard-key-slot:{FORMAT_VERSION}:{key_file.store_id}:{kind}:{login}".encode()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)
