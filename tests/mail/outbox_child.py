"""A process that delivers one profile's outbox and ends: the kill test's victim.

Run as ``python outbox_child.py DATABASE_URL PROFILE_ID``; prints "done" when the batch is over.
"""

from __future__ import annotations

import sys

from mail_helpers import PASSWORD, Passwords, actor_of, mail_sync

from desktop.store.engine import make_engine
from desktop.store.session import make_session_factory


def main() -> None:
    url, profile_id = sys.argv[1], int(sys.argv[2])
    factory = make_session_factory(make_engine(url))
    owner = mail_sync(factory, Passwords({profile_id: PASSWORD}))
    try:
        owner.deliver_now(actor_of(factory, profile_id), profile_id)
    finally:
        owner.close()
    print("done", flush=True)


if __name__ == "__main__":
    main()
