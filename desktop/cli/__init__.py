"""The ``switchboard`` command line: argparse subcommands over the same services as the GUI."""
