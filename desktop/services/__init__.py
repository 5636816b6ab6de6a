"""Use cases shared by the CLI and the GUI (sign-in, keyring, import, sync); never widgets."""
