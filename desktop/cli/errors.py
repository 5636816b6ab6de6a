"""The one exception type a command raises to end with a clear line on stderr."""

from __future__ import annotations

USAGE_ERROR = 2


class CliError(Exception):
    """Bad input or a refused action: printed as ``switchboard: error: ...``, nothing changed."""

    def __init__(self, message: str, exit_code: int = USAGE_ERROR) -> None:
        super().__init__(message)
        self.exit_code = exit_code
