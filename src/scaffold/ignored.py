"""The user's untracked (ignored) files, symlinks and directories that merging a render would
destroy without a word, found before anything changes so that update can refuse instead.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scaffold.render_stage import RenderStage


def in_the_way(stage: RenderStage, head: str, merged: str, worktree: Path) -> list[InTheWay]:
    """What of the user's, untracked, is where merging tree `merged` into `head` (checked
    out in `worktree`, clean) would write: ignored files, symlinks and directories that git's
    merge would replace or delete without a word (--no-overwrite-ignore does not stop it
    deleting an ignored file where a directory comes, nor with merge-ort overwriting one).

    Only paths the merge writes count, so a file the user stopped tracking, or tracked
    files of their own in the template's place, are no refusal; symlinks are not followed.
    A file identical to the one the merge writes is not in the way: nothing would be lost.
    """
    found: dict[str, InTheWay] = {}
    for change in stage.changes(head, merged, only="A"):
        blocker = _untracked_at(stage, head, merged, worktree, change.path)
        if blocker is not None:
            found.setdefault(blocker.path, blocker)
    return list(found.values())


def _untracked_at(
    stage: RenderStage, head: str, merged: str, worktree: Path, path: str
) -> InTheWay | None:
    parts = path.split("/")
    for depth in range(1, len(parts)):
        parent = "/".join(parts[:depth])
        mode = _lstat_mode(worktree / parent)
        if mode is None:
            return None  # nothing there, so nothing below it either
        if stat.S_ISDIR(mode):
            continue
        if _entry(stage, head, parent) is not None:
            return None  # a committed file of the user's: git's own file/directory conflict
        return InTheWay(parent, _kind_of(mode), path)
    mode = _lstat_mode(worktree / path)
    if mode is None:
        return None
    if stat.S_ISDIR(mode):
        mine = _untracked_below(stage, head, worktree, path)
        return InTheWay(path, "directory", path) if mine else None
    if _same_as(stage, merged, path, worktree / path, mode):
        return None
    return InTheWay(path, _kind_of(mode), path)


def _entry(stage: RenderStage, rev: str, path: str) -> tuple[str, str] | None:
    """(mode, object) of `path` in `rev`'s tree, or None."""
    out = stage.project_git("--literal-pathspecs", "ls-tree", "-z", rev, "--", path)
    for record in out.split("\0"):
        info, _, name = record.partition("\t")
        if name == path:
            mode, _, sha = info.split(" ")
            return mode, sha
    return None


def _untracked_below(stage: RenderStage, head: str, worktree: Path, path: str) -> bool:
    out = stage.project_git(
        "--literal-pathspecs", "ls-tree", "-r", "-z", "--name-only", head, "--", f"{path}/"
    )
    committed = set(out.split("\0"))
    for directory, subdirectories, files in os.walk(worktree / path):
        links = [name for name in subdirectories if os.path.islink(Path(directory, name))]
        for name in [*files, *links]:
            if Path(directory, name).relative_to(worktree).as_posix() not in committed:
                return True
    return False


def _same_as(stage: RenderStage, merged: str, path: str, file: Path, mode: int) -> bool:
    """The worktree's `file` is what the merge writes at `path` (the same kind of entry,
    the same bytes)."""
    entry = _entry(stage, merged, path)
    if entry is None or (entry[0] == "120000") != stat.S_ISLNK(mode):
        return False
    if stat.S_ISLNK(mode):
        return stage.project_git("cat-file", "blob", entry[1]) == os.readlink(file)
    return stage.project_git("hash-object", "--no-filters", "--", str(file)).strip() == entry[1]


@dataclass(frozen=True)
class InTheWay:
    """An untracked (ignored) file, symlink or directory of the user's where a merge writes."""

    path: str
    kind: str  # "file", "symlink" or "directory"
    written: str  # what the merge writes: `path` itself, or a file below it

    @property
    def description(self) -> str:
        if self.written != self.path:
            return (
                f"an ignored {self.kind} of yours, where the new render adds {self.written}: "
                "the merge would delete it"
            )
        if self.kind == "directory":
            return (
                "an ignored directory of yours, where the new render adds a file: the merge "
                "would delete what it holds"
            )
        return f"an ignored {self.kind} of yours, which the new render's {self.path} would replace"


def _lstat_mode(path: Path) -> int | None:
    try:
        return path.lstat().st_mode
    except (FileNotFoundError, NotADirectoryError):
        return None


def _kind_of(mode: int) -> str:
    return "symlink" if stat.S_ISLNK(mode) else "file"
