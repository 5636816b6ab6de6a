"""Arguments of ``switchboard id encode|decode``; run by ``desktop.cli.id_command``."""

from __future__ import annotations

import argparse
from typing import Any

RUN = "desktop.cli.id_command"


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "id",
        help="turn support IDs into sentences and back",
        description="Support IDs as sentences that can be read over the phone, e.g. "
        "'20 exultant leopards strode intensely'.",
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--layout",
        default="32",
        metavar="16|32|64",
        help="ID size in bits, or a layout name (default: 32, the classic layout)",
    )
    common.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object per item, with corrections and candidates",
    )
    encode = commands.add_parser(
        "encode",
        parents=[common],
        help="print the sentence of each ID",
        description="Print one sentence per ID. Without IDs, read one per line from stdin.",
    )
    encode.add_argument("ids", nargs="*", metavar="INT")
    encode.set_defaults(handler=f"{RUN}:run_encode")
    decode = commands.add_parser(
        "decode",
        parents=[common],
        help="print the ID of each sentence",
        description="Print one ID per sentence; typos, singulars, number words and British "
        "spellings are forgiven and reported with --json. Quote each sentence; without "
        "sentences, read one per line from stdin.",
    )
    decode.add_argument("sentences", nargs="*", metavar="SENTENCE")
    decode.set_defaults(handler=f"{RUN}:run_decode")
