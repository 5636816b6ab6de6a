"""One app per user and store: a later launch hands its arguments to the running app and ends.

The socket alone cannot decide who is the app: two launches at the same moment both find no
server. A lock file decides; its holder keeps it until it exits and the OS frees it when the
process dies, even on a crash. So a launch that cannot connect and gets the lock knows the
socket file it finds is a dead app's, removes it and listens; a launch that cannot get the lock
knows another is starting and keeps offering its arguments until that one listens.

The socket lives in the user's runtime folder (private, 0700) with Qt's owner-only access, so
another user on the machine can neither connect nor squat the name. The name hashes the user
and the store, so two stores (or two people) run side by side.
"""

from __future__ import annotations

import getpass
import json
import logging
import os
import sys
import time
from collections.abc import Sequence
from hashlib import sha256
from pathlib import Path

from filelock import FileLock, Timeout
from PySide6.QtCore import QObject, QStandardPaths, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger(__name__)

ANSWER_MS = 1000
"""How long a launch waits for the running app to connect and to take its arguments."""
START_WAIT_S = 10.0
"""How long a launch waits for another one that holds the lock to start listening."""
RETRY_S = 0.05
TAKEN = b"taken\n"
MAX_REQUEST = 64 * 1024


class AppNotAnsweringError(RuntimeError):
    """Another copy holds the lock but takes no arguments (it hangs, or is still starting)."""


def instance_key(store: str) -> str:
    """Names both the socket and the lock file of one user's app on one store."""
    digest = sha256(f"{getpass.getuser()}\n{store}".encode()).hexdigest()[:24]
    return f"switchboard-{digest}"


def server_name(key: str) -> str:
    """A full socket path in the private runtime folder; Windows names a pipe instead."""
    if sys.platform == "win32":
        return key
    runtime = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.RuntimeLocation)
    return os.path.join(runtime, key) if runtime else key


def hand_over(name: str, arguments: Sequence[str], timeout_ms: int = ANSWER_MS) -> bool:
    """True once the running app has taken ``arguments``; False when no app answers."""
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(timeout_ms):
        return False
    socket.write(json.dumps({"arguments": list(arguments)}).encode() + b"\n")
    socket.waitForBytesWritten(timeout_ms)
    deadline = time.monotonic() + timeout_ms / 1000
    reply = b""
    while not reply.endswith(b"\n"):
        left = int((deadline - time.monotonic()) * 1000)
        if left <= 0 or not socket.waitForReadyRead(left):
            break
        reply += socket.readAll().data()
    socket.abort()
    return reply == TAKEN


def claim(
    name: str, lock_path: Path, arguments: Sequence[str], wait_s: float = START_WAIT_S
) -> FileLock | None:
    """The held lock when this process is to be the app (keep it until exit); None when the
    running app took ``arguments``. Raises :class:`AppNotAnsweringError` after ``wait_s``."""
    lock = FileLock(lock_path)
    deadline = time.monotonic() + wait_s
    while True:
        if hand_over(name, arguments):
            return None
        try:
            # Waiting on the lock is the pause between offers to an app that is starting.
            lock.acquire(timeout=RETRY_S)
        except Timeout:
            if time.monotonic() > deadline:
                raise AppNotAnsweringError(name) from None
            continue
        if QLocalServer.removeServer(name):
            log.info("took over from a copy that ended without closing its socket")
        return lock


class InstanceServer(QObject):
    """The running app's end: emits ``arguments_received`` with each later launch's arguments."""

    arguments_received = Signal(list)

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._accept)

    def listen(self) -> bool:
        """False (and logged) when the name is taken: the app still runs, just alone."""
        listening = self._server.listen(self.name)
        if not listening:
            log.warning("later launches cannot reach this app: %s", self._server.errorString())
        return listening

    def close(self) -> None:
        self._server.close()

    def _accept(self) -> None:
        while (socket := self._server.nextPendingConnection()) is not None:
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(socket.deleteLater)

    def _read(self, socket: QLocalSocket) -> None:
        if not socket.canReadLine():
            if socket.bytesAvailable() > MAX_REQUEST:
                socket.abort()
            return
        arguments = _arguments(bytes(socket.readLine().data()))
        if arguments is None:
            socket.abort()
            return
        socket.write(TAKEN)
        socket.flush()
        socket.disconnectFromServer()
        self.arguments_received.emit(arguments)


def _arguments(line: bytes) -> list[str] | None:
    try:
        request = json.loads(line)
    except ValueError:
        return None
    arguments = request.get("arguments") if isinstance(request, dict) else None
    if not isinstance(arguments, list) or not all(isinstance(a, str) for a in arguments):
        return None
    return arguments
