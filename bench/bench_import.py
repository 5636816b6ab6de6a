"""Import of a mixed mbox beside the stdlib ``mailbox`` module reading the same file, in one run.

The file holds 20,000 messages (2,000 with ``SWITCHBOARD_BENCH_QUICK=1``): half plain text, a
third HTML with a plain alternative, a fifth with a base64 PDF of 2-40 kB, and one in five with
RFC 2047 non-ASCII subjects (besides the non-ASCII sender names).

The reference that counts is the one issue 11 names: plain iteration (``for message in
mailbox.mbox(path)``), which finds every message and parses it into a ``Message``; the import does
that and more (it also stores every message and indexes it for search), so the reference never does
more work than ours. ``mailbox.mbox(path).get_bytes(key)`` for every key is printed beside it as the
stricter figure, without a target: it only reads (finds every message, gets its bytes, undoes the
``From`` line), the floor any importer starts from. ``for m in mbox: m.as_bytes()`` is not used: it
serialises every message again, work the import never does, so it would flatter the import.

Each figure is the median of RUNS runs with the range, every run in a fresh process (so it is a
first call: nothing warmed in the interpreter), the three kinds in alternating order. "cold"
runs first drop the file from the page cache (``posix_fadvise(DONTNEED)`` on this file only, so
other work on the machine keeps its cache); "warm" runs read it into the cache first. The import
writes into a fresh encrypted store (SQLCipher, as the app creates it; WAL, full-text index and
threads included) created before the clock starts.
"""

from __future__ import annotations

import base64
import mailbox
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from email.header import Header
from email.utils import format_datetime
from pathlib import Path

QUICK = os.environ.get("SWITCHBOARD_BENCH_QUICK") == "1"
MESSAGES = 2_000 if QUICK else 20_000
RUNS = 3
SHARE_TARGET = 0.50
KINDS = ("get_bytes", "iterate", "import")


def mixed_messages(count: int, seed: int) -> Iterator[bytes]:
    """Plausible mail of the four shapes an mbox export holds, in a fixed rotation."""
    from bench.bench_mail import NAMES, WORDS  # the words the sync benchmark's mail uses

    rng = random.Random(seed)
    base = 1_640_995_200  # 2022-01-01
    for number in range(count):
        kind = number % 10
        name = rng.choice(NAMES)
        sender = name if name.isascii() else Header(name, "utf-8").encode()
        subject = " ".join(rng.choices(WORDS, k=rng.randint(3, 8))).capitalize() + f" #{number}"
        if kind in {7, 8}:
            subject = Header(f"Befund für Zoë: {subject}", "utf-8").encode()
        lines = [
            " ".join(rng.choices(WORDS, k=rng.randint(8, 14))) for _ in range(rng.randint(8, 25))
        ]
        text = "\n".join(lines) + "\n"
        when = datetime.fromtimestamp(base + rng.randint(0, 63_072_000), UTC)
        head = (
            f"From: {sender} <{name.split()[0].lower()}{number % 50}@example.org>\n"
            f"To: ada@clinic.example\nSubject: {subject}\nDate: {format_datetime(when)}\n"
            f"Message-ID: <mixed-{seed}-{number}@example.org>\nMIME-Version: 1.0\n"
        )
        if kind < 5:
            body = "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
            body += text
        elif kind < 8:
            html = (
                "<html><body>" + "".join(f"<p>{line}</p>\n" for line in lines) + "</body></html>\n"
            )
            body = (
                'Content-Type: multipart/alternative; boundary="alt"\n\n'
                f"--alt\nContent-Type: text/plain; charset=utf-8\n\n{text}"
                f"--alt\nContent-Type: text/html; charset=utf-8\n\n{html}--alt--\n"
            )
        else:
            pdf = base64.encodebytes(rng.randbytes(rng.randint(2_000, 40_000))).decode()
            body = (
                'Content-Type: multipart/mixed; boundary="mix"\n\n'
                f"--mix\nContent-Type: text/plain; charset=utf-8\n\n{text}"
                f'--mix\nContent-Type: application/pdf; name="scan-{number}.pdf"\n'
                f'Content-Disposition: attachment; filename="scan-{number}.pdf"\n'
                f"Content-Transfer-Encoding: base64\n\n{pdf}--mix--\n"
            )
        yield (head + body).encode()


