"""Merging a render commit into the project's worktree, as `scaffold update` does: a fast-forward
to a recorded base, then `git merge`, which commits or leaves git's own conflict state.

git runs whole, whatever signal comes: in a session of its own, out of reach of a terminal's
Ctrl-C or hangup, while scaffold notes a stop request and says afterwards what git did (see
`scaffold.interrupts`).
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from scaffold import diffing
from scaffold.errors import ScaffoldError
from scaffold.git import Identity

if TYPE_CHECKING:
    from git import Repo


@dataclass
class MergeOutcome:
    conflicts: list[diffing.Conflict]
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

    Ignored files in the way are the caller's to refuse first (`ignored.in_the_way`):
    git's --no-overwrite-ignore holds back neither merge-ort nor a directory's arrival.
    """
    # Described before merging, from the same trees git's merge will use.
    _, expected = diffing.merge_tree(diffing.plain_git(repo), "HEAD", commit)
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
    unmerged = unmerged_paths(repo)
    if unmerged:
        described = {conflict.where: conflict for conflict in expected}
        return MergeOutcome(
            conflicts=[
                described.get(path, diffing.Conflict(path, "other", "conflict"))
                for path in unmerged
            ]
        )
    detail = str(err).strip()
    if (Path(repo.git_dir) / "MERGE_HEAD").exists():  # merged; the commit failed (a gpg key?)
        return MergeOutcome(conflicts=[], uncommitted=detail)
    raise ScaffoldError(f"git merge refused: {detail}", exit_code=2)  # before touching anything


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


def unmerged_paths(repo: Repo) -> list[str]:
    """The paths git's conflict state leaves to settle."""
    out = repo.git.execute(
        ["git", "diff", "--name-only", "--diff-filter=U", "-z"], strip_newline_in_stdout=False
    )
    return sorted({path for path in str(out).split("\0") if path})
