"""A render turned into commits without touching the project, and what merging them would do.

New objects go to a temporary object directory first (`RenderStage`) that borrows the project's
objects. A dry run, an "already up to date" or a refusal after rendering leave `.git` exactly as
it was; only a real update moves the objects in (`keep`), just before merging.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from scaffold import diffing, scratch
from scaffold.errors import ScaffoldError
from scaffold.git import GitFailed, Identity, write_render_tree

if TYPE_CHECKING:
    from git import Repo


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
        return diffing.run_git(self.repo, args, ok_codes, {**(env or {}), **objects})

    def tree_of(self, rev: str) -> str:
        return self.project_git("rev-parse", f"{rev}^{{tree}}").strip()

    def changes(self, old: str, new: str, only: str | None = None) -> list[diffing.Change]:
        return diffing.tree_changes(self.project_git, old, new, only)

    def preview_merge(self, commit: str, head: str = "HEAD") -> diffing.MergePreview:
        """What merging `commit` into `head` would do, without touching the worktree or index."""
        tree, conflicts = diffing.merge_tree(self.project_git, head, commit)
        preview = diffing.MergePreview(tree=tree, conflicts=conflicts)
        clashes = {path for c in conflicts for path in (c.path, c.where)}
        preview.changes = [
            change
            for change in self.changes(head, tree)
            if change.path not in clashes and change.old_path not in clashes
        ]
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
