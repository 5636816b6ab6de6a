"""A process that encrypts a plain store and SIGKILLs itself at one named point: the kill test's
victim. Run as ``python encrypt_child.py DATABASE_URL LOGIN POINT`` with the password on stdin;
prints "done" when the encryption finished (a point of "none" never kills).
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

from desktop.services.passwords import CHEAP_TEST_COST
from desktop.services.secrets import SecretStore
from desktop.services.store_opening import StoreDoor
from desktop.services.store_upgrade import StoreEncryption
from desktop.store import key_slots
from desktop.store.cipher_export import Step

MID_EXPORT = "mid-export"
KEY_FILE_UNRENAMED = "key-file-unrenamed"
AFTER_RETURN = "after-return"
POINTS = [
    *(step.value for step in Step),
    MID_EXPORT,
    KEY_FILE_UNRENAMED,
    AFTER_RETURN,
]


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def main() -> None:
    url, login, point = sys.argv[1], sys.argv[2], sys.argv[3]
    password = sys.stdin.readline().rstrip("\n")
    if point == KEY_FILE_UNRENAMED:
        replace = os.replace

        def replace_or_die(source: object, target: object) -> None:
            if Path(str(target)).name.endswith(".encrypting.keys"):
                die()  # the key file's temporary is written and fsynced, not yet renamed
            replace(source, target)  # type: ignore[arg-type]

        key_slots.os.replace = replace_or_die  # type: ignore[assignment]

    def on_step(step: Step) -> None:
        if step.value == point:
            die()

    def on_progress(fraction: float) -> None:
        if point == MID_EXPORT and fraction > 0:
            die()

    door = StoreDoor(url, secrets=SecretStore.in_memory(), password_cost=CHEAP_TEST_COST)
    services = StoreEncryption(door).encrypt(
        login, password, on_step=on_step, on_progress=on_progress
    )
    if point == AFTER_RETURN:
        die()
    services.close()
    print("done", flush=True)


if __name__ == "__main__":
    main()
