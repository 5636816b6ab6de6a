"""The encrypted store beside the plain one, on the same 1,000,000 messages, in the same run.

* Open: from a fresh process, the store made usable for a password: for the encrypted store the
  key file read, the slot unwrapped by Argon2id at the production cost and the first keyed
  connection checked; for the plain one the first connection. Target: under 0.5 s encrypted.
* First inbox page (100 rows) and searches for a rare and a common word, each the first call of
  a fresh process with the store's files dropped from the OS page cache (how a user meets them
  after a restart), then warm. Targets (cold and warm): page at most 1.3x plain, search at most
  1.5x plain.
* Import of an mbox into a fresh store of each kind, each in a fresh process. Target: at least
  80% of plain's rate.

The encrypted store is the plain generated store (``bench_mail_inbox``'s, cached) copied by
``sqlcipher_export`` under a fresh data key, with a key file for the bench user; both are cached
under the temp folder and never made inside a timed part. Runs take turns in alternating order;
each figure is the median with its range. ``--quick``: 100,000 messages, 2,000 to import.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from bench.bench_mail_inbox import COMMON_WORD, PASSWORD, RARE_WORD, cached_store, quick_mode
from bench.timing import Figure, alternating, as_installed

KINDS = ("plain", "encrypted")
OPEN_TARGET_S = 0.5
PAGE_RATIO = 1.3
SEARCH_RATIO = 1.5
IMPORT_SHARE = 0.8
LOGIN = "bench"
WARM_RUNS = 10


def encrypted_copy(plain: Path) -> Path:
    """The plain store exported into a SQLCipher file under a new data key, with its key file."""
    from desktop.services.passwords import PRODUCTION_COST
    from desktop.services.secrets import SecretStore
    from desktop.services.store_keys import StoreKeys
    from desktop.store.cipher import dbapi

    target = plain.with_name("encrypted.sqlite3")
    done = plain.with_name("encrypted-done")
    if done.exists():
        return target
    for stale in plain.parent.glob("encrypted.sqlite3*"):
        stale.unlink()
    opened = StoreKeys(target, SecretStore.in_memory(), PRODUCTION_COST).create(
        LOGIN, "Bench", PASSWORD
    )
    connection = dbapi().connect(str(plain))
    try:
        connection.execute(
            f"ATTACH DATABASE ? AS encrypted KEY \"x'{opened.data_key.hex()}'\"", (str(target),)
        )
        connection.execute("SELECT sqlcipher_export('encrypted')")
        connection.execute("DETACH DATABASE encrypted")
    finally:
        connection.close()
    target.chmod(0o600)
    done.write_text("ok")
    return target


def drop_from_cache(store: Path) -> None:
    """What a restart leaves: none of the store's pages in memory."""
    for path in store.parent.glob(store.name + "*"):
        if path.is_file():
            with path.open("rb") as handle:
                os.posix_fadvise(handle.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)


