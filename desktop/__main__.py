"""Lets ``python -m desktop`` behave exactly like the ``switchboard`` command."""

from desktop.cli.main import main

raise SystemExit(main())
