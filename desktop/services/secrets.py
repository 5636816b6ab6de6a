"""Server passwords and "remember me" tokens, in the OS keyring and nowhere else.

Like maestral's credential class, :class:`SecretStore` picks one real backend when it is made and
keeps using it, so a secret is always read back from where it was written. Plaintext "keyrings"
(keyrings.alt's file backends), keyring's ``fail`` and ``null`` backends and the chainer count as
no backend. Without a usable backend the store says so plainly and keeps secrets in this
process's memory only: never in the database, a log, QSettings or any file (Vorta's plaintext
fallback left users' passwords behind on disk).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # keyring is imported at first use: a command signed in by password skips it
    from keyring.backend import KeyringBackend

SERVICE_NAME = "Switchboard"
PROBE_KEY = "backend-probe"
REJECTED_MODULES = (
    "keyrings.alt",
    "keyring.backends.fail",
    "keyring.backends.null",
    "keyring.backends.chainer",
)
MEMORY_BACKEND_NAME = "memory (no usable keyring: secrets last until Switchboard closes)"
NO_KEYRING_ADVICE = (
    "start a keyring that stores secrets (GNOME Keyring, KWallet or KeePassXC's Secret "
    "Service) in this desktop session and try again"
)
"""What to do about a missing keyring, for every place that must say there is none."""

log = logging.getLogger(__name__)


class SecretStoreError(RuntimeError):
    """The keyring refused or failed; the message is meant for the user."""


class SecretStore:
    """Secrets keyed per profile (server passwords) and per login (remember-me tokens).

    Every method may block: a D-Bus round trip, or the desktop asking the user to unlock the
    keyring. Call them from worker threads, never from the GUI thread.
    """

    def __init__(
        self, candidates: Iterable[KeyringBackend] | None = None, service: str = SERVICE_NAME
    ) -> None:
        """Pick the backend once, at first use: the first usable of ``candidates`` (default:
        all installed). Finding the installed backends costs a command about 0.15 s, and a
        command signed in by password never needs one.

        ``service`` is the keyring's service name; tests give each their own.
        """
        self._service = service
        self._candidates = None if candidates is None else list(candidates)
        self._picked: list[KeyringBackend | None] = []
        self._memory: dict[str, str] = {}
        self._lock = threading.Lock()

    @property
    def _backend(self) -> KeyringBackend | None:
        with self._lock:
            if not self._picked:
                candidates = self._candidates
                backend = _pick_backend(
                    _installed_backends() if candidates is None else candidates, self._service
                )
                self._picked.append(backend)
                if backend is None:
                    log.info("no usable keyring: secrets are kept in memory for this session only")
                else:
                    log.info("secrets are kept in %s", _name_of(backend))
            return self._picked[0]

    @classmethod
    def in_memory(cls) -> SecretStore:
        """A store with no backend, as on a headless box: secrets last for this process only."""
        return cls(candidates=())

    @property
    def backend_name(self) -> str:
        backend = self._backend
        return MEMORY_BACKEND_NAME if backend is None else _name_of(backend)

    @property
    def is_persistent(self) -> bool:
        return self._backend is not None

    def set_password(self, profile_id: int, password: str) -> None:
        self._set(_profile_key(profile_id), password)

    def get_password(self, profile_id: int) -> str | None:
        return self._get(_profile_key(profile_id))

    def delete_password(self, profile_id: int) -> None:
        self._delete(_profile_key(profile_id))

    def set_smtp_password(self, profile_id: int, password: str) -> None:
        """Only for a sending server whose password differs from the IMAP one."""
        self._set(_smtp_key(profile_id), password)

    def get_smtp_password(self, profile_id: int) -> str | None:
        return self._get(_smtp_key(profile_id))

    def delete_smtp_password(self, profile_id: int) -> None:
        self._delete(_smtp_key(profile_id))

    def set_oauth_refresh_token(self, profile_id: int, token: str) -> None:
        """An OAuth2 profile's refresh token: the one lasting secret of its grant."""
        self._set(_oauth_key(profile_id), token)

    def get_oauth_refresh_token(self, profile_id: int) -> str | None:
        return self._get(_oauth_key(profile_id))

    def delete_oauth_refresh_token(self, profile_id: int) -> None:
        self._delete(_oauth_key(profile_id))

    def set_remember_token(self, login: str, token: str) -> None:
        self._set(_remember_key(login), token)

    def get_remember_token(self, login: str) -> str | None:
        return self._get(_remember_key(login))

    def delete_remember_token(self, login: str) -> None:
        self._delete(_remember_key(login))

    def _set(self, key: str, secret: str) -> None:
        backend = self._backend
        if backend is None:
            with self._lock:
                self._memory[key] = secret
            return
        import keyring.errors

        try:
            backend.set_password(self._service, key, secret)
        except keyring.errors.KeyringError as error:
            raise SecretStoreError(f"the keyring refused to store {key}: {error}") from error

    def _get(self, key: str) -> str | None:
        backend = self._backend
        if backend is None:
            with self._lock:
                return self._memory.get(key)
        import keyring.errors

        try:
            secret: str | None = backend.get_password(self._service, key)
        except keyring.errors.KeyringError as error:
            raise SecretStoreError(f"the keyring refused to read {key}: {error}") from error
        return secret

    def _delete(self, key: str) -> None:
        backend = self._backend
        if backend is None:
            with self._lock:
                self._memory.pop(key, None)
            return
        import keyring.errors

        try:
            backend.delete_password(self._service, key)
        except keyring.errors.PasswordDeleteError:
            return
        except keyring.errors.KeyringError as error:
            raise SecretStoreError(f"the keyring refused to delete {key}: {error}") from error


def is_acceptable(backend: KeyringBackend) -> bool:
    """False for backends that would keep secrets in plaintext, drop them, or fail."""
    module = type(backend).__module__
    return not any(module == name or module.startswith(name + ".") for name in REJECTED_MODULES)


def _installed_backends() -> list[KeyringBackend]:
    import keyring
    import keyring.backend

    configured = keyring.get_keyring()
    others = sorted(keyring.backend.get_all_keyring(), key=lambda b: b.priority, reverse=True)
    return [configured, *others]


def _pick_backend(candidates: Iterable[KeyringBackend], service: str) -> KeyringBackend | None:
    for backend in candidates:
        if not is_acceptable(backend):
            continue
        try:
            backend.get_password(service, PROBE_KEY)
        except Exception as error:
            log.info("keyring backend %s is not usable: %s", type(backend).__name__, error)
            continue
        return backend
    return None


def _name_of(backend: KeyringBackend) -> str:
    kind = type(backend)
    return f"{kind.__module__}.{kind.__qualname__}"


def _profile_key(profile_id: int) -> str:
    return f"profile-{profile_id}/server-password"


def _smtp_key(profile_id: int) -> str:
    return f"profile-{profile_id}/smtp-password"


def _oauth_key(profile_id: int) -> str:
    return f"profile-{profile_id}/oauth-refresh-token"


def _remember_key(login: str) -> str:
    return f"user-{login}/remember-me"
