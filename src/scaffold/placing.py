"""Moving a finished render into DEST, all or nothing.

The render is made in a staging directory on DEST's filesystem: inside DEST when it exists (so
only DEST needs to be writable), beside it otherwise. A new DEST is one rename. An existing DEST
(empty, or `--force`) receives the render file by file: every clash that could stop the moves is
looked for first, each file it replaces is set aside, and any failure puts back every file as
it was, so DEST never holds half a project.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from scaffold.errors import ScaffoldError

STAGING_PREFIX = ".scaffold-staging-"


def staging_root(dest: Path) -> Path:
    """A new hidden directory to render in, on DEST's filesystem."""
    where = dest if dest.is_dir() else _nearest_dir(dest)
    return Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=where))


def place(staged: Path, dest: Path, set_aside: Path) -> None:
    """Move the render in `staged` to `dest`; replaced files go to `set_aside` (the caller
    removes it with the staging root once this returns)."""
    if not dest.exists():
        dest.parent.mkdir(parents=True, exist_ok=True)
        staged.rename(dest)
        return
    _refuse_clashes(staged, dest)
    moves = _Moves(set_aside)
    try:
        moves.merge(staged, dest)
    except BaseException:
        moves.undo()
        raise


def _nearest_dir(dest: Path) -> Path:
    parent = dest.parent
    while not parent.is_dir():
        parent = parent.parent
    return parent


def _refuse_clashes(staged: Path, dest: Path) -> None:
    """What would stop the moves halfway, found before the first one."""
    for directory, subdirectories, names in os.walk(staged):
        relative = Path(directory).relative_to(staged)
        target_dir = dest / relative
        if target_dir.is_dir() and not os.access(target_dir, os.W_OK | os.X_OK):
            raise ScaffoldError(f"Cannot write into {target_dir}: permission denied.")
        for name in names:
            if (target_dir / name).is_dir() and not (target_dir / name).is_symlink():
                raise ScaffoldError(
                    f"{target_dir / name} is a directory of yours where the template has a file.",
                    hint="Move it aside, then run scaffold new again. Nothing was changed.",
                )
        # A directory that does not exist in DEST moves in whole: no need to look inside.
        subdirectories[:] = [name for name in subdirectories if (target_dir / name).is_dir()]


class _Moves:
    """Renames done so far, to undo in reverse order."""

    def __init__(self, set_aside: Path) -> None:
        self.set_aside = set_aside
        self.done: list[tuple[Path, Path]] = []  # (from, to)

    def rename(self, source: Path, target: Path) -> None:
        source.rename(target)
        self.done.append((source, target))

    def merge(self, staged_dir: Path, dest_dir: Path) -> None:
        for entry in sorted(staged_dir.iterdir()):
            target = dest_dir / entry.name
            if entry.is_dir() and target.is_dir() and not target.is_symlink():
                self.merge(entry, target)
                continue
            if os.path.lexists(target):  # --force: the render replaces the user's file
                self.set_aside.mkdir(parents=True, exist_ok=True)
                self.rename(target, self.set_aside / f"{len(self.done)}-{entry.name}")
            self.rename(entry, target)

    def undo(self) -> None:
        for source, target in reversed(self.done):
            try:
                target.rename(source)
            except OSError:
                continue  # put back all that can be
