"""What git says of two trees, parsed: the files that differ (`changes`, `tree_changes`) and
what merging them does (`merge_tree`: the merged tree and its conflicts, each of a kind said in
words, with how to settle it). Reading only: nothing here changes a repository.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from scaffold.errors import ScaffoldError

if TYPE_CHECKING:
    from git import Repo

GitRunner = Callable[..., str]  # git(*args, ok_codes=...) -> stdout


@dataclass(frozen=True)
class Change:
    status: str  # "A"dded, "M"odified, "D"eleted, "T"ype changed, "R"enamed (moved)
    path: str
    old_path: str | None = None  # a move's source


@dataclass(frozen=True)
class Conflict:
    path: str
    kind: str  # one of _KINDS
    detail: str = ""  # git's own sentence, for the kinds without a fixed one
    # Where git left it: a file/directory conflict moves the file aside, to PATH~<side>.
    git_path: str = ""

    @property
    def where(self) -> str:
        return self.git_path or self.path

    @property
    def description(self) -> str:
        return _KINDS[self.kind][0] if self.kind != "other" else self.detail

    @property
    def has_markers(self) -> bool:
        return self.kind in ("content", "both added")


# What each kind of conflict is, in words, and how to settle it.
_KINDS = {
    "content": ("both changed lines here", "edit the conflict markers"),
    "both added": ("you and the template both added this file", "edit the conflict markers"),
    "binary": (
        "binary file changed by both: no markers; your version is in the tree",
        "keep yours with `git checkout --ours -- PATH`, or take the template's with "
        "`git checkout --theirs -- PATH`, then `git add PATH`",
    ),
    "you deleted": (
        "you deleted it, the template changed it (the template's version is in the tree)",
        "`git rm PATH` to stay without it, or `git add PATH` to take it back",
    ),
    "template deleted": (
        "you changed it, the template deleted it (your version is in the tree)",
        "`git add PATH` to keep it, or `git rm PATH` to drop it",
    ),
    "moved": (
        "moved on one side, deleted or moved elsewhere on the other: no markers",
        "keep the path you want with `git add`, `git rm` the others",
    ),
    "your file moved": (
        "you have a file where the template adds a directory",
        "git moved your file to GITPATH: `git add GITPATH` keeps it there (rename it with "
        "`git mv` later), `git rm GITPATH` drops it",
    ),
    "template file moved": (
        "the template adds a file where you have a directory",
        "git put the template's file at GITPATH: `git rm GITPATH` to stay without it, or "
        "`git add GITPATH` to keep it there",
    ),
    "other": ("", "see `git status`"),
}


@dataclass
class MergePreview:
    tree: str
    conflicts: list[Conflict] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)  # HEAD -> merged tree, conflicts excluded


def how_to_settle(conflict: Conflict) -> str:
    how = _KINDS[conflict.kind][1].replace("GITPATH", shlex.quote(conflict.where))
    return how.replace("PATH", shlex.quote(conflict.path))


def changes(repo: Repo, old: str, new: str) -> list[Change]:
    """Files added, modified, moved and deleted from commit `old` to commit `new`."""
    return tree_changes(plain_git(repo), old, new, None)


def run_git(
    repo: Repo, args: tuple[str, ...], ok_codes: tuple[int, ...], env: dict[str, str] | None
) -> str:
    status, out, err = repo.git.execute(
        ["git", *args],
        env=env,
        with_extended_output=True,
        with_exceptions=False,
        strip_newline_in_stdout=False,
    )
    if status not in ok_codes:
        raise ScaffoldError(f"git {args[0]} failed: {str(err).strip()}", exit_code=2)
    return str(out)


def plain_git(repo: Repo) -> GitRunner:
    """`git ARGS` in the project, with `RenderStage.project_git`'s call shape."""
    return lambda *args, ok_codes=(0,): run_git(repo, args, ok_codes, None)


def tree_changes(git: GitRunner, old: str, new: str, only: str | None) -> list[Change]:
    # -M: a file the merge moves (the template renamed it) is a move, not a removal and an add.
    args = ["diff-tree", "-r", "-z", "--name-status"]
    args += [f"--diff-filter={only}", "--no-renames"] if only else ["-M"]
    parts = [part for part in git(*args, old, new).split("\0") if part]
    result, index = [], 0
    while index < len(parts):
        status = parts[index][0]
        if status in "RC":
            result.append(Change("R", parts[index + 2], parts[index + 1]))
            index += 3
        else:
            result.append(Change(status, parts[index + 1]))
            index += 2
    return result


def merge_tree(git: GitRunner, ours: str, theirs: str) -> tuple[str, list[Conflict]]:
    """git merge-tree's merged tree and its conflicts, each with its kind."""
    out = git(
        "merge-tree", "--write-tree", "--name-only", "-z", "--messages", ours, theirs,
        ok_codes=(0, 1),  # 1: conflicts
    )  # fmt: skip
    head, _, messages = out.partition("\0\0")
    tree, *paths = [part for part in head.split("\0") if part]
    kinds: dict[str, set[str]] = {path: set() for path in paths}
    texts: dict[str, str] = {}
    real: dict[str, str] = {}  # a file git moved aside (PATH~<side>) -> PATH
    fields = messages.split("\0")
    index = 0
    while index < len(fields) and fields[index].isdigit():
        count = int(fields[index])
        involved = fields[index + 1 : index + 1 + count]
        kind, text = fields[index + 1 + count], fields[index + 2 + count]
        index += count + 3
        for path in involved:
            if path in kinds and kind.startswith("CONFLICT"):
                kinds[path].add(kind)
                texts.setdefault(path, text.strip())
            for other in involved if kind == "CONFLICT (file/directory)" else ():
                if path.startswith(f"{other}~"):
                    real[path] = other
    return tree, [
        _classify(path, kinds[path], texts.get(path, ""), ours, real.get(path)) for path in paths
    ]


def _classify(path: str, kinds: set[str], text: str, ours: str, real: str | None) -> Conflict:
    if real is not None:  # "directory in the way of PATH from SIDE; moving it to PATH~SIDE"
        kind = "your file moved" if f" from {ours};" in text else "template file moved"
        return Conflict(real, kind, git_path=path)
    if "CONFLICT (binary)" in kinds:
        return Conflict(path, "binary")
    if "CONFLICT (modify/delete)" in kinds:
        deleted_by_us = f"deleted in {ours} " in text
        return Conflict(path, "you deleted" if deleted_by_us else "template deleted")
    if any("rename" in kind for kind in kinds):
        return Conflict(path, "moved", text)
    if "CONFLICT (contents)" in kinds:
        return Conflict(path, "both added" if "(add/add)" in text else "content")
    return Conflict(path, "other", text or "conflict")
