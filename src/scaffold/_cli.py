"""The entry point of `scaffold` and `python -m scaffold`: every way a run ends is one exit status
with at most one message, never a traceback for a user's mistake or a stop request.

Stop requests (Ctrl-C, SIGTERM, SIGHUP) are handled from `main`'s first line, before typer and
the commands (`scaffold._app`) are imported: a request while they load says that nothing was
changed, with exit status 128 + the signal. This module imports nothing else, so that moment
comes early. Once the command's outcome is known the process settles (`interrupts.settle`): a
request then changes nothing, and cannot kill the process while the interpreter shuts down.
"""

from __future__ import annotations

import os
import sys

from scaffold import interrupts


def main() -> None:
    """Run the command line and exit with its outcome."""
    interrupts.install()  # first: from here on a stop request gets its message
    try:
        status = _run()
        interrupts.settle()
    except KeyboardInterrupt:  # outside any command: while loading, parsing or wrapping up
        status = None
        interrupts.settle()  # a request raises only once: this one cannot be interrupted
    code, message, hint = _outcome(status)
    if message:
        _say(message, hint)
    raise SystemExit(code)


def _run() -> object:
    """Run typer's app; its exit status (None: stopped outside a command)."""
    from scaffold import _app  # typer and the commands: most of the start-up time

    try:
        _app.app()
    except SystemExit as exit:
        return exit.code
    except Exception:
        if not interrupts.received():
            raise  # a bug: the traceback is what a report needs
        return None  # a library turned the stop request into an error of its own
    return 0


def _outcome(status: object) -> tuple[object, str | None, str | None]:
    """The command's own outcome if it ran to one; else an interruption, if a stop request
    came (typer turns one it sees into a silent 130); else typer's status (--help, a usage
    error)."""
    app = sys.modules.get("scaffold._app")
    recorded = app.outcome() if app is not None else None
    if recorded is not None:
        return recorded
    if status is None or interrupts.received():
        from scaffold.errors import interrupted

        error = interrupted("Interrupted: nothing was changed.")
        return error.exit_code, error.message, None
    return status, None, None


def _say(message: str, hint: str | None) -> None:
    """The one message, in plain text: it must be said even when a stop request came while the
    libraries that draw the rest of the output were being imported."""
    colour = sys.stderr.isatty() and "NO_COLOR" not in os.environ
    label = "\x1b[31mError:\x1b[0m" if colour and os.environ.get("TERM") != "dumb" else "Error:"
    sys.stderr.write(f"{label} {message}\n" + (f"{hint}\n" if hint else ""))
    sys.stderr.flush()
