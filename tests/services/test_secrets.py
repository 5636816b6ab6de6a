"""Secrets go to a real keyring, or stay in memory when there is none: never anywhere else."""

from __future__ import annotations

import keyring.backends.fail
import keyring.backends.null
import pytest
from keyring.backend import KeyringBackend

from desktop.services.secrets import MEMORY_BACKEND_NAME, SecretStore, is_acceptable


class PlaintextFileKeyring(KeyringBackend):
    """Stands in for keyrings.alt's file backends, which keep secrets readable on disk."""

    __module__ = "keyrings.alt.file"
    priority = 10  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        raise AssertionError("a plaintext keyring must never receive a secret")

    def delete_password(self, service: str, username: str) -> None:
        raise AssertionError("a plaintext keyring must never be used")


@pytest.mark.keyring
def test_a_real_secret_service_is_picked_and_named(secret_service: SecretStore) -> None:
    assert secret_service.is_persistent
    assert "SecretService" in secret_service.backend_name


@pytest.mark.keyring
def test_server_passwords_are_kept_per_profile_in_the_keyring(
    secret_service: SecretStore,
) -> None:
    secret_service.set_password(1, "first secret")
    secret_service.set_password(2, "second secret")
    assert secret_service.get_password(1) == "first secret"
    assert secret_service.get_password(2) == "second secret"

    secret_service.delete_password(1)
    secret_service.delete_password(1)

    assert secret_service.get_password(1) is None
    assert secret_service.get_password(2) == "second secret"
    secret_service.delete_password(2)


@pytest.mark.keyring
def test_a_second_store_reads_what_the_first_wrote(secret_service: SecretStore) -> None:
    secret_service.set_remember_token("ada", "token-1")
    service = secret_service._service
    assert SecretStore(service=service).get_remember_token("ada") == "token-1"
    secret_service.delete_remember_token("ada")
    assert SecretStore(service=service).get_remember_token("ada") is None


@pytest.mark.parametrize(
    "backend",
    [keyring.backends.fail.Keyring(), keyring.backends.null.Keyring(), PlaintextFileKeyring()],
    ids=["fail", "null", "keyrings.alt-file"],
)
def test_plaintext_failing_and_null_backends_count_as_none(backend: KeyringBackend) -> None:
    assert not is_acceptable(backend)
    store = SecretStore(candidates=[backend])
    assert not store.is_persistent
    assert store.backend_name == MEMORY_BACKEND_NAME


def test_without_a_backend_secrets_live_in_memory_for_this_store_only() -> None:
    store = SecretStore.in_memory()
    store.set_password(7, "imap secret")
    store.set_remember_token("ada", "token")

    assert store.get_password(7) == "imap secret"
    assert store.get_remember_token("ada") == "token"
    assert SecretStore.in_memory().get_password(7) is None
    store.delete_password(7)
    assert store.get_password(7) is None
    assert "no usable keyring" in store.backend_name