def write_mbox(path: Path, count: int) -> None:
    with path.open("wb") as out:
        for raw in mixed_messages(count, seed=3):
            out.write(b"From bench@example.org Sat Jan  1 00:00:00 2022\n")
            out.write(raw.replace(b"\nFrom ", b"\n>From "))
            out.write(b"\n")


def run_one(kind: str, path: Path, store: Path) -> float:
    """One timed pass in this (fresh) process; returns seconds, after checking the count."""
    if kind == "import":
        from bench.bench_mail import fresh_store
        from desktop.services.mail.importer import import_paths

        factory, profile_id = fresh_store(store)
        started = time.perf_counter()
        done = import_paths(factory, profile_id, [path]).added
    elif kind == "get_bytes":
        started = time.perf_counter()
        box = mailbox.mbox(path)
        done = sum(1 for key in box.iterkeys() if box.get_bytes(key))
    else:
        started = time.perf_counter()
        done = sum(1 for _message in mailbox.mbox(path))
    elapsed = time.perf_counter() - started
    if done != MESSAGES:
        raise RuntimeError(f"{kind} handled {done} of {MESSAGES} messages")
    return elapsed


def set_cache(path: Path, warm: bool) -> None:
    with path.open("rb") as handle:
        if warm:
            while handle.read(1 << 20):
                pass
        else:
            os.posix_fadvise(handle.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)


def timed_in_child(kind: str, path: Path, folder: Path, warm: bool) -> float:
    store = Path(tempfile.mkdtemp(dir=folder))
    set_cache(path, warm)
    done = subprocess.run(
        [sys.executable, "-m", "bench.bench_import", "--one", kind, str(path), str(store)],
        check=True,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    shutil.rmtree(store)
    return float(done.stdout)


def summary(rates: list[float]) -> str:
    return f"{statistics.median(rates):>7,.0f} msg/s (range {min(rates):,.0f}-{max(rates):,.0f})"


def measure(path: Path, folder: Path, warm: bool) -> dict[str, list[float]]:
    rates: dict[str, list[float]] = {kind: [] for kind in KINDS}
    for run in range(RUNS):
        order = KINDS if run % 2 == 0 else tuple(reversed(KINDS))
        for kind in order:
            rates[kind].append(MESSAGES / timed_in_child(kind, path, folder, warm))
    return rates


def main() -> int:
    folder = Path(tempfile.mkdtemp(prefix="switchboard-bench-import-"))
    try:
        path = folder / "mixed.mbox"
        write_mbox(path, MESSAGES)
        size_mb = path.stat().st_size / 1e6
        print(f"import of a {MESSAGES:,}-message mixed mbox ({size_mb:.0f} MB), {RUNS} runs each, "
              "fresh process per run, orders alternating")  # fmt: skip
        met = True
        for warm in (False, True):
            rates = measure(path, folder, warm)
            cache = "warm (file in page cache)" if warm else "cold (file dropped from page cache)"
            share = statistics.median(rates["import"]) / statistics.median(rates["iterate"])
            floor = statistics.median(rates["import"]) / statistics.median(rates["get_bytes"])
            print(f"  {cache}:")
            print(f"    mailbox.mbox iteration (reference):  {summary(rates['iterate'])}")
            print(f"    mailbox.mbox get_bytes (reads only): {summary(rates['get_bytes'])}")
            print(f"    switchboard import:                  {summary(rates['import'])}")
            print(f"    import / iteration: {share:.0%} (target >= {SHARE_TARGET:.0%}); "
                  f"import / get_bytes: {floor:.0%}")  # fmt: skip
            met = met and share >= SHARE_TARGET
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0 if met else 1


def child(argv: list[str]) -> int:
    kind, path, store = argv
    print(run_one(kind, Path(path), Path(store)))
    return 0


if __name__ == "__main__":
    sys.exit(child(sys.argv[2:]) if sys.argv[1:2] == ["--one"] else main())
