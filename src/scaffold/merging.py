"""Merging a new render into the project: its commit, a preview, the merge, and its conflicts.

New objects go to a temporary object directory first (`RenderStage`) that borrows the project's
objects. A dry run, an "already up to date" or a refusal after rendering leave `.git` exactly as
it was; only a real update moves the objects in, just before merging. The preview also finds
the ignored files the merge would destroy (`RenderStage.in_the_way`), and the merge itself runs
whole, whatever signal comes (in a session of its own: see `scaffold.interrupts`).
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from scaffold import scratch
from scaffold.errors import ScaffoldError
from scaffold.git import GitFailed, Identity, write_render_tree

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


class RenderStage:
    """A temporary object store for turning a render directory into a commit, and previewing.

    It is a throwaway bare repository whose objects fall back to the project's (git
    alternates), so commits in it can have project commits as parents without copying them.
    """

    def __init__(self, repo: Repo) -> None:
        from git import Git

        self.repo = repo
        self.project_objects = Path(repo.common_dir) / "objects"
        self._root = scratch.make("scaffold-stage-")
        self.git_dir = self._root / "stage.git"
        self.objects = self.git_dir / "objects"
        try:
            # --template= : no hooks, nothing of git's sample files.
            Git(str(self._root)).execute(
                ["git", "init", "--quiet", "--bare", "--template=", str(self.git_dir)]
            )
            (self.objects / "info").mkdir(exist_ok=True)
            (self.objects / "info" / "alternates").write_text(f"{self.project_objects}\n")
        except BaseException:
            scratch.remove(self._root)
            raise

    def __enter__(self) -> RenderStage:
        return self

    def __exit__(self, *exc: object) -> None:
        scratch.remove(self._root)

    def write_tree(self, render_dir: Path) -> str:
        """The tree of exactly the files of `render_dir` (see `git.write_render_tree`)."""
        try:
            return write_render_tree(render_dir, self.git_dir)
        except GitFailed as error:
            raise ScaffoldError(str(error), exit_code=2) from error

    def commit_tree(self, tree: str, parents: list[str], message: str, who: Identity | None) -> str:
        """A commit of `tree` (by `who`, or by the user's git identity when None)."""
        args = ["commit-tree", tree, *(arg for parent in parents for arg in ("-p", parent))]
        return self.project_git(*args, "-m", message, env=who.env() if who else None).strip()

    def project_git(
        self, *args: str, ok_codes: tuple[int, ...] = (0,), env: dict[str, str] | None = None
    ) -> str:
        """Run git in the project, reading staged objects too and writing new ones here."""
        objects = {
            "GIT_OBJECT_DIRECTORY": str(self.objects),
            "GIT_ALTERNATE_OBJECT_DIRECTORIES": str(self.project_objects),
        }
        return _run_git(self.repo, args, ok_codes, {**(env or {}), **objects})

    def tree_of(self, rev: str) -> str:
        return self.project_git("rev-parse", f"{rev}^{{tree}}").strip()

    def changes(self, old: str, new: str, only: str | None = None) -> list[Change]:
        return _changes(self.project_git, old, new, only)

    def preview_merge(self, commit: str, head: str = "HEAD") -> MergePreview:
        """What merging `commit` into `head` would do, without touching the worktree or index."""
        tree, conflicts = _merge_tree(self.project_git, head, commit)
        preview = MergePreview(tree=tree, conflicts=conflicts)
        clashes = {path for c in conflicts for path in (c.path, c.where)}
        preview.changes = [
            change
            for change in self.changes(head, tree)
            if change.path not in clashes and change.old_path not in clashes
        ]
        return preview

    def in_the_way(self, head: str, merged: str, worktree: Path) -> list[InTheWay]:
        """What of the user's, untracked, is where merging tree `merged` into `head` (checked
        out in `worktree`, clean) would write: ignored files, symlinks and directories that git's
        merge would replace or delete without a word (--no-overwrite-ignore does not stop it
        deleting an ignored file where a directory comes, nor with merge-ort overwriting one).

        Only paths the merge writes count, so a file the user stopped tracking, or tracked
        files of their own in the template's place, are no refusal; symlinks are not followed.
        A file identical to the one the merge writes is not in the way: nothing would be lost.
        """
        found: dict[str, InTheWay] = {}
        for change in self.changes(head, merged, only="A"):
            blocker = self._untracked_at(head, merged, worktree, change.path)
            if blocker is not None:
                found.setdefault(blocker.path, blocker)
        return list(found.values())

    def _untracked_at(self, head: str, merged: str, worktree: Path, path: str) -> InTheWay | None:
        parts = path.split("/")
        for depth in range(1, len(parts)):
            parent = "/".join(parts[:depth])
            mode = _lstat_mode(worktree / parent)
            if mode is None:
                return None  # nothing there, so nothing below it either
            if stat.S_ISDIR(mode):
                continue
            if self._entry(head, parent) is not None:
                return None  # a committed file of the user's: git's own file/directory conflict
            return InTheWay(parent, _kind_of(mode), path)
        mode = _lstat_mode(worktree / path)
        if mode is None:
            return None
        if stat.S_ISDIR(mode):
            mine = self._untracked_below(head, worktree, path)
            return InTheWay(path, "directory", path) if mine else None
        if self._same_as(merged, path, worktree / path, mode):
            return None
        return InTheWay(path, _kind_of(mode), path)

    def _entry(self, rev: str, path: str) -> tuple[str, str] | None:
        """(mode, object) of `path` in `rev`'s tree, or None."""
        out = self.project_git("--literal-pathspecs", "ls-tree", "-z", rev, "--", path)
        for record in out.split("\0"):
            info, _, name = record.partition("\t")
            if name == path:
                mode, _, sha = info.split(" ")
                return mode, sha
        return None

    def _untracked_below(self, head: str, worktree: Path, path: str) -> bool:
        out = self.project_git(
            "--literal-pathspecs", "ls-tree", "-r", "-z", "--name-only", head, "--", f"{path}/"
        )
        committed = set(out.split("\0"))
        for directory, subdirectories, files in os.walk(worktree / path):
            links = [name for name in subdirectories if os.path.islink(Path(directory, name))]
            for name in [*files, *links]:
                if Path(directory, name).relative_to(worktree).as_posix() not in committed:
                    return True
        return False

    def _same_as(self, merged: str, path: str, file: Path, mode: int) -> bool:
        """The worktree's `file` is what the merge writes at `path` (the same kind of entry,
        the same bytes)."""
        entry = self._entry(merged, path)
        if entry is None or (entry[0] == "120000") != stat.S_ISLNK(mode):
            return False
        if stat.S_ISLNK(mode):
            return self.project_git("cat-file", "blob", entry[1]) == os.readlink(file)
        return self.project_git("hash-object", "--no-filters", "--", str(file)).strip() == entry[1]

    def keep(self) -> None:
        """Move the staged objects into the project (what git's own object quarantine does)."""
        sources = [
            path
            for path in self.objects.rglob("*")
            if path.is_file() and path.relative_to(self.objects).parts[0] != "info"
        ]
        sources.sort(key=lambda path: path.suffix == ".idx")  # a pack's index makes it visible
        for source in sources:
            target = self.project_objects / source.relative_to(self.objects)
            if target.exists():
                continue  # objects are named by their content: the same already
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(f"tmp_scaffold_{os.getpid()}_{target.name}")
            shutil.copy2(source, partial)
            os.replace(partial, target)


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


@dataclass
class MergeOutcome:
    conflicts: list[Conflict]
    uncommitted: str | None = None  # merged, but git could not commit it: its reason

    @property
    def clean(self) -> bool:
        return not self.conflicts and self.uncommitted is None


def fast_forward(repo: Repo, commit: str) -> None:
    """Move HEAD's branch to `commit`, a descendant with HEAD's own files (a recorded base)."""
    status, err = _git_on_its_own(repo, ["merge", "--ff-only", "--quiet", commit])
    if status != 0:
        raise ScaffoldError(f"git merge --ff-only failed: {err.strip()}", exit_code=2)


def merge_render(repo: Repo, commit: str, message: str, who: Identity | None) -> MergeOutcome:
    """`git merge` the render commit into HEAD; on conflicts, leave git's conflict state.

    Ignored files in the way are the caller's to refuse first (`RenderStage.in_the_way`):
    git's --no-overwrite-ignore holds back neither merge-ort nor a directory's arrival.
    """
    # Described before merging, from the same trees git's merge will use.
    _, expected = _merge_tree(_plain_git(repo), "HEAD", commit)
    status, err = _git_on_its_own(
        repo,
        [
            "merge",
            "--no-ff",  # always a merge commit: it names both versions, its 2nd parent the render
            "--no-edit",
            "--no-verify",  # the user's commit hooks judge their own commits, not this one
            "--no-verify-signatures",  # render commits are unsigned
            "-m",
            message,
            commit,
        ],
        who.env() if who else {},
    )
    if status == 0:
        return MergeOutcome(conflicts=[])
    unmerged = _unmerged_paths(repo)
    if unmerged:
        described = {conflict.where: conflict for conflict in expected}
        return MergeOutcome(
            conflicts=[
                described.get(path, Conflict(path, "other", "conflict")) for path in unmerged
            ]
        )
    detail = str(err).strip()
    if (Path(repo.git_dir) / "MERGE_HEAD").exists():  # merged; the commit failed (a gpg key?)
        return MergeOutcome(conflicts=[], uncommitted=detail)
    raise ScaffoldError(f"git merge refused: {detail}", exit_code=2)  # before touching anything


def unmerged_paths(repo: Repo) -> list[str]:
    """The paths git's conflict state leaves to settle."""
    return _unmerged_paths(repo)


def how_to_settle(conflict: Conflict) -> str:
    how = _KINDS[conflict.kind][1].replace("GITPATH", _quoted(conflict.where))
    return how.replace("PATH", _quoted(conflict.path))


def changes(repo: Repo, old: str, new: str) -> list[Change]:
    """Files added, modified, moved and deleted from commit `old` to commit `new`."""
    return _changes(_plain_git(repo), old, new, None)


# --- git's outputs, parsed ---------------------------------------------------------------------


def _run_git(
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


def _git_on_its_own(
    repo: Repo, args: list[str], env: dict[str, str] | None = None
) -> tuple[int, str]:
    """(status, stderr) of `git ARGS` in the project, run in a session of its own: a terminal's
    Ctrl-C or hangup, sent to scaffold's process group, does not stop it halfway through
    writing the worktree (with `interrupts.noted`, scaffold waits for it, then says what it did)."""
    result = subprocess.run(
        ["git", *args],
        cwd=repo.working_tree_dir,
        env={**os.environ, "LANGUAGE": "C", "LC_ALL": "C", **(env or {})},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
        start_new_session=True,
    )
    return result.returncode, result.stderr


def _plain_git(repo: Repo) -> GitRunner:
    """`git ARGS` in the project, with RenderStage.project_git's call shape."""
    return lambda *args, ok_codes=(0,): _run_git(repo, args, ok_codes, None)


def _changes(git: GitRunner, old: str, new: str, only: str | None) -> list[Change]:
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


def _merge_tree(git: GitRunner, ours: str, theirs: str) -> tuple[str, list[Conflict]]:
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


def _unmerged_paths(repo: Repo) -> list[str]:
    out = repo.git.execute(
        ["git", "diff", "--name-only", "--diff-filter=U", "-z"], strip_newline_in_stdout=False
    )
    return sorted({path for path in str(out).split("\0") if path})


def _quoted(path: str) -> str:
    import shlex

    return shlex.quote(path)
