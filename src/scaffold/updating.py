"""Updating a project: render the template again on top of the project's base render, then merge.

`render_on_base` renders the template with the project's answers and commits that render in a
`render_stage.RenderStage` with the base render as its parent; nothing reaches the project's `.git`
yet. Then either `scaffold update` merges it into HEAD in the worktree (git's own conflict
state), or `merge_on_branch` commits the merge on a branch of its own without a worktree, as
`scaffold cohort update` does for every student: the student's main is never touched.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scaffold import diffing, git, history, render_stage
from scaffold.answers import Answers
from scaffold.errors import ScaffoldError
from scaffold.rendering import RenderJob
from scaffold.versions import is_newer

if TYPE_CHECKING:
    from git import Repo


@dataclass(frozen=True)
class Versions:
    """What the merge message and the reports say: which template, from which to which version."""

    what: str  # "nlp template", "template https://..."
    before: str
    after: str

    @classmethod
    def of(cls, old: Answers, new: Answers) -> Versions:
        if new.is_builtin:
            return cls(new.what, str(old.version), str(new.version))
        return cls(new.what, str(old.commit), str(new.commit))

    @property
    def title(self) -> str:
        if self.before != self.after:
            return f"Update {self.what} {self.before} → {self.after}"
        return f"Re-render {self.what} {self.after}"


@dataclass(frozen=True)
class RenderedUpdate:
    """A new render committed in a stage on top of the project's base, ready to be merged."""

    base: history.Base
    old: Answers  # the project's answers (of what the render merges into)
    new: Answers  # the answers of the new render
    versions: Versions
    tree: str  # the new render's files
    base_tree: str  # the files of its parent
    commit: str  # the new render commit (in the stage until it is kept)
    parent: str  # its parent: the base render, or the base's pristine files restored
    head: str  # what it merges into: `onto`, or a commit recording the restored base on it
    author: git.Identity  # who render commits are by: the project's author
    merger: git.Identity | None  # who merges: None for the user's own git identity

    @property
    def up_to_date(self) -> bool:
        """The template renders exactly the base's files: there is nothing to merge."""
        return self.tree == self.base_tree


def render_on_base(
    repo: Repo,
    stage: render_stage.RenderStage,
    render: RenderJob,
    base: history.Base,
    current: Answers,
    render_dir: Path,
    onto: str = "HEAD",
    downgrade: bool = False,
) -> RenderedUpdate:
    """Render into `render_dir` (a new directory named like the project, for Copier's
    _folder_name) and commit the render in `stage` with the base render as its parent.

    `current` is the answers file of `onto`; `render.previous` should hold its values. The
    update is told from `current`, not from the base's answers: after a squash-merged update
    the project has a newer version than its newest render commit.
    A downgrade of a custom template is refused unless `downgrade`.
    """
    new = render.render(render_dir)
    versions = Versions.of(current, new)
    _refuse_downgrade(current, new, downgrade)
    tree = stage.write_tree(render_dir)
    author = git.Identity.of_author(new.values)
    # The user's own git identity signs merges; without one (a fresh machine), the author's.
    merger = None if git.has_configured_identity(repo) else author
    head, parent = onto, base.commit
    if base.restore_tree is not None:
        parent = stage.commit_tree(base.restore_tree, [], base.restore_message, author)
        head = stage.commit_tree(
            stage.tree_of(onto), [onto, parent], _restore_message(base, parent), merger
        )
    message = git.render_message(render.source.label, new.template_label, tree)
    commit = stage.commit_tree(tree, [parent], message, author)
    return RenderedUpdate(
        base=base,
        old=current,
        new=new,
        versions=versions,
        tree=tree,
        base_tree=stage.tree_of(parent),
        commit=commit,
        parent=parent,
        head=head,
        author=author,
        merger=merger,
    )


