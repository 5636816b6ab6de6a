"""A private Dovecot on loopback for the tests and benchmarks: own config, users, Maildirs, TLS.

It runs from a world-traversable temporary folder (Dovecot's auth and mail processes run as other
users than root) with a certificate made on the spot. Mail is delivered by writing Maildir files
directly, owned by the ``mail`` user Dovecot serves them as: much faster than IMAP APPEND, and the
server notices them at the next SELECT like mail from a local delivery agent.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

STARTUP_TIMEOUT = 15.0
MAIL_SERVER_PASSWORD = "correct-horse-battery-staple"
"""What the tests' mail users sign in with (a static passdb: one password for every user)."""
# A passwd-file is re-read at most once a second, so users added in a burst would be refused;
# a static passdb (any user name, this one password) has no such lag.
_unique = itertools.count()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def make_certificate(
    folder: Path, common_name: str = "localhost", loopback_ip: bool = True
) -> tuple[Path, Path]:
    cert, key = folder / f"{common_name}-cert.pem", folder / f"{common_name}-key.pem"
    names = f"DNS:{common_name}" + (",IP:127.0.0.1" if loopback_ip else "")
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-subj", f"/CN={common_name}",
            "-addext", f"subjectAltName={names}",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    key.chmod(0o640)
    return cert, key


