"""A private Postfix on loopback: mail submission as real servers offer it, delivering to Dovecot.

Submission with STARTTLS on one port and implicit TLS on another, SASL through the private
Dovecot's auth socket, and Postfix's own sender check (``reject_sender_login_mismatch``): user
``userN`` may send as ``userN@example.net`` only. Mail for ``example.net`` goes by LMTP into the
Dovecot, so a test reads what arrived over IMAP; mail for any other domain is handed to a pipe
that writes it to files (``outbox/<n>.eml`` and ``<n>.json``). Nothing under /etc is touched: the
instance has its own config folder, spool and log under a temporary folder (the checked recipe of
``shared/notes/real-services.md``).
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import select
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from dovecot import STARTUP_TIMEOUT, Dovecot, free_port

DOMAIN = "example.net"
SMALL_LIMIT = 16_384
_DAEMONS = """\
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
"""
_SUBMISSION = (
    "-o smtpd_sasl_auth_enable=yes -o smtpd_delay_reject=no"
    " -o smtpd_sender_restrictions=reject_sender_login_mismatch,permit_sasl_authenticated,reject"
    " -o smtpd_relay_restrictions=permit_sasl_authenticated,reject"
)
_OUTBOX_SCRIPT = """\
#!/bin/sh
# pipe(8) runs this as "mail": save the message, then (last) who it was for.
dir=$1; id=$2; sender=$3; shift 3
cat > "$dir/$id.eml.tmp" && mv "$dir/$id.eml.tmp" "$dir/$id.eml"
{
  printf '{"sender": "%s", "recipients": [' "$sender"
  sep=""; for r in "$@"; do printf '%s"%s"' "$sep" "$r"; sep=", "; done
  printf ']}\\n'
} > "$dir/$id.json.tmp" && mv "$dir/$id.json.tmp" "$dir/$id.json"
"""


class Postfix:
    def __init__(self, dovecot: Dovecot, root: Path | None = None) -> None:
        self.dovecot = dovecot
        self.root = root or Path(tempfile.mkdtemp(prefix="switchboard-postfix-"))
        self.root.chmod(0o755)  # every parent must be o+x for Postfix's own users
        self.config_dir = self.root / "pf"
        self.spool = self.root / "pf-spool"
        self.outbox = self.root / "outbox"
        self.log = self.root / "postfix.log"
        self.submission_port = free_port()
        self.smtps_port = free_port()
        # Submission that takes messages of at most SMALL_LIMIT bytes, for the SIZE check.
        self.small_port = free_port()

    @property
    def ca_file(self) -> str:
        return self.dovecot.ca_file

    def address(self, user: str) -> str:
        return f"{user}@{DOMAIN}"

    def start(self) -> None:
        self.config_dir.mkdir(exist_ok=True)
        self.outbox.mkdir(exist_ok=True)
        self.spool.mkdir(exist_ok=True)  # postfix makes what is inside
        mail = pwd.getpwnam("mail")
        os.chown(self.outbox, mail.pw_uid, mail.pw_gid)
        script = self.root / "outbox.sh"
        script.write_text(_OUTBOX_SCRIPT)
        script.chmod(0o755)
        (self.config_dir / "master.cf").write_text(self._master_cf())
        main_cf = self.config_dir / "main.cf"
        main_cf.write_text(self._main_cf())
        (self.config_dir / "recipients").write_text(f"/^user[0-9]+@{DOMAIN}$/ ok\n")
        (self.config_dir / "senders").write_text(
            f"/^(user[0-9]+)@{DOMAIN}$/ ${{1}}, ${{1}}@{DOMAIN}\n"
        )
        old = time.time() - 10  # postfix stalls ~2 s on a main.cf younger than that
        for path in self.config_dir.iterdir():
            os.utime(path, (old, old))
        result = subprocess.run(
            ["script", "-qc", f"postfix -c {self.config_dir} start", "/dev/null"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"postfix did not start: {result.stdout[-2000:]}")
        # `postfix start` runs `master -w`, which returns only once the master has bound its
        # listeners: every port answers now, or the start failed.
        closed = [port for port in self._ports() if not _accepts(port)]
        if closed:
            log = self.log.read_text() if self.log.exists() else ""
            raise RuntimeError(f"postfix is not listening on {closed}: {log[-2000:]}")

    def stop(self) -> None:
        """Stop the master and whatever it left serving a client, then wait for the ports."""
        master = self._master_pid()
        if master is not None:
            _end(master)
        for leftover in self._leftovers():
            _end(leftover)

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def delivered(self) -> list[dict[str, object]]:
        """What went to other domains: sender, recipients and the bytes, in arrival order."""
        found = []
        for record in sorted(self.outbox.glob("*.json"), key=lambda p: p.stat().st_mtime_ns):
            entry = json.loads(record.read_text())
            entry["data"] = record.with_suffix(".eml").read_bytes()
            found.append(entry)
        return found

    def _master_pid(self) -> int | None:
        pid_file = self.spool / "pid" / "master.pid"
        try:
            return int(pid_file.read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def _leftovers(self) -> list[int]:
        """smtpd outlives its master while a client holds a connection."""
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdecimal():
                continue
            try:
                cwd = os.readlink(entry / "cwd")
            except OSError:
                continue
            if cwd.startswith(str(self.root)):
                found.append(int(entry.name))
        return found

    def _ports(self) -> tuple[int, ...]:
        return (self.submission_port, self.smtps_port, self.small_port)

    def _master_cf(self) -> str:
        return (
            _DAEMONS + f"127.0.0.1:{self.submission_port} inet n - n - - smtpd"
            f" -o smtpd_tls_security_level=encrypt -o smtpd_tls_auth_only=yes {_SUBMISSION}\n"
            f"127.0.0.1:{self.smtps_port} inet n - n - - smtpd"
            f" -o smtpd_tls_wrappermode=yes {_SUBMISSION}\n"
            f"127.0.0.1:{self.small_port} inet n - n - - smtpd -o smtpd_tls_security_level=encrypt"
            f" -o smtpd_tls_auth_only=yes -o message_size_limit={SMALL_LIMIT} {_SUBMISSION}\n"
            "outbox unix - n n - - pipe null_sender= user=mail\n"
            f"  argv={self.root}/outbox.sh {self.outbox} ${{queue_id}} ${{sender}} ${{recipient}}\n"
        )

    def _main_cf(self) -> str:
        return f"""\
