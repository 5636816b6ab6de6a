"""The unified inbox over 1,000,000 messages in 10 profiles: the command, the page, opening a
message, search, memory.

* ``switchboard inbox --limit 50`` from process start (a fresh process each run), signed in by
  ``SWITCHBOARD_PASSWORD`` at the production Argon2 cost, and by a remembered sign-in when this
  session has a usable keyring. Reference: a fresh ``python3`` process running the very same
  page SQL through raw ``sqlite3``. The Argon2 verify is timed on its own, so the command's
  time without it is shown too. Target: under 0.4 s without Argon2.
* In process: the first page call (cold: first call of a fresh process) and warm pages, each
  beside the very same SQL in raw ``sqlite3`` (captured from the engine); opening a message
  (show + mark read, role check included) warm, under 2 ms; searches under 100 ms; peak memory
  under 150 MB.

Runs take turns in alternating order; each figure is the median with its range. The store is
generated once (``executemany`` into a migrated store, FTS built in one ``rebuild``) and cached
under the temp folder, never inside a timed part. ``SWITCHBOARD_BENCH_QUICK=1`` (``python -m
bench --quick``) uses 100,000 messages and fewer runs.
"""

from __future__ import annotations

import json
import os
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import event

from bench.timing import Figure, alternating, as_installed
from desktop.services.mail.inbox import Inbox
from desktop.services.passwords import PRODUCTION_COST, PasswordHashing
from desktop.store.engine import make_engine
from desktop.store.migrate import head_revision, upgrade_to_head
from desktop.store.session import make_session_factory

MESSAGES = 1_000_000
BENCH_DIR = Path(tempfile.gettempdir()) / "switchboard-bench"
GENERATOR_VERSION = 2
PROFILES = 10
CHUNK = 50_000
RAW_RATIO_TARGET = 2.0
FIRST_PAGE_TARGET_MS = 20.0
SEARCH_TARGET_MS = 100.0
MEMORY_TARGET_MB = 150.0
PASSWORD = "bench password"
RARE_WORD = "pneumothorax"  # in about 0.5% of the messages
COMMON_WORD = "referral"  # in about 10% of the messages
WORDS = (
    "patient", "ward", "round", "report", "lab", "result", "follow", "up", "clinic",
    "appointment", "schedule", "meeting", "budget", "review", "discharge", "summary",
    "imaging", "consult", "radiology", "pharmacy", "dosage", "protocol", "audit", "training",
    "rota", "shift", "handover", "urgent", "routine", "update", "invoice", "contract",
    "policy", "nurse", "doctor", "admin", "committee", "agenda", "minutes", "draft", "final",
    "approval", "request", "theatre", "list", "bed", "capacity", "escalation",
)  # fmt: skip
NAMES = ["Ada Lovelace", "Grace Hopper", "Alan Turing", "Jörg Müller", "Zoë Martin", "Li Lei"]


QUICK_ENV = "SWITCHBOARD_BENCH_QUICK"
CLI_TARGET_S = 0.4
OPEN_TARGET_MS = 2.0


def quick_mode() -> bool:
    """Set by ``python -m bench --quick``: smaller stores, fewer runs, the same figures."""
    return os.environ.get(QUICK_ENV) == "1"


def cached_store(messages: int = MESSAGES) -> tuple[Path, int, float | None]:
    """The generated store of ``messages`` messages, made once and kept under the temp folder.

    Returns its path, the user id and the seconds generating took (None when it was cached).
    The name holds the schema head and :data:`GENERATOR_VERSION`, so a new migration or a change
    to the generator makes a new store instead of measuring a stale one. Nothing here is timed.
    """
    folder = BENCH_DIR / f"inbox-{messages}-schema-{head_revision()}-g{GENERATOR_VERSION}"
    path = folder / "store.sqlite3"
    done = folder / "user-id"
    if done.exists():
        return path, int(done.read_text()), None
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    started = time.perf_counter()
    user_id = generate(path, messages)
    done.write_text(str(user_id))
    return path, user_id, time.perf_counter() - started