class Dovecot:
    def __init__(
        self,
        password: str,
        root: Path | None = None,
        certificate_name: str = "localhost",
        *,
        special_use: bool = True,
        oauth2_introspection_url: str | None = None,
    ) -> None:
        """``special_use=False``: a server that marks no folder (the apps fall back to names).

        ``oauth2_introspection_url``: also take bearer tokens (XOAUTH2, OAUTHBEARER, for IMAP
        and for Postfix's SASL) and check each with that RFC 7662 endpoint; the password then
        signs in with PLAIN and LOGIN only.
        """
        self.password = password
        self.special_use = special_use
        self.oauth2_introspection_url = oauth2_introspection_url
        self.root = root or Path(tempfile.mkdtemp(prefix="switchboard-dovecot-"))
        self.root.chmod(0o755)
        self.imap_port = free_port()
        self.imaps_port = free_port()
        self.lmtp_port = free_port()
        self.auth_socket = self.root / "auth-smtp"
        """Where Postfix asks Dovecot to check SMTP logins (SASL), see ``tests/postfix.py``."""
        self.mail_root = self.root / "mail"
        self.config = self.root / "dovecot.conf"
        self.mail_user = pwd.getpwnam("mail")
        self.cert, self.key = make_certificate(
            self.root, certificate_name, loopback_ip=certificate_name == "localhost"
        )

    @property
    def ca_file(self) -> str:
        return str(self.cert)

    def start(self) -> None:
        self.mail_root.mkdir(exist_ok=True)
        os.chown(self.mail_root, self.mail_user.pw_uid, self.mail_user.pw_gid)
        if self.oauth2_introspection_url:
            (self.root / "oauth2.conf.ext").write_text(
                "introspection_mode = post\n"
                f"introspection_url = {self.oauth2_introspection_url}\n"
                "username_attribute = username\n"
                "username_format = %Ln\n"
                "active_attribute = active\n"
                "active_value = true\n"
            )
        self.config.write_text(self._config_text())
        subprocess.run(
            ["dovecot", "-c", str(self.config)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=True,
        )
        self._wait(listening=True)
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not self.pid_file.exists() and time.monotonic() < deadline:
            time.sleep(0.02)

    @property
    def pid_file(self) -> Path:
        return self.root / "run" / "master.pid"

    def stop(self) -> None:
        subprocess.run(
            ["doveadm", "-c", str(self.config), "stop"], capture_output=True, check=False
        )
        self._wait(listening=False)

    def kill(self) -> None:
        """Kill the master and every process it started, as a crash or power cut would."""
        master = int(self.pid_file.read_text().strip())
        children = subprocess.run(
            ["pgrep", "-P", str(master)], capture_output=True, text=True, check=False
        ).stdout.split()
        for pid in [master, *map(int, children)]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        # The killed master may linger as a zombie where PID 1 reaps nothing (containers), and
        # Dovecot would take that for a running instance.
        self.pid_file.unlink(missing_ok=True)
        self._wait(listening=False)

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def add_user(self) -> str:
        """A new, empty mailbox; every user shares the server's one password."""
        name = f"user{next(_unique)}"
        maildir = self.maildir(name)
        for sub in ("cur", "new", "tmp"):
            (maildir / sub).mkdir(parents=True)
        for path in [self.mail_root / name, maildir, *(maildir / s for s in ("cur", "new", "tmp"))]:
            os.chown(path, self.mail_user.pw_uid, self.mail_user.pw_gid)
        return name

    def maildir(self, user: str) -> Path:
        return self.mail_root / user / "Maildir"

    def deliver(self, user: str, messages: Iterable[bytes], seen: bool = False) -> int:
        """Drop messages into the user's INBOX as files; returns how many."""
        maildir = self.maildir(user)
        target = maildir / ("cur" if seen else "new")
        count = 0
        stamp = int(time.time())
        for raw in messages:
            name = f"{stamp}.M{next(_unique)}P{os.getpid()}.switchboard-test"
            if seen:
                name += ":2,S"
            tmp = maildir / "tmp" / name
            tmp.write_bytes(raw)
            os.chown(tmp, self.mail_user.pw_uid, self.mail_user.pw_gid)
            tmp.rename(target / name)
            count += 1
        return count

    def doveadm(self, *args: str) -> str:
        result = subprocess.run(
            ["doveadm", "-c", str(self.config), *args], capture_output=True, text=True, check=True
        )
        return result.stdout

    def _wait(self, listening: bool) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.imaps_port), timeout=0.5):
                    up = True
            except OSError:
                up = False
            if up == listening:
                return
            time.sleep(0.05)
        log = (
            (self.root / "dovecot.log").read_text() if (self.root / "dovecot.log").exists() else ""
        )
        state = "start" if listening else "stop"
        raise RuntimeError(f"dovecot did not {state} on port {self.imaps_port}: {log[-2000:]}")

    def _lmtp_text(self) -> str:
        return f"""
protocol lmtp {{
  postmaster_address = postmaster@example.net
}}
service lmtp {{
  inet_listener lmtp {{
    address = 127.0.0.1
    port = {self.lmtp_port}
  }}
}}
"""

    def _special_use_text(self) -> str:
        if not self.special_use:
            return ""
        return "".join(
            f"  mailbox {name} {{\n    special_use = \\{name}\n  }}\n"
            for name in ("Sent", "Drafts", "Trash", "Archive", "Junk")
        )

    def _passdb_text(self) -> str:
        if not self.oauth2_introspection_url:
            return f"passdb {{\n  driver = static\n  args = password={self.password}\n}}\n"
        return f"""passdb {{
  driver = static
  mechanisms = plain login
  args = password={self.password}
}}
passdb {{
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = {self.root}/oauth2.conf.ext
}}
"""

    def _config_text(self) -> str:
        oauth = " xoauth2 oauthbearer" if self.oauth2_introspection_url else ""
        lmtp = Path("/usr/lib/dovecot/lmtp").exists()  # dovecot-lmtpd: only Postfix needs it
        return f"""
instance_name = switchboard-test-{self.imaps_port}
base_dir = {self.root}/run
state_dir = {self.root}/state
log_path = {self.root}/dovecot.log
protocols = imap{" lmtp" if lmtp else ""}
listen = 127.0.0.1
ssl = yes
ssl_cert = <{self.cert}
ssl_key = <{self.key}
disable_plaintext_auth = no
auth_mechanisms = plain login{oauth}
auth_cache_size = 0
# "user3" and "user3@example.net" (how Postfix delivers over LMTP) are one user.
auth_username_format = %Ln
{self._passdb_text()}userdb {{
  driver = static
  args = uid=mail gid=mail home={self.mail_root}/%u allow_all_users=yes
}}
first_valid_uid = {self.mail_user.pw_uid}
first_valid_gid = {self.mail_user.pw_gid}
mail_location = maildir:~/Maildir
mail_fsync = never
namespace inbox {{
  inbox = yes
{self._special_use_text()}}}
service auth {{
  unix_listener {self.auth_socket} {{
    mode = 0666
  }}
}}
{self._lmtp_text() if lmtp else ""}service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.imap_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {self.imaps_port}
    ssl = yes
  }}
}}
"""
