"""Stop requests (Ctrl-C, SIGTERM, SIGHUP), from the first line of `scaffold` to its exit.

`install` runs first, before any library is imported, so a request at any moment after it
becomes one KeyboardInterrupt, which the commands turn into one message saying what was left
(`errors.interrupted`, exit 128 + the signal). SIGTERM and SIGHUP stop the process as Ctrl-C does,
so that every cleanup runs. A signal that was ignored when scaffold started (`nohup`, a background
job) stays ignored.

A request raises KeyboardInterrupt once: later ones are noted, so a cleanup under way (removing a
staging folder, putting files back) is never cut short, nor is the message that follows. One
that Python drops (raised while it finalized an object) is asked again a moment later. Inside
`held()` a request waits until the block ends, then is heeded as if it came then: what the block
does (moving a project into place) is done whole or not at all. After `settle()` the process
only reports and exits: a request is noted and never kills it, through the interpreter's own
shutdown included (where Python's handlers are gone and a signal would otherwise kill it
silently).
"""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import sys
from collections.abc import Callable, Iterator

STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)


class _State:
    received: list[int] = []  # every stop request, in order
    raised = False  # the one KeyboardInterrupt a request may raise has been raised
    holding = 0  # depth of `held()` blocks
    waiting: int | None = None  # the signal of a request that came during `held()`
    settled = False


def install() -> None:
    """Handle stop requests from now on (call it before anything else)."""
    for signum in STOP_SIGNALS:
        if signal.getsignal(signum) is not signal.SIG_IGN:
            signal.signal(signum, _on_stop)
    sys.unraisablehook = functools.partial(_unraisable, sys.unraisablehook)


def _unraisable(python_hook: Callable[[object], None], unraisable: object) -> None:
    """A stop request's KeyboardInterrupt raised while Python finalized an object (a `__del__`,
    a weakref callback) is dropped by Python, after printing it: ask again, silently, so that
    the code that runs next heeds it."""
    if isinstance(getattr(unraisable, "exc_value", None), KeyboardInterrupt) and _State.raised:
        _State.raised = False
        if not _State.settled:  # a moment later, out of the finalizer (or again, if not)
            signal.signal(signal.SIGALRM, _on_retry)
            signal.setitimer(signal.ITIMER_REAL, 0.01)
        return
    python_hook(unraisable)


def _on_retry(signum: int, frame: object) -> None:
    if not _State.settled:
        _request(stop_signal())


def received() -> list[int]:
    """The stop requests received before the process settled, first first."""
    return list(_State.received)


def stop_signal() -> int:
    """The signal an interruption reports (exit status 128 + it): the first request's, or
    SIGINT for Ctrl-C typed into a prompt (a key, not a signal)."""
    return _State.received[0] if _State.received else signal.SIGINT


@contextlib.contextmanager
def held() -> Iterator[None]:
    """A block that a stop request does not break into: one that comes meanwhile is heeded
    once the block is done (if the block itself did not raise), as if it came then."""
    _State.holding += 1
    try:
        yield
    finally:
        _State.holding -= 1
    if not _State.holding and _State.waiting is not None:
        signum, _State.waiting = _State.waiting, None
        _heed(signum)


def settle() -> None:
    """From here on the process only reports and exits: stop requests are noted, never acted
    on, until it has exited."""
    _State.settled = True
    # Blocked, a signal waits unhandled until the process is gone; ignored, it is dropped.
    # Blocking first lets a signal already on its way run the noting handler, not the race.
    signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    for signum in STOP_SIGNALS:
        signal.signal(signum, signal.SIG_IGN)


def _on_stop(signum: int, frame: object) -> None:
    if _State.settled:
        return  # the outcome is known: a request changes nothing any more
    _State.received.append(signum)
    _request(signum)


def _request(signum: int) -> None:
    if _State.holding:
        _State.waiting = signum if _State.waiting is None else _State.waiting
        return
    _heed(signum)


def _heed(signum: int) -> None:
    """Stop as the request asks: once, and by way of whoever handles Ctrl-C at this moment."""
    if _State.raised or _State.settled:
        return
    current = signal.getsignal(signal.SIGINT)
    if signum != signal.SIGINT and current not in (_on_stop, signal.SIG_IGN, signal.SIG_DFL, None):
        # Someone handles Ctrl-C right now (an open prompt restores the terminal first, a batch
        # lets the students under way finish): pass the request on as Ctrl-C.
        _State.raised = True
        os.kill(os.getpid(), signal.SIGINT)
        return
    _State.raised = True
    raise KeyboardInterrupt
