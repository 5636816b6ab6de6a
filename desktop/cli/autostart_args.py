"""Arguments of ``switchboard autostart on|off|status``; run by ``autostart_command``."""

from __future__ import annotations

from typing import Any

RUN = "desktop.cli.autostart_command"


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "autostart",
        help="start Switchboard in the tray when you log in to the desktop",
        description="Turn on or off the desktop's autostart entry, which starts Switchboard "
        "with only its tray icon when you log in. It is off until you turn it on.",
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    for name, text in (
        ("on", "start Switchboard in the tray at every login"),
        ("off", "stop starting Switchboard at login"),
        ("status", "say whether Switchboard starts at login"),
    ):
        command = commands.add_parser(name, help=text, description=text[0].upper() + text[1:] + ".")
        command.set_defaults(handler=f"{RUN}:run_{name}")
