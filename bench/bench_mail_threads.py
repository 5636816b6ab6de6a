"""The threaded first page over 1,000,000 messages in 10 profiles, beside the plain first page.

The store is made like ``bench_mail_inbox``'s (``executemany`` into a migrated store, cached
under the temp folder, never timed) but with conversations: about 60% of the messages answer an
earlier one of their profile (References naming its ancestry, a "Re:" subject), the rest start
threads. The mail is then threaded by the migration's own code
(``desktop.store.thread_upkeep.assign_all``). Both pages are timed in the same process, taking
turns, warm (medians of the runs) and on the first call. Target: the threaded first page under
50 ms. ``--quick`` uses 100,000 messages.
"""

from __future__ import annotations

import random
import shutil
import sqlite3
import time
from pathlib import Path

from bench.bench_mail_inbox import BENCH_DIR, NAMES, PROFILES, WORDS, quick_mode
from bench.timing import Figure, alternating
from desktop.services.mail.inbox import Inbox
from desktop.services.mail.thread_queries import ThreadList
from desktop.store.engine import make_engine
from desktop.store.migrate import head_revision, upgrade_to_head
from desktop.store.session import make_session_factory
from desktop.store.thread_upkeep import assign_all

MESSAGES = 1_000_000
GENERATOR_VERSION = 1
CHUNK = 50_000
REPLY_SHARE = 0.6
TARGET_MS = 50.0


def cached_store(messages: int) -> tuple[Path, int, float | None]:
    folder = BENCH_DIR / f"threads-{messages}-schema-{head_revision()}-g{GENERATOR_VERSION}"
    path, done = folder / "store.sqlite3", folder / "user-id"
    if done.exists():
        return path, int(done.read_text()), None
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    started = time.perf_counter()
    user_id = generate(path, messages)
    done.write_text(str(user_id))
    return path, user_id, time.perf_counter() - started


def generate(path: Path, messages: int) -> int:
    engine = make_engine(f"sqlite:///{path}")
    upgrade_to_head(engine)
    engine.dispose()
    rng = random.Random(11)
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=OFF")
    with connection:
        connection.execute(
            "INSERT INTO users (login, display_name, password_hash, preferences, created_at) "
            "VALUES ('bench', 'Bench', 'x', '{}', '2024-01-01 00:00:00.000000')"
        )
        user_id = int(connection.execute("SELECT id FROM users").fetchone()[0])
        for number in range(PROFILES):
            connection.execute(
                "INSERT INTO profiles (user_id, organization, role, title, email, phone, colour, "
                "support_id, imap_security, created_at) VALUES (?, ?, 'member', '', ?, '', "
                "'#3b82f6', ?, 'ssl', '2024-01-01 00:00:00.000000')",
                (user_id, f"Org {number}", f"bench{number}@org{number}.example", 2000 + number),
            )
    profile_ids = [row[0] for row in connection.execute("SELECT id FROM profiles ORDER BY id")]
    insert = (
        "INSERT INTO messages (profile_id, folder, message_id, reference_ids, sender, to_addrs, "
        "cc_addrs, subject, date, date_guessed, text, seen, flagged, flags_dirty, body_loaded, "
        "size, content_hash) VALUES (?, 'INBOX', ?, ?, ?, 'ada@example.org', '', ?, ?, 0, ?, ?, "
        "0, 0, 1, ?, ?)"
    )
    recent: dict[int, list[tuple[str, str, str]]] = {pid: [] for pid in profile_ids}
    start = 1_546_300_800  # 2019-01-01; dates rise with the number, as mail arrives
    step = 5 * 365 * 86400 / messages
    for offset in range(0, messages, CHUNK):
        rows = []
        for number in range(offset, min(offset + CHUNK, messages)):
            profile = profile_ids[number % PROFILES]
            earlier = recent[profile]
            own = f"<{number}@bench.example>"
            if earlier and rng.random() < REPLY_SHARE:
                parent_id, parent_refs, topic = earlier[
                    -1 - int(rng.expovariate(0.05)) % len(earlier)
                ]
                references = f"{parent_refs} {parent_id}".strip()
                subject = f"Re: {topic}"
            else:
                references, topic = "", " ".join(rng.choices(WORDS, k=5)).capitalize()
                subject = topic
            earlier.append((own, " ".join(references.split()[-10:]), topic))
            del earlier[:-200]
            name = rng.choice(NAMES)
            moment = time.gmtime(start + int(number * step))
            rows.append(
                (
                    profile,
                    own,
                    references,
                    f"{name} <{name.split()[0].lower()}@example.org>",
                    subject,
                    time.strftime("%Y-%m-%d %H:%M:%S.000000", moment),
                    " ".join(rng.choices(WORDS, k=12)),
                    rng.random() < 0.7,
                    200 + number % 3000,
                    f"{number:064x}",
                )
            )
        with connection:
            connection.executemany(insert, rows)
    connection.close()
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as threading:
        assign_all(threading)
    engine.dispose()
    connection = sqlite3.connect(path)
    connection.execute("ANALYZE")
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    return user_id


def main(quick: bool | None = None) -> int:
    quick = quick_mode() if quick is None else quick
    messages = 100_000 if quick else MESSAGES
    runs = 5 if quick else 15
    path, user_id, made = cached_store(messages)
    factory = make_session_factory(make_engine(f"sqlite:///{path}"))
    inbox, threads = Inbox(factory), ThreadList(factory)
    started = time.perf_counter()
    first_threads = threads.page(user_id, limit=100)
    cold_threads = time.perf_counter() - started
    started = time.perf_counter()
    inbox.page(user_id, limit=100)
    cold_plain = time.perf_counter() - started

    def timing(call: object) -> float:
        begun = time.perf_counter()
        call()  # type: ignore[operator]
        return time.perf_counter() - begun

    rounds = alternating(
        [
            lambda: timing(lambda: threads.page(user_id, limit=100)),
            lambda: timing(lambda: inbox.page(user_id, limit=100)),
            lambda: timing(lambda: threads.page(user_id, after=first_threads[-1].key, limit=100)),
        ],
        runs,
    )
    threaded, plain, second = (Figure(tuple(column)) for column in rounds)
    with sqlite3.connect(path) as connection:
        count = connection.execute("SELECT count(*) FROM threads").fetchone()[0]
    built = f"generated and threaded in {made:.0f} s" if made else "cached"
    print(f"{messages:,} messages in {PROFILES} profiles, {count:,} conversations ({built})")
    print(
        f"first call: threaded page {cold_threads * 1000:.1f} ms, plain {cold_plain * 1000:.1f} ms"
    )
    print(f"threaded first page (100 conversations), warm: {threaded.shown()}")
    print(f"plain first page (100 messages), warm, same run: {plain.shown()}")
    print(f"threaded next page (keyset), warm: {second.shown()}")
    ok = threaded.median * 1000 < TARGET_MS
    print(f"target: threaded first page under {TARGET_MS:.0f} ms: {'met' if ok else 'MISSED'}")
    return 0 if ok else 1
