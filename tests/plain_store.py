"""A plain store as an older Switchboard left it: one user, one profile, a known corpus of mail
(one word found only in it), and a migration copy aside; and what finding it whole means."""

from __future__ import annotations

import mailbox
from email.message import EmailMessage
from pathlib import Path

from desktop.services.accounts import ProfileDraft
from desktop.services.container import Services, build_services
from desktop.services.passwords import CHEAP_TEST_COST
from desktop.services.secrets import SecretStore
from desktop.services.store_opening import StoreDoor, StoreKind
from desktop.store.cipher import is_plain_sqlite
from desktop.store.cipher_export import copy_of, plain_backups
from desktop.store.engine import make_engine
from desktop.store.key_slots import key_file_of
from desktop.store.migrate import upgrade_to

LOGIN = "amira"
PASSWORD = "a long enough password"
WORD = "zebracardiomyopathy"
CORPUS = 120
OLDER_REVISION = "0121"


def door(store: Path) -> StoreDoor:
    return StoreDoor(
        f"sqlite:///{store}", secrets=SecretStore.in_memory(), password_cost=CHEAP_TEST_COST
    )


def _mbox(folder: Path) -> Path:
    path = folder / "corpus.mbox"
    box = mailbox.mbox(path)
    for number in range(CORPUS):
        message = EmailMessage()
        message["From"] = f"ward{number}@example.org"
        message["To"] = "amira@example.org"
        message["Subject"] = f"Patient {number} with {WORD}"
        message["Message-ID"] = f"<m{number}@example.org>"
        message["Date"] = "Mon, 02 Nov 2026 09:00:00 +0000"
        message.set_content(f"The echo of patient {number} shows {WORD}.\n" * 20)
        box.add(message)
    box.close()
    return path


def make_plain_store(store: Path, work: Path, *, other_user: bool = False) -> None:
    """Made at an older schema and opened once, so a migration copy lies beside it."""
    store.parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(f"sqlite:///{store}")
    upgrade_to(engine, OLDER_REVISION)
    engine.dispose()
    with build_services(
        f"sqlite:///{store}", secrets=SecretStore.in_memory(), password_cost=CHEAP_TEST_COST
    ) as services:
        accounts = services.accounts
        accounts.create_first_user(LOGIN, "Amira", PASSWORD)
        actor = accounts.sign_in(LOGIN, PASSWORD)
        profile = accounts.create_profile(
            actor, ProfileDraft(organization="Hospital", email="amira@example.org")
        )
        actor = accounts.switch_profile(actor, profile.id)
        assert services.mailbox.import_files(actor, profile.id, [_mbox(work)]).added == CORPUS
        if other_user:
            accounts.create_user(actor, "jonas", "Jonas", "jonas's own password")
    assert is_plain_sqlite(store)
    assert plain_backups(store)


def open_found(store: Path) -> tuple[StoreKind, Services]:
    """What a fresh start finds, opened as its user would open it."""
    found = door(store)
    kind = found.kind
    if kind is StoreKind.ENCRYPTED:
        return kind, found.open_with_password(LOGIN, PASSWORD)
    assert kind is StoreKind.PLAIN, kind
    return kind, found.open_unencrypted()


def assert_whole(store: Path) -> StoreKind:
    """Exactly one complete store: its kind's files and no other, every message, searchable."""
    kind, services = open_found(store)
    with services:
        actor = services.accounts.sign_in(LOGIN, PASSWORD)
        assert services.mailbox.count(actor) == CORPUS
        assert services.mailbox.count(actor, search=WORD) == CORPUS
    copy = copy_of(store)
    assert not copy.exists()
    assert not key_file_of(copy).exists()
    assert not list(store.parent.glob(key_file_of(copy).name + ".*"))
    if kind is StoreKind.ENCRYPTED:
        assert not is_plain_sqlite(store)
        assert key_file_of(store).exists()
        assert plain_backups(store) == []
    else:
        assert is_plain_sqlite(store)
        assert not key_file_of(store).exists()
    return kind
