"""Stop requests (Ctrl-C, SIGTERM, SIGHUP), from the first line of `scaffold` to its exit: the one
place that decides what a stop request does at each moment.

`install` runs first, before any library is imported, so a request at any moment after it goes
to one handler. SIGTERM and SIGHUP stop the process as Ctrl-C does, so that every cleanup runs;
a signal that was ignored when scaffold started (`nohup`, a background job) stays ignored. What
the handler does depends on the block the process is in:

- anywhere: the request raises KeyboardInterrupt, once, which the commands turn into one message
  saying what was left (`errors.interrupted`, exit 128 + the signal). Later requests are noted,
  so a cleanup under way (removing a staging folder, putting files back) is never cut short, nor
  is the message that follows. One that Python drops (raised while it finalized an object) is
  asked again a moment later.
- `held()`: the request waits until the block ends, then is heeded as if it came then, so what
  the block does (moving a project into place, removing a temporary folder) is whole or not at
  all.
- `noted()`: the request is noted for the caller and never raised, so the caller finishes what it
  started (the students under way of a batch, git's merge in `update`), says what it did, then
  stops.
- after `settle()`: the process only reports and exits; a request is noted and never kills it,
  through the interpreter's own shutdown included (where Python's handlers are gone and a signal
  would otherwise kill it silently).

A terminal sends Ctrl-C, and SIGHUP when it closes, to the whole process group: to git and to
worker processes too, which would die halfway (and git leave its lock files). What must finish
is kept out of its reach: a single git command that changes a project runs in a session of its
own (`subprocess`'s `start_new_session`; `merging`, `remotes`), and processes started from a
thread holding the stop signals `blocked()` (a batch's workers, multiprocessing's resource
tracker, pushes from threads that `block()` them) inherit the mask: the signals wait, unhandled,
until the process exits.
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


class Stops:
    """The stop requests a `noted()` block received, first first."""

    def __init__(self) -> None:
        self.signals: list[int] = []

    @property
    def requested(self) -> bool:
        return bool(self.signals)

    @property
    def first(self) -> int:
        return self.signals[0]


class _State:
    received: list[int] = []  # every stop request, in order
    raised = False  # the one KeyboardInterrupt a request may raise has been raised
    holding = 0  # depth of `held()` blocks
    waiting: int | None = None  # the signal of a request that came during `held()`
    noting: Stops | None = None  # the innermost `noted()` block's
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


@contextlib.contextmanager
def noted() -> Iterator[Stops]:
    """A block in which stop requests are noted (in the `Stops` yielded), never raised: the
    block finishes what it started, then its caller says what was done and stops. A request
    held back by a `held()` block inside is noted when that block ends."""
    stops, outer = Stops(), _State.noting
    # Handled here even where `install` did not run (scaffold used as a library, a test).
    handlers = {
        signum: signal.signal(signum, _on_stop)
        for signum in STOP_SIGNALS
        if signal.getsignal(signum) not in (_on_stop, signal.SIG_IGN)
    }
    _State.noting = stops
    try:
        yield stops
    finally:
        _State.noting = outer
        for signum, handler in handlers.items():
            signal.signal(signum, handler)
        if outer is not None:
            outer.signals += stops.signals
        elif stops.requested:  # the caller stops now, and says so: a request is its one stop
            _State.raised = True


def block() -> None:
    """Block the stop signals in this thread, and in the processes it starts from now on: they
    wait, unhandled, while it works (a worker's, a pushing thread's whole life)."""
    if hasattr(signal, "pthread_sigmask"):  # not on Windows
        signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)


@contextlib.contextmanager
def blocked() -> Iterator[None]:
    """The stop signals wait while this block runs in this thread, and in the processes it
    starts meanwhile for their whole life; a request that came meanwhile is handled when the
    block ends."""
    if not hasattr(signal, "pthread_sigmask"):  # not on Windows
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


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
    """Stop as the request asks: noted for a `noted()` block, else once, by way of whoever
    handles Ctrl-C at this moment."""
    if _State.settled:
        return
    if _State.noting is not None:
        _State.noting.signals.append(signum)
        return
    if _State.raised:
        return
    current = signal.getsignal(signal.SIGINT)
    if signum != signal.SIGINT and current not in (_on_stop, signal.SIG_IGN, signal.SIG_DFL, None):
        # Someone handles Ctrl-C right now (an open prompt restores the terminal first): pass
        # the request on as Ctrl-C.
        _State.raised = True
        os.kill(os.getpid(), signal.SIGINT)
        return
    _State.raised = True
    raise KeyboardInterrupt