def generate(path: Path, messages: int = MESSAGES) -> int:
    """A store with one user, ten profiles and ``messages`` messages; returns the user's id."""
    engine = make_engine(f"sqlite:///{path}")
    upgrade_to_head(engine)
    engine.dispose()
    rng = random.Random(7)
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=OFF")
    with connection:
        connection.execute(
            "INSERT INTO users (login, display_name, password_hash, preferences, created_at) "
            "VALUES ('bench', 'Bench', ?, '{}', '2024-01-01 00:00:00.000000')",
            (PasswordHashing(PRODUCTION_COST).hash(PASSWORD),),
        )
        user_id = connection.execute("SELECT id FROM users").fetchone()[0]
        columns = [row[1] for row in connection.execute("PRAGMA table_info(profiles)")]
        for number in range(PROFILES):
            values = {
                "user_id": user_id,
                "organization": f"Org {number}",
                "role": "member",
                "title": "",
                "email": f"bench{number}@org{number}.example",
                "phone": "",
                "colour": "#3b82f6",
                "support_id": 1000 + number,
                "imap_security": "ssl",
                "created_at": "2024-01-01 00:00:00.000000",
            }
            for column in columns:
                values.setdefault(column, None)
            values.pop("id")
            names = ", ".join(values)
            marks = ", ".join("?" * len(values))
            connection.execute(
                f"INSERT INTO profiles ({names}) VALUES ({marks})", [*values.values()]
            )
    profile_ids = [row[0] for row in connection.execute("SELECT id FROM profiles ORDER BY id")]
    insert = (
        "INSERT INTO messages (profile_id, folder, message_id, sender, to_addrs, cc_addrs, "
        "subject, date, date_guessed, text, seen, flagged, flags_dirty, body_loaded, size, "
        "content_hash) VALUES (?, 'INBOX', ?, ?, 'ada@example.org', '', ?, ?, 0, ?, ?, 0, 0, 1, "
        "?, ?)"
    )
    start = 1_546_300_800  # 2019-01-01
    for offset in range(0, messages, CHUNK):
        rows = []
        for number in range(offset, min(offset + CHUNK, messages)):
            words = rng.choices(WORDS, k=12)
            if rng.random() < 0.005:
                words.append(RARE_WORD)
            if rng.random() < 0.1:
                words.append(COMMON_WORD)
            moment = time.gmtime(start + rng.randrange(5 * 365 * 86400))
            name = rng.choice(NAMES)
            rows.append(
                (
                    profile_ids[number % PROFILES],
                    f"<{number}@bench.example>",
                    f"{name} <{name.split()[0].lower()}@example.org>",
                    " ".join(rng.choices(WORDS, k=5)).capitalize(),
                    time.strftime("%Y-%m-%d %H:%M:%S.000000", moment),
                    " ".join(words),
                    rng.random() < 0.7,
                    200 + number % 3000,
                    f"{number:064x}",
                )
            )
        with connection:
            connection.executemany(insert, rows)
    with connection:  # the app's writer indexes each batch; the generator indexes all at once
        connection.execute("INSERT INTO messages_fts(messages_fts) VALUES ('rebuild')")
    connection.execute("ANALYZE")
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    return int(user_id)