def in_child(*argv: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.bench_cipher", "--child", *argv],
        check=True,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
        env=as_installed(os.environ),
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def child_read(kind: str, store: str, user: str) -> dict[str, Any]:
    """Open, then the first page and searches cold (first calls), then warm medians."""
    from desktop.services.mail.inbox import Inbox, InboxRow
    from desktop.store.engine import make_engine
    from desktop.store.session import make_session_factory

    url = f"sqlite:///{store}"
    started = time.perf_counter()
    if kind == "encrypted":
        from desktop.services.passwords import PRODUCTION_COST
        from desktop.services.secrets import SecretStore
        from desktop.services.store_keys import StoreKeys

        keys = StoreKeys(Path(store), SecretStore.in_memory(), PRODUCTION_COST)
        engine = make_engine(url, key=keys.unlock(LOGIN, PASSWORD).data_key)
    else:
        engine = make_engine(url)
    engine.connect().close()
    opened = time.perf_counter() - started
    inbox = Inbox(make_session_factory(engine))
    user_id = int(user)
    figures: dict[str, Any] = {"open": opened}
    calls: dict[str, Callable[[], list[InboxRow]]] = {
        "page": lambda: inbox.page(user_id, limit=100),
        "rare": lambda: inbox.page(user_id, search=RARE_WORD, limit=100),
        "common": lambda: inbox.page(user_id, search=COMMON_WORD, limit=100),
    }
    for name, call in calls.items():
        started = time.perf_counter()
        rows = call()
        figures[f"{name}_cold"] = time.perf_counter() - started
        figures[f"{name}_rows"] = [row.id for row in rows]
    for name, call in calls.items():
        runs = []
        for _ in range(WARM_RUNS):
            started = time.perf_counter()
            call()
            runs.append(time.perf_counter() - started)
        figures[f"{name}_warm"] = sorted(runs)[len(runs) // 2]
    engine.dispose()
    return figures


def child_import(kind: str, mbox: str, folder: str) -> dict[str, Any]:
    import random

    from desktop.core.roles import Role
    from desktop.services.mail.importer import import_paths
    from desktop.store.engine import make_engine
    from desktop.store.migrate import upgrade_to_head
    from desktop.store.models import Profile, User
    from desktop.store.session import make_session_factory, unit_of_work

    key = os.urandom(32) if kind == "encrypted" else None
    engine = make_engine(f"sqlite:///{Path(folder) / 'store.sqlite3'}", key=key)
    upgrade_to_head(engine)
    factory = make_session_factory(engine)
    with unit_of_work(factory) as session:
        user = User(login=LOGIN, display_name="Bench", password_hash="x")
        session.add(user)
        session.flush()
        profile = Profile(
            user_id=user.id,
            organization="Bench",
            role=Role.MEMBER,
            email="bench@clinic.example",
            support_id=random.randrange(2**32),
        )
        session.add(profile)
        session.flush()
        profile_id = profile.id
    started = time.perf_counter()
    added = import_paths(factory, profile_id, [Path(mbox)]).added
    elapsed = time.perf_counter() - started
    engine.dispose()
    return {"seconds": elapsed, "added": added}


def child(argv: list[str]) -> int:
    work, *rest = argv
    figures = child_read(*rest) if work == "read" else child_import(*rest)
    print(json.dumps(figures))
    return 0


def _cold_read(kind: str, store: Path, user_id: int) -> dict[str, Any]:
    drop_from_cache(store)
    return in_child("read", kind, str(store), str(user_id))


def _import(kind: str, mbox: Path, folder: Path) -> dict[str, Any]:
    store = Path(tempfile.mkdtemp(dir=folder))
    try:
        return in_child("import", kind, str(mbox), str(store))
    finally:
        shutil.rmtree(store)


def main(quick: bool | None = None) -> int:
    quick = quick_mode() if quick is None else quick
    messages, to_import, rounds = (100_000, 2_000, 3) if quick else (1_000_000, 20_000, 5)
    plain, user_id, generated = cached_store(messages)
    if generated is not None:
        print(f"generated the plain store of {messages:,} messages in {generated:.0f} s")
    started = time.perf_counter()
    stores = {"plain": plain, "encrypted": encrypted_copy(plain)}
    print(f"encrypted copy ready in {time.perf_counter() - started:.0f} s "
          f"({stores['encrypted'].stat().st_size / 2**20:,.0f} MiB; "
          f"plain {plain.stat().st_size / 2**20:,.0f} MiB)")  # fmt: skip
    reads = dict(
        zip(
            KINDS,
            alternating([partial(_cold_read, k, stores[k], user_id) for k in KINDS], rounds),
            strict=True,
        )
    )
    if reads["plain"][0]["page_rows"] != reads["encrypted"][0]["page_rows"]:
        raise RuntimeError("the encrypted store's first page differs from the plain one's")

    from bench.bench_import import write_mbox

    folder = Path(tempfile.mkdtemp(prefix="switchboard-bench-cipher-"))
    try:
        mbox = folder / "import.mbox"
        write_mbox(mbox, to_import)
        imports = dict(
            zip(
                KINDS,
                alternating([partial(_import, k, mbox, folder) for k in KINDS], rounds),
                strict=True,
            )
        )
    finally:
        shutil.rmtree(folder)

    def figure(kind: str, name: str) -> Figure:
        return Figure(tuple(run[name] for run in reads[kind]))

    ok = True
    print(f"store of {messages:,} messages; {rounds} fresh processes of each kind, taking turns")
    open_figure = figure("encrypted", "open")
    print(f"open, plain      {figure('plain', 'open').shown()}")
    print(f"open, encrypted  {open_figure.shown()} (Argon2id included; target < "
          f"{OPEN_TARGET_S * 1000:.0f} ms)")  # fmt: skip
    ok &= open_figure.median < OPEN_TARGET_S
    for name, label, ratio in (
        ("page", "first inbox page", PAGE_RATIO),
        ("rare", f"search {RARE_WORD!r}", SEARCH_RATIO),
        ("common", f"search {COMMON_WORD!r}", SEARCH_RATIO),
    ):
        for when in ("cold", "warm"):
            ours, reference = (
                figure("encrypted", f"{name}_{when}"),
                figure("plain", f"{name}_{when}"),
            )
            measured = ours.median / reference.median
            print(f"{label}, {when}: encrypted {ours.shown()} vs plain {reference.shown()}: "
                  f"{measured:.2f}x (target <= {ratio}x)")  # fmt: skip
            ok &= measured <= ratio
    rates = {kind: Figure(tuple(run["seconds"] for run in imports[kind])) for kind in KINDS}
    share = rates["plain"].median / rates["encrypted"].median
    print(f"import of {to_import:,}: encrypted {rates['encrypted'].rate(to_import)} vs plain "
          f"{rates['plain'].rate(to_import)}: {share:.0%} of plain (target >= "
          f"{IMPORT_SHARE:.0%})")  # fmt: skip
    ok &= share >= IMPORT_SHARE
    print("targets met" if ok else "targets missed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(child(sys.argv[2:]) if sys.argv[1:2] == ["--child"] else main())
