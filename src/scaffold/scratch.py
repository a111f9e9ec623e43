"""Temporary folders in TMPDIR (a render to merge, an object store, the layers' merged view) that
a stop request never leaves behind: each is made and known, and removed whole, before a request
that came meanwhile is heeded (`interrupts.held`).
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from scaffold import interrupts


def make(prefix: str) -> Path:
    """A new temporary folder; the caller removes it with `remove`."""
    with interrupts.held():
        return Path(tempfile.mkdtemp(prefix=prefix))


def remove(path: Path) -> None:
    with interrupts.held():
        shutil.rmtree(path, ignore_errors=True)


@contextlib.contextmanager
def folder(prefix: str) -> Iterator[Path]:
    """A temporary folder for the block, removed whole afterwards, whatever stops the block."""
    path = None
    try:
        with interrupts.held():  # made and known, so that it is removed
            path = Path(tempfile.mkdtemp(prefix=prefix))
        yield path
    finally:
        if path is not None:
            remove(path)