compatibility_level = 3.6
myhostname = mail.{DOMAIN}
mydomain = {DOMAIN}
mydestination =
alias_maps =
alias_database =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
queue_directory = {self.spool}
data_directory = {self.root}/pf-data
maillog_file = {self.log}
maillog_file_prefixes = {self.root}
smtpd_tls_cert_file = {self.dovecot.cert}
smtpd_tls_key_file = {self.dovecot.key}
virtual_mailbox_domains = {DOMAIN}
virtual_mailbox_maps = regexp:{self.config_dir}/recipients
virtual_transport = lmtp:inet:127.0.0.1:{self.dovecot.lmtp_port}
lmtp_destination_recipient_limit = 1
default_transport = outbox:catchall
relay_transport = outbox:catchall
outbox_destination_recipient_limit = 1000
smtpd_sasl_type = dovecot
smtpd_sasl_path = {self.dovecot.auth_socket}
smtpd_sender_login_maps = regexp:{self.config_dir}/senders
local_header_rewrite_clients =
message_drop_headers =
"""


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def _end(pid: int) -> None:
    """TERM the process and wait for its exit itself (a pidfd becomes readable), so that its
    ports are closed when this returns."""
    try:
        handle = os.pidfd_open(pid)
    except ProcessLookupError:
        return
    try:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        ready, _, _ = select.select([handle], [], [], STARTUP_TIMEOUT)
        if not ready:
            raise RuntimeError(f"postfix process {pid} did not stop")
    finally:
        os.close(handle)
