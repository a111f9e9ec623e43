"""Whether a project has the newest version of its template: what `scaffold check` prints and
`scaffold review` scores.

No prompts and no printing: `template_status` returns a `TemplateStatus` that says what it found
and how to update. A project whose status cannot be told (no answers file or version, an
unreadable template set, an unreachable template, a rewritten render history...) raises
ScaffoldError.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from scaffold import git, history, render_stage, scratch
from scaffold.answers import Answers
from scaffold.project import read_checked_answers
from scaffold.rendering import BuiltinTemplate, RenderJob
from scaffold.templates import load_template_set
from scaffold.versions import is_newer, newest_tag, parse_version

if TYPE_CHECKING:
    from git import Repo

_SHOWN_AT_MOST = 10


@dataclass(frozen=True)
class TemplateStatus:
    up_to_date: bool
    message: str  # one line: what the project has and what is available
    how_to_update: str | None = None  # when it is outdated


def template_status(root: Path, templates_dir: Path | None = None) -> TemplateStatus:
    """The status of the project at `root` (the directory holding its answers file)."""
    answers = read_checked_answers(root)
    current, newest = _versions(answers, templates_dir)
    repo = git.open_project_repo(root) if git.toplevel(root) is not None else None
    # A rewritten render history cannot tell (it raises here, as update would refuse), even
    # when a newer version exists: update could not take it.
    base = history.find_base(repo) if repo is not None else None
    what = answers.what
    if is_newer(newest, current):
        return TemplateStatus(
            False,
            f"Outdated: the project has the {what} {current}; {newest} is available.",
            _how_to_update(repo, base),
        )
    if current != newest and parse_version(current) != parse_version(newest):
        return TemplateStatus(
            True, f"Up to date: the project has the {what} {current}, newer than {newest} here."
        )
    changed = _changed_since_render(root, answers, templates_dir, repo, base)
    if changed:
        shown = ", ".join(changed[:_SHOWN_AT_MOST])
        more = f" and {len(changed) - _SHOWN_AT_MOST} more" if len(changed) > _SHOWN_AT_MOST else ""
        return TemplateStatus(
            False,
            f"Outdated: the {what} {current} here renders differently from the project's render "
            f"of {current} ({shown}{more}): the template changed without a new version.",
            _how_to_update(repo, base),
        )
    return TemplateStatus(True, f"Up to date: the project has the {what} {current}.")


def _versions(answers: Answers, templates_dir: Path | None) -> tuple[str | None, str]:
    """(the project's version, the newest available)."""
    if answers.is_builtin:
        template_set = load_template_set(templates_dir)
        template_set.get(str(answers.template))  # a set that lacks it cannot tell
        return answers.version, template_set.version
    return answers.commit, newest_tag(str(answers.src_path))


def _changed_since_render(
    root: Path,
    answers: Answers,
    templates_dir: Path | None,
    repo: Repo | None,
    base: history.Base | None,
) -> list[str]:
    """Files the template at the project's own version renders differently from the project's
    base render. Only built-in sets (a fork can change files and keep its version); only with
    a render history to compare with."""
    if not answers.is_builtin or repo is None or base is None:
        return []
    template_set = load_template_set(templates_dir)
    render = RenderJob(
        source=BuiltinTemplate(template_set.get(str(answers.template)), template_set),
        previous=answers.values,
        user_defaults=git.identity_defaults(),
        defaults=True,  # never a prompt: questions new to the template take their defaults
    )
    with (
        scratch.folder("scaffold-check-") as temporary,
        render_stage.RenderStage(repo) as stage,
    ):
        render_dir = temporary / root.name
        render.render(render_dir)
        tree = stage.write_tree(render_dir)
        base_tree = base.restore_tree or stage.tree_of(base.commit)
        return [change.path for change in stage.changes(base_tree, tree)]


def _how_to_update(repo: Repo | None, base: history.Base | None) -> str:
    if repo is None:
        return (
            "The project is not a git repository, which `scaffold update` needs: "
            "`git init && git add --all && git commit -m 'My project'`, then "
            "`scaffold update --adopt` to record its render, then `scaffold update`."
        )
    if base is None and git.is_shallow(repo):
        return (
            "This clone is shallow: its history stops before the render commits "
            "`scaffold update` merges from. Fetch the whole history (`git fetch --unshallow`), "
            "then run `scaffold update`."
        )
    if base is None:
        return (
            "Its history has no render commit yet (made with --no-git?): run "
            "`scaffold update --adopt` to record one, then `scaffold update`."
        )
    return "Run `scaffold update` to take it."
