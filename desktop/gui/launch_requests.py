"""What a launch asked the app for: its window in front, and a message for each mailto: link.

A link's message opens only in an open workspace. Before sign-in, behind the lock screen or
while the store opens, it waits (the sign-in screen says one is waiting, without naming anyone:
the lock screen shows nothing of the person's mail) and opens right after sign-in or unlock.
Signing out drops what waited, since the next person to sign in did not ask for it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QWidget

from desktop.core.compose.mailto import MailtoRequest, is_mailto, parse_mailto
from desktop.gui.controller import AppController
from desktop.gui.single_instance import InstanceServer

log = logging.getLogger(__name__)


def bring_to_front(window: QWidget) -> None:
    """Out of the tray or the taskbar, keeping the window maximized if it was."""
    window.setWindowState(window.windowState() & ~Qt.WindowState.WindowMinimized)
    window.show()
    window.raise_()
    window.activateWindow()


def serve_launches(controller: AppController, name: str) -> LaunchRequests:
    """Later launches' arguments, received on ``name``, go to the returned requests."""
    requests = LaunchRequests(controller)
    server = InstanceServer(name, requests)
    server.arguments_received.connect(requests.take)
    server.listen()
    requests.server = server
    return requests


class LaunchRequests(QObject):
    def __init__(self, controller: AppController) -> None:
        super().__init__(controller)
        self._controller = controller
        self.waiting: list[MailtoRequest] = []
        controller.workspace_shown.connect(self._open_waiting)
        controller.ready.connect(self._open_waiting)
        controller.window.sign_out_requested.connect(self._drop_waiting)
        self.server: InstanceServer | None = None

    def stop(self) -> None:
        """Quitting: later launches start an app of their own instead of handing over."""
        if self.server is not None:
            self.server.close()

    def take(self, arguments: Sequence[str]) -> None:
        """A later launch's arguments: the window comes to the front, links become messages."""
        bring_to_front(self._controller.window)
        self.take_links(arguments)

    def take_links(self, arguments: Sequence[str]) -> None:
        for argument in arguments:
            if is_mailto(argument):
                self.waiting.append(parse_mailto(argument))
            else:
                log.warning("ignored a launch argument that is not a mailto: link")
        self._open_waiting()

    def _open_waiting(self) -> None:
        controller = self._controller
        session = controller.session
        if self.waiting and session is not None and session.active is None:
            # Just signed in, the profiles are still loading: the From list would be empty.
            session.active_changed.connect(
                self._open_waiting, Qt.ConnectionType.SingleShotConnection
            )
            return
        if controller.workspace_open:
            waiting, self.waiting = self.waiting, []
            for request in waiting:
                controller.compose.open_link(request)
        self._tell_sign_in()

    def _drop_waiting(self) -> None:
        self.waiting = []
        self._tell_sign_in()

    def _tell_sign_in(self) -> None:
        page = self._controller.sign_in
        if page is None:
            return
        count = len(self.waiting)
        if count == 0:
            text = ""
        elif count == 1:
            text = self.tr("The new message from the link you opened will appear once you sign in.")
        else:
            text = self.tr(
                "The {n} new messages from the links you opened will appear once you sign in."
            ).format(n=count)
        page.show_waiting(text)
