"""The one exception a user mistake becomes: the CLI prints it without a traceback."""

from __future__ import annotations

from scaffold import interrupts


class ScaffoldError(Exception):
    """A problem the user can fix; `hint` says how."""

    def __init__(self, message: str, hint: str | None = None, exit_code: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.exit_code = exit_code


def interrupted(what: str) -> ScaffoldError:
    """Ctrl-C (or SIGTERM/SIGHUP) as one message saying what it left, and its exit code:
    128 + the signal (see `scaffold.interrupts`)."""
    return ScaffoldError(what, exit_code=128 + interrupts.stop_signal())
