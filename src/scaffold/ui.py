"""What the commands share about talking to the user: the console, the terminal, --data."""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import select
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scaffold import _yaml
from scaffold.errors import ScaffoldError

if TYPE_CHECKING:
    from rich.console import Console


@functools.cache
def console() -> Console:
    from rich.console import Console

    return Console(stderr=True, soft_wrap=True)  # never break a path across lines


def is_interactive() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


@contextlib.contextmanager
def output_may_be_gone() -> Iterator[None]:
    """For what is said after the work is done: a reader that went away (`| head`, a pipeline
    Ctrl-C stopped, a closed terminal) ends the saying, not the command or its exit status."""
    try:
        yield
    except OSError as error:
        if not isinstance(error, BrokenPipeError) and error.errno != errno.EIO:
            raise
        forget_closed_output()


def forget_closed_output() -> None:
    """Point stdout and stderr at /dev/null where their reader is gone (a pipe whose reader
    exited, as in `| head` or a pipeline Ctrl-C stopped; a terminal hung up), so that what is
    still said, and Python's flush at exit, fail on neither; an open stream is left as it is."""
    if not hasattr(select, "poll"):
        return
    for stream in (sys.stdout, sys.stderr):
        try:
            fd = stream.fileno()
        except (AttributeError, OSError, ValueError):
            continue
        poller = select.poll()
        poller.register(fd, select.POLLOUT)  # errors and hangups are reported whatever is asked
        events = sum(mask for _, mask in poller.poll(0))
        if events & (select.POLLERR | select.POLLHUP | select.POLLNVAL):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, fd)
            os.close(devnull)


def read_data(pairs: list[str], data_file: Path | None) -> dict[str, Any]:
    """Answers from --data-file (YAML mapping) then --data KEY=VALUE (wins)."""
    data: dict[str, Any] = {}
    if data_file is not None:
        try:
            loaded = _yaml.safe_load(data_file.read_text(encoding="utf-8"))
        except OSError as error:
            raise ScaffoldError(f"Cannot read --data-file {data_file}: {error.strerror}") from error
        except _yaml.YAMLError as error:
            raise ScaffoldError(f"--data-file {data_file} is not valid YAML: {error}") from error
        if loaded is not None and not isinstance(loaded, dict):
            raise ScaffoldError(f"--data-file {data_file} must hold a mapping of KEY: VALUE.")
        data.update({str(key): value for key, value in (loaded or {}).items()})
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ScaffoldError(f"--data {pair!r} is not KEY=VALUE.", hint=_dash_hint(pair))
        data[key.strip()] = value  # Copier converts it to the question's type
    return data


def _dash_hint(value: str) -> str | None:
    """A folder named like `-dash` reads as `-d ash` (`--data ash`): say how to name it."""
    folder = f"-d{value}"
    if not Path(folder).exists():
        return None
    return (
        f"If you meant the folder {folder}, write it ./{folder} (or put -- before it: "
        f"`-- {folder}`): a word starting with - is read as an option."
    )
