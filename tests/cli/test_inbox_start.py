"""``switchboard inbox`` loads what signing in and reading a page need, and nothing else: the
composer, the outbox, the audit queries, an HTTP client and the upgrade machinery are loaded only
by the commands that use them, so the command starts in the time its own imports take."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from sqlalchemy import Engine

from desktop.cli.arguments import PASSWORD_ENV

NOT_FOR_READING = (
    "alembic",
    "filelock",
    "email_validator",
    "http.client",
    "imapclient",
    "desktop.services.audit",
    "desktop.services.audit_queries",
    "desktop.services.mail.compose",
    "desktop.services.mail.draft_sending",
    "desktop.services.mail.outbox",
    "desktop.services.mail.remote_content",
    "desktop.services.mail.sync_owner",
)

#: Runs the command in this process, then prints its exit code and which of those it loaded.
PROBE = """
import json, sys
from desktop.cli.main import main
code = main(sys.argv[2:])
loaded = sorted(set(json.loads(sys.argv[1])) & set(sys.modules))
print(json.dumps({"code": code, "loaded": loaded}), file=sys.stderr)
"""


def test_the_inbox_loads_no_composer_outbox_audit_http_or_upgrade(sqlite_engine: Engine) -> None:
    url = sqlite_engine.url.render_as_string(hide_password=False)
    result = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(NOT_FOR_READING), "--database-url", url,
         "inbox", "--user", "nobody"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, PASSWORD_ENV: "any password"},
    )  # fmt: skip
    report = json.loads(result.stderr.splitlines()[-1])
    assert "no user" in result.stderr  # it got as far as signing in, past every import it makes
    assert report == {"code": 2, "loaded": []}