def peak_memory_mb() -> float:
    """This process's peak resident memory since it started.

    ru_maxrss is no good here: Linux carries it over from the parent across fork and exec, so the
    child would report the generator's peak. VmHWM belongs to the process's own address space.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(call: Callable[[], object], runs: int) -> Figure:
    """``runs`` timings in seconds after three untimed warm-up calls."""
    for _ in range(3):
        call()
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        timings.append(time.perf_counter() - started)
    return Figure(tuple(timings))


def measure(path: Path, user_id: int, runs: int) -> dict[str, Any]:
    """Runs in the child process: the figures, including this process's peak memory."""
    from desktop.services.authorization import Authorizer, SignedInUser
    from desktop.services.mail.mailbox import Mailbox

    engine = make_engine(f"sqlite:///{path}")
    factory = make_session_factory(engine)
    inbox = Inbox(factory)
    captured: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        captured.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    started = time.perf_counter()
    first = inbox.page(user_id, limit=100)
    cold_ms = (time.perf_counter() - started) * 1000
    event.remove(engine, "before_cursor_execute", capture)
    statement, parameters = captured[-1]  # the page query (the first one lists the profiles)

    raw = sqlite3.connect(path)
    raw_rows = raw.execute(statement, parameters).fetchall()
    if [row[0] for row in raw_rows] != [row.id for row in first] or len(first) != 100:
        raise RuntimeError("the raw query and the inbox disagree")
    ours, reference = (
        Figure(tuple(medians))
        for medians in alternating(
            [
                lambda: timed(lambda: inbox.page(user_id, limit=100), 10).median,
                lambda: timed(lambda: raw.execute(statement, parameters).fetchall(), 10).median,
            ],
            runs,
        )
    )
    second_page = timed(lambda: inbox.page(user_id, after=first[-1].key, limit=100), runs * 5)
    rare = timed(lambda: inbox.page(user_id, search=RARE_WORD, limit=100), runs * 3)
    common = timed(lambda: inbox.page(user_id, search=COMMON_WORD, limit=100), runs * 3)
    two_words = timed(lambda: inbox.page(user_id, search="urgent pneumo", limit=100), runs * 3)
    unread = timed(lambda: inbox.unread_counts(user_id), runs)
    found = len(inbox.page(user_id, search=RARE_WORD, limit=100))

    # Opening through the gated service, role check included; unread messages first.
    with sqlite3.connect(path) as ids:
        profile_id = ids.execute("SELECT min(id) FROM profiles").fetchone()[0]
        unseen = [row[0] for row in ids.execute(
            "SELECT id FROM messages WHERE seen = 0 ORDER BY id LIMIT ?", (runs * 20 + 3,)
        )]  # fmt: skip
    mailbox = Mailbox(factory, Authorizer(factory))
    actor = SignedInUser(user_id, "bench", "Bench", profile_id)
    to_open = iter(unseen)
    open_unread = timed(lambda: mailbox.open(actor, next(to_open)), runs * 20)
    open_read = timed(lambda: mailbox.open(actor, unseen[0]), runs * 20)
    with sqlite3.connect(path) as restore, restore:  # the cached store stays as generated
        restore.executemany("UPDATE messages SET seen = 0 WHERE id = ?", [(i,) for i in unseen])
    peak_mb = peak_memory_mb()
    return {
        "cold_ms": cold_ms,
        "ours": ours.runs,
        "raw": reference.runs,
        "statement": statement,
        "parameters": list(parameters),
        "second_page": second_page.runs,
        "rare": rare.runs,
        "common": common.runs,
        "two_words": two_words.runs,
        "unread": unread.runs,
        "open_unread": open_unread.runs,
        "open_read": open_read.runs,
        "found": found,
        "peak_mb": peak_mb,
    }


def switchboard_command() -> list[str]:
    script = Path(sys.executable).with_name("switchboard")
    return [str(script)] if script.exists() else [sys.executable, "-m", "desktop"]


def run_seconds(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, env=env)
    return time.perf_counter() - started


def argon2_verify_s(runs: int) -> Figure:
    """The production-cost verify alone, as the command's sign-in does it once."""
    hashing = PasswordHashing(PRODUCTION_COST)
    hashed = hashing.hash(PASSWORD)
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        hashing.verify(hashed, PASSWORD)
        timings.append(time.perf_counter() - started)
    return Figure(tuple(timings))


def cli_figures(
    path: Path, statement: str, parameters: list[Any], runs: int
) -> tuple[list[str], bool]:
    """``switchboard inbox --limit 50`` from process start, beside raw sqlite3 from its start."""
    url = f"sqlite:///{path}"
    inbox = [*switchboard_command(), "--database-url", url, "inbox", "--user", "bench"]
    env = {**as_installed(os.environ), "SWITCHBOARD_PASSWORD": PASSWORD}
    env.setdefault("SWITCHBOARD_HOME", tempfile.mkdtemp(prefix="switchboard-bench-home-"))
    # The page SQL of 50 rows, as the command asks it (profile ids are 1-10: 100 is the limit).
    values = [50 if value == 100 else value for value in parameters]
    raw = [
        sys.executable,
        "-c",
        "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
        "rows = c.execute(sys.argv[2], eval(sys.argv[3])).fetchall(); print(len(rows))",
        str(path),
        statement,
        repr(tuple(values)),
    ]
    run_seconds([*inbox, "--limit", "1"], env)  # disk cache and .pyc files, not timed
    ours, reference = (
        Figure(tuple(timings))
        for timings in alternating(
            [lambda: run_seconds([*inbox, "--limit", "50"], env), lambda: run_seconds(raw, env)],
            runs,
        )
    )
    argon2 = argon2_verify_s(runs)
    without = Figure(tuple(max(0.0, t - argon2.median) for t in ours.runs))
    lines = [
        f"switchboard inbox --limit 50, fresh process, SWITCHBOARD_PASSWORD: {ours.shown()}",
        f"  of which the Argon2 verify at production cost (timed alone): {argon2.shown()}",
        f"  the command without it (Argon2's median subtracted): {without.shown()} "
        f"(target < {CLI_TARGET_S * 1000:.0f} ms)",
        f"  reference, the same page in raw sqlite3 from a fresh python3: {reference.shown()}",
    ]
    remembered = _remembered_runs(inbox, env, runs)
    if remembered is None:
        lines.append("  remembered sign-in: not measured (no usable keyring in this session)")
    else:
        lines.append(f"  remembered sign-in (keyring, no Argon2): {remembered.shown()}")
    return lines, without.median < CLI_TARGET_S