def prove_by_render(
    stage: render_stage.RenderStage, base: history.Base, render: RenderJob, render_dir: Path
) -> None:
    """Refuse a base that must be proven (see `history.Base.needs_render_proof`) unless `render`,
    its answers at its version, gives exactly its files."""
    render.render(render_dir)
    tree = stage.write_tree(render_dir)
    files = stage.project_git("rev-parse", base.files).strip()
    if tree == files:
        return
    changed = [change.path for change in stage.changes(tree, files)]
    shown = ", ".join(changed[:8]) + (f" and {len(changed) - 8} more" if len(changed) > 8 else "")
    raise ScaffoldError(
        f"--base {base.commit[:12]}: its files are not a render of its own answers at its "
        f"version (they differ in {shown}): a history rewrite changed them, and updating from "
        "it would undo those changes, so nothing was changed.",
        hint="Name another render commit, or record a fresh render of the project's answers as "
        "the base: `scaffold update --adopt` with the template set of the version the project "
        "has (it shows the differences first).",
        exit_code=2,
    )


@dataclass(frozen=True)
class BranchMerge:
    """The update merged on a branch of its own (`merge_on_branch`)."""

    branch: str
    commit: str | None  # the branch's new tip; None when it was not made (conflicts)
    conflicts: list[diffing.Conflict]
    changes: list[diffing.Change]  # the files the merge changes, conflicts excluded


def merge_on_branch(
    repo: Repo,
    stage: render_stage.RenderStage,
    rendered: RenderedUpdate,
    branch: str,
    commit_conflicts: bool = False,
) -> BranchMerge:
    """Merge the render into `rendered.head` as the commit `branch` points to, with git's
    merge machinery (`git merge-tree`) and no worktree: HEAD, the index and every other
    branch stay as they are. With conflicts the branch is made only if `commit_conflicts`,
    its files holding the conflict markers; otherwise nothing reaches `.git`."""
    preview = stage.preview_merge(rendered.commit, rendered.head)
    if preview.conflicts and not commit_conflicts:
        return BranchMerge(branch, None, preview.conflicts, preview.changes)
    message = merge_message(rendered)
    if preview.conflicts:
        message += (
            "\nCommitted with conflict markers (`scaffold cohort update --commit-conflicts`):\n"
        )
        message += "".join(f"  {c.path}: {c.description}\n" for c in preview.conflicts)
    merge = stage.commit_tree(preview.tree, [rendered.head, rendered.commit], message, None)
    stage.keep()
    repo.git.update_ref("-m", f"scaffold: {rendered.versions.title}", f"refs/heads/{branch}", merge)
    return BranchMerge(branch, merge, preview.conflicts, preview.changes)


def merge_message(rendered: RenderedUpdate) -> str:
    versions, old, new = rendered.versions, rendered.old, rendered.new
    lines = [
        versions.title,
        "",
        f"Merges the {versions.what} {versions.after} as rendered with this project's answers",
        f"(render commit {rendered.commit[:12]}, made by `scaffold update`).",
    ]
    changed = _answer_changes(old.values, new.values)
    if changed:
        lines += ["", "Changed answers:", *(f"  {line}" for line in changed)]
    return "\n".join(lines) + "\n"


def _answer_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    def shown(values: dict[str, Any], key: str) -> str:
        return json.dumps(values[key], ensure_ascii=False, default=str) if key in values else "-"

    return [
        f"{key}: {shown(old, key)} → {shown(new, key)}"
        for key in sorted(set(old) | set(new))
        if old.get(key, ...) != new.get(key, ...)
    ]


def _refuse_downgrade(old: Answers, new: Answers, allowed: bool) -> None:
    """A custom template's version is known once rendered: refuse going back unless asked."""
    if old.is_builtin or allowed or not is_newer(old.commit, new.commit):
        return
    raise ScaffoldError(
        f"The project has the {new.what} {old.commit}; the update would take it back to the "
        f"older {new.commit}. Nothing was changed.",
        hint="Pass --downgrade if that is what you want.",
    )


def _restore_message(base: history.Base, restored: str) -> str:
    return (
        f"Record the pristine {base.label} render as the update base\n\n"
        f"The render commit {base.commit[:12]} is not in this history as ml-scaffold made it, "
        f"so its pristine files come back as a render commit of their own ({restored[:12]}). "
        "This merge keeps every file of the project as it was; `scaffold update` merges "
        "newer renders from it.\n"
    )
