"""The one exception a user mistake becomes: the CLI prints it without a traceback."""

from __future__ import annotations


class ScaffoldError(Exception):
    """A problem the user can fix; `hint` says how."""

    def __init__(self, message: str, hint: str | None = None, exit_code: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.exit_code = exit_code
