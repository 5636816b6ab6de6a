"""The profile set-up's door to server discovery: one blocking call for a worker, and the records
it returns, named here so that widgets never import the services.

The look-up acts as the user who opened the dialog, for a new profile, so its questions are in
that user's egress audit (under the active profile) like every other connection.
"""

from __future__ import annotations

import threading

from desktop.services.authorization import SignedInUser
from desktop.services.container import Services
from desktop.services.discovery import DiscoveryReport
from desktop.services.discovery import discover_servers as _discover_servers
from desktop.services.discovery_net import DiscoveryNetwork

__all__ = ["DiscoveryReport", "ServerFinder"]


class ServerFinder:
    def __init__(
        self, services: Services, actor: SignedInUser, network: DiscoveryNetwork | None = None
    ) -> None:
        """``network`` None: the machine's resolver and the usual ports, read at each look-up."""
        self._services = services
        self._actor = actor
        self._network = network

    def find(self, email: str, stop: threading.Event) -> DiscoveryReport:
        """Blocks for a few seconds at most per question; ``stop`` set ends it early."""
        services = self._services
        return _discover_servers(
            services.session_factory,
            services.authorizer,
            self._actor,
            email,
            network=self._network,
            cancelled=stop.is_set,
        )
