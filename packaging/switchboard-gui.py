"""The bundle's ``switchboard-gui``: the function the installed ``switchboard-gui`` runs."""

from desktop.gui.launch import main

raise SystemExit(main())
