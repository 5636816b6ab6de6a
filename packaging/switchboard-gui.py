"""The bundle's ``switchboard-gui``: the same function as the installed ``switchboard-gui`` script."""

from desktop.gui.launch import main

raise SystemExit(main())