def _remembered_runs(inbox: list[str], env: dict[str, str], runs: int) -> Figure | None:
    from desktop.services.secrets import SecretStore

    if not SecretStore().is_persistent:
        return None
    run_seconds([*inbox, "--limit", "1", "--remember"], env)
    without_password = {k: v for k, v in env.items() if k != "SWITCHBOARD_PASSWORD"}
    return Figure(
        tuple(run_seconds([*inbox, "--limit", "50"], without_password) for _ in range(runs))
    )


def main(quick: bool | None = None) -> int:
    quick = quick_mode() if quick is None else quick
    runs = 3 if quick else 5
    path, user_id, generated_s = cached_store(100_000 if quick else MESSAGES)
    messages = int(path.parent.name.split("-")[1])
    child = subprocess.run(
        [sys.executable, "-m", "bench.bench_mail_inbox", "measure", str(path), str(user_id),
         str(runs)],
        check=True,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )  # fmt: skip
    figures = json.loads(child.stdout)
    size_mb = path.stat().st_size / 1e6
    made = f"generated in {generated_s:.0f} s" if generated_s is not None else "cached"
    print(f"{messages:,} messages in {PROFILES} profiles ({size_mb:,.0f} MB, FTS included; {made})")
    lines, cli_ok = cli_figures(path, figures["statement"], figures["parameters"], runs)
    for line in lines:
        print(line)
    ours, raw = Figure(tuple(figures["ours"])), Figure(tuple(figures["raw"]))
    fig = {name: Figure(tuple(figures[name])) for name in (
        "second_page", "rare", "common", "two_words", "unread", "open_unread", "open_read"
    )}  # fmt: skip
    ratio = ours.median / raw.median
    ms = 1000
    print(f"first 100 rows, first call in a fresh process (cold): {figures['cold_ms']:.1f} ms")
    print(f"first 100 rows, warm (medians of 10 calls): {ours.shown()}; same SQL in raw sqlite3: "
          f"{raw.shown()}: {ratio:.2f}x (targets <= {RAW_RATIO_TARGET:.0f}x and "
          f"< {FIRST_PAGE_TARGET_MS:.0f} ms)")  # fmt: skip
    print(f"next page (keyset), warm: {fig['second_page'].shown()}")
    print(f"open a message (show + mark read, role check included), warm: unread "
          f"{fig['open_unread'].shown()}, already read {fig['open_read'].shown()} "
          f"(target < {OPEN_TARGET_MS:.0f} ms)")  # fmt: skip
    print(f"search '{RARE_WORD}' (~0.5% of mail, {figures['found']} rows shown): "
          f"{fig['rare'].shown()}; '{COMMON_WORD}' (~10%): {fig['common'].shown()}; "
          f"'urgent pneumo' (prefix): {fig['two_words'].shown()} "
          f"(target < {SEARCH_TARGET_MS:.0f} ms)")  # fmt: skip
    print(
        f"unread counts of 10 profiles (sync/import/profile changes only): {fig['unread'].shown()}"
    )
    print(f"peak memory of the reading process: {figures['peak_mb']:.0f} MB "
          f"(target < {MEMORY_TARGET_MB:.0f} MB)")  # fmt: skip
    searches = max(fig[name].median for name in ("rare", "common", "two_words"))
    ok = (
        cli_ok
        and ratio <= RAW_RATIO_TARGET
        and ours.median * ms < FIRST_PAGE_TARGET_MS
        and searches * ms < SEARCH_TARGET_MS
        and max(fig["open_unread"].median, fig["open_read"].median) * ms < OPEN_TARGET_MS
        and figures["peak_mb"] < MEMORY_TARGET_MB
    )
    return 0 if ok else 1


if __name__ == "__main__":
    if sys.argv[1:2] == ["measure"]:
        print(json.dumps(measure(Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))))
    else:
        sys.exit(main())
