"""The project's render history: each pristine render is a commit, and updates merge them.

A render commit holds the files exactly as the template produced them and carries the
`Scaffold-Render:` trailer. The first commit of a project is one. `scaffold update` makes the next
with the previous render as its only parent and merges it into HEAD (it becomes the merge's
second parent), so git's merge base of HEAD and a new render is the render the project last
took: the 3-way merge needs nothing but the project's own history, offline, on any clone.

New objects go to a temporary object directory first (`RenderStage`) that borrows the project's
objects. A dry run, an "already up to date" or a refusal after rendering leave `.git` exactly as
it was; only a real update moves the objects in, just before merging.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scaffold.answers import ANSWERS_FILE, Answers, parse_answers
from scaffold.errors import ScaffoldError
from scaffold.git import RENDER_TRAILER, Identity, status_entries

if TYPE_CHECKING:
    from git import Repo


@dataclass(frozen=True)
class RenderCommit:
    sha: str
    label: str  # the trailer's value, e.g. "nlp 1.0.0"


@dataclass(frozen=True)
class Change:
    status: str  # "A"dded, "M"odified, "D"eleted, "T"ype changed
    path: str


@dataclass(frozen=True)
class Conflict:
    path: str
    kind: str  # git status's two letters: UU, UD, DU, AA, ...

    @property
    def description(self) -> str:
        return _CONFLICT_KINDS.get(self.kind, "conflict")


# `git status --porcelain` codes of unmerged paths, from the project's point of view.
_CONFLICT_KINDS = {
    "UU": "both changed",
    "AA": "both added",
    "UD": "you changed it, the template deleted it (your version is kept in the tree)",
    "DU": "you deleted it, the template changed it (the template's version is in the tree)",
    "AU": "added by you",
    "UA": "added by the template",
    "DD": "both deleted",
}


@dataclass
class MergePreview:
    tree: str
    conflicts: list[str] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)  # HEAD -> merged tree, conflicts excluded


def last_render(repo: Repo) -> RenderCommit | None:
    """The newest render commit reachable from HEAD, or None.

    Renders are merged in as second parents, so first-parent history would miss them; topo
    order lists a commit before its parents, and each render is the parent of the next.
    """
    if not repo.head.is_valid():  # no commit yet
        return None
    out = repo.git.log(
        "--topo-order",
        f"--grep=^{RENDER_TRAILER}:",
        "-z",
        f"--format=%H%x1f%(trailers:key={RENDER_TRAILER},valueonly,separator=%x1e)",
        "HEAD",
    )
    for record in out.split("\0"):
        sha, _, label = record.strip("\n").partition("\x1f")
        if sha and label.strip():  # --grep also matches the words outside a trailer
            return RenderCommit(sha, label.split("\x1e")[0].strip())
    return None


def answers_at(repo: Repo, rev: str) -> Answers | None:
    """The answers file as committed in `rev`, or None when it has none (or it is unreadable)."""
    from git import GitCommandError

    try:
        text = repo.git.show(f"{rev}:{ANSWERS_FILE}")
        return parse_answers(text, f"{ANSWERS_FILE} of {rev[:12]}")
    except (GitCommandError, ScaffoldError):
        return None


class RenderStage:
    """A temporary object store for turning a render directory into a commit, and previewing.

    It is a throwaway bare repository whose objects fall back to the project's (git
    alternates), so commits in it can have project commits as parents without copying them.
    """

    def __init__(self, repo: Repo) -> None:
        from git import Git

        self.repo = repo
        self.project_objects = Path(repo.common_dir) / "objects"
        self._root = Path(tempfile.mkdtemp(prefix="scaffold-stage-"))
        self.git_dir = self._root / "stage.git"
        self.objects = self.git_dir / "objects"
        try:
            # --template= : no hooks and no info/exclude (which would drop template files).
            Git(str(self._root)).execute(
                ["git", "init", "--quiet", "--bare", "--template=", str(self.git_dir)]
            )
            (self.objects / "info").mkdir(exist_ok=True)
            (self.objects / "info" / "alternates").write_text(f"{self.project_objects}\n")
        except BaseException:
            shutil.rmtree(self._root, ignore_errors=True)
            raise

    def __enter__(self) -> RenderStage:
        return self

    def __exit__(self, *exc: object) -> None:
        shutil.rmtree(self._root, ignore_errors=True)

    def commit_render(self, render_dir: Path, parent: str, message: str, who: Identity) -> str:
        """Commit every file of `render_dir` (as `git add --all` sees them) on top of `parent`."""
        from git import Git

        stage = Git(str(render_dir))
        base = ["git", f"--git-dir={self.git_dir}", f"--work-tree={render_dir}"]
        stage.execute([*base, "add", "--all"])
        tree = stage.execute([*base, "write-tree"])
        return str(
            stage.execute([*base, "commit-tree", tree, "-p", parent, "-m", message], env=who.env())
        ).strip()

    def project_git(self, *args: str, ok_codes: tuple[int, ...] = (0,)) -> str:
        """Run git in the project, reading staged objects too and writing new ones here."""
        status, out, err = self.repo.git.execute(
            ["git", *args],
            env={
                "GIT_OBJECT_DIRECTORY": str(self.objects),
                "GIT_ALTERNATE_OBJECT_DIRECTORIES": str(self.project_objects),
            },
            with_extended_output=True,
            with_exceptions=False,
            strip_newline_in_stdout=False,
        )
        if status not in ok_codes:
            raise ScaffoldError(f"git {args[0]} failed: {str(err).strip()}", exit_code=2)
        return str(out)

    def tree_of(self, rev: str) -> str:
        return self.project_git("rev-parse", f"{rev}^{{tree}}").strip()

    def changes(self, old: str, new: str, only: str | None = None) -> list[Change]:
        args = ["diff-tree", "-r", "-z", "--no-renames", "--name-status"]
        if only:
            args.append(f"--diff-filter={only}")
        return _parse_name_status(self.project_git(*args, old, new))

    def preview_merge(self, commit: str) -> MergePreview:
        """What merging `commit` into HEAD would do, without touching the worktree or index."""
        out = self.project_git(
            "merge-tree",
            "--write-tree",
            "--name-only",
            "-z",
            "--no-messages",
            "HEAD",
            commit,
            ok_codes=(0, 1),  # 1: conflicts
        )
        tree, *conflicted = [part for part in out.split("\0") if part]
        preview = MergePreview(tree=tree, conflicts=sorted(set(conflicted)))
        clashes = set(preview.conflicts)
        preview.changes = [c for c in self.changes("HEAD", tree) if c.path not in clashes]
        return preview

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


@dataclass
class MergeOutcome:
    conflicts: list[Conflict]
    uncommitted: str | None = None  # merged, but git could not commit it: its reason

    @property
    def clean(self) -> bool:
        return not self.conflicts and self.uncommitted is None


def merge_render(repo: Repo, commit: str, message: str, who: Identity | None) -> MergeOutcome:
    """`git merge` the render commit into HEAD; on conflicts, leave git's conflict state."""
    env: dict[str, Any] = who.env() if who else {}
    status, _, err = repo.git.execute(
        [
            "git",
            "merge",
            "--no-ff",  # always a merge commit: it names both versions, its 2nd parent the render
            "--no-edit",
            "--no-verify",  # the user's commit hooks judge their own commits, not this one
            "--no-verify-signatures",  # render commits are unsigned
            "--no-overwrite-ignore",  # an ignored file of the user's is not the merge's to replace
            "-m",
            message,
            commit,
        ],
        env=env,
        with_extended_output=True,
        with_exceptions=False,
    )
    if status == 0:
        return MergeOutcome(conflicts=[])
    conflicts = unmerged_paths(repo)
    if conflicts:
        return MergeOutcome(conflicts=conflicts)
    detail = str(err).strip()
    if (Path(repo.git_dir) / "MERGE_HEAD").exists():  # merged; the commit failed (a gpg key?)
        return MergeOutcome(conflicts=[], uncommitted=detail)
    raise ScaffoldError(f"git merge refused: {detail}", exit_code=2)  # before touching anything


def unmerged_paths(repo: Repo) -> list[Conflict]:
    return [
        Conflict(path=path, kind=code)
        for code, path in status_entries(repo, untracked=False)
        if code in _CONFLICT_KINDS
    ]


def _parse_name_status(out: str) -> list[Change]:
    parts = [part for part in out.split("\0") if part]
    return [Change(status=parts[i][0], path=parts[i + 1]) for i in range(0, len(parts) - 1, 2)]


def changes(repo: Repo, old: str, new: str) -> list[Change]:
    """Files added, modified and deleted from commit `old` to commit `new`."""
    out = repo.git.execute(
        ["git", "diff-tree", "-r", "-z", "--no-renames", "--name-status", old, new],
        strip_newline_in_stdout=False,
    )
    return _parse_name_status(str(out))
