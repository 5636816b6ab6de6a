"""A profile thread that reports after the window's scheduler is gone must not log a crash.

``SyncScheduler.close`` stops the listening, but a step that already copied the owner's
listeners reports once more; here the scheduler is deleted without closing, which is that race
held open.
"""

from __future__ import annotations

import logging

import pytest
import shiboken6
from conftest import Seeded

from desktop.gui.session.sync_scheduler import SyncScheduler
from desktop.services.mail.imap_sync import SyncError


def test_a_report_after_the_scheduler_is_deleted_is_dropped_quietly(
    seeded: Seeded, caplog: pytest.LogCaptureFixture
) -> None:
    owner = seeded.services.mail_sync
    shiboken6.delete(SyncScheduler(owner, lambda: seeded.actor))

    with caplog.at_level(logging.ERROR), pytest.raises(SyncError):
        owner.sync_now(seeded.actor, seeded.hospital_id)  # no server: it reports, then fails

    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
