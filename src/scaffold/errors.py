"""The one exception a user mistake becomes: the CLI prints it without a traceback."""

from __future__ import annotations

import os
import signal


class ScaffoldError(Exception):
    """A problem the user can fix; `hint` says how."""

    def __init__(self, message: str, hint: str | None = None, exit_code: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.exit_code = exit_code


# The signal that asked scaffold to stop, when it was not Ctrl-C (see `stop_on_signal`).
_stopped_by: list[int] = []


def stop_on_signal(signum: int, frame: object) -> None:
    """SIGTERM/SIGHUP handler: stop as Ctrl-C does, so that every cleanup runs.

    It passes the stop on as SIGINT: an open prompt (prompt_toolkit) handles that one itself and
    raises KeyboardInterrupt once its terminal is restored. Where SIGINT is ignored, it raises
    KeyboardInterrupt directly. The exit status still names the signal: 128 + its number.
    """
    _stopped_by.append(signum)
    if signal.getsignal(signal.SIGINT) in (signal.SIG_IGN, None):
        raise KeyboardInterrupt
    os.kill(os.getpid(), signal.SIGINT)


def interrupted(what: str) -> ScaffoldError:
    """Ctrl-C (or SIGTERM/SIGHUP) as one message saying what it left, and its exit code."""
    return ScaffoldError(what, exit_code=128 + (_stopped_by[0] if _stopped_by else signal.SIGINT))
