"""`scaffold check`: does the project have the newest version of its template? Meant for CI.

Exit codes: 0 up to date, 1 a newer template is available (a newer version, or the same version
with different files, as a fork that forgot to bump its version), 2 cannot tell (no answers file
or version, unreadable template set, unreachable template, a rewritten render history...).
No prompts; plain lines on stdout.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import typer

from scaffold import git, history, merging
from scaffold.answers import Answers
from scaffold.errors import ScaffoldError
from scaffold.project import locate, read_checked_answers
from scaffold.rendering import BuiltinTemplate, RenderJob
from scaffold.templates import load_template_set
from scaffold.versions import is_newer, newest_tag, parse_version

UP_TO_DATE, OUTDATED = 0, 1
_SHOWN_AT_MOST = 10


def run(project: Path | None = None, templates_dir: Path | None = None) -> int:
    try:
        return _check(locate(project), templates_dir)
    except ScaffoldError as error:
        if error.exit_code == 1:  # 1 means "outdated" here: every error is 2
            error.exit_code = 2
        raise


def _check(root: Path, templates_dir: Path | None) -> int:
    answers = read_checked_answers(root)
    current, newest = _versions(answers, templates_dir)
    what = answers.what
    if is_newer(newest, current):
        typer.echo(f"Outdated: the project has the {what} {current}; {newest} is available.")
        typer.echo(_how_to_update(root))
        return OUTDATED
    if current != newest and parse_version(current) != parse_version(newest):
        typer.echo(f"Up to date: the project has the {what} {current}, newer than {newest} here.")
        return UP_TO_DATE
    changed = _changed_since_render(root, answers, templates_dir)
    if changed:
        shown = ", ".join(changed[:_SHOWN_AT_MOST])
        more = f" and {len(changed) - _SHOWN_AT_MOST} more" if len(changed) > _SHOWN_AT_MOST else ""
        typer.echo(
            f"Outdated: the {what} {current} here renders differently from the project's render "
            f"of {current} ({shown}{more}): the template changed without a new version."
        )
        typer.echo(_how_to_update(root))
        return OUTDATED
    typer.echo(f"Up to date: the project has the {what} {current}.")
    return UP_TO_DATE


def _versions(answers: Answers, templates_dir: Path | None) -> tuple[str | None, str]:
    """(the project's version, the newest available)."""
    if answers.is_builtin:
        template_set = load_template_set(templates_dir)
        template_set.get(str(answers.template))  # a set that lacks it cannot tell
        return answers.version, template_set.version
    return answers.commit, newest_tag(str(answers.src_path))


def _changed_since_render(root: Path, answers: Answers, templates_dir: Path | None) -> list[str]:
    """Files the template at the project's own version renders differently from the project's
    base render. Only built-in sets (a fork can change files and keep its version); only with
    a render history to compare with."""
    if not answers.is_builtin or git.toplevel(root) is None:
        return []
    repo = git.open_project_repo(root)
    base = history.find_base(repo)  # a rewritten history refuses here, as update would
    if base is None:
        return []
    template_set = load_template_set(templates_dir)
    render = RenderJob(
        source=BuiltinTemplate(template_set.get(str(answers.template)), template_set),
        previous=answers.values,
        user_defaults=git.identity_defaults(),
        defaults=True,  # never a prompt: questions new to the template take their defaults
    )
    with (
        tempfile.TemporaryDirectory(prefix="scaffold-check-") as scratch,
        merging.RenderStage(repo) as stage,
    ):
        render_dir = Path(scratch) / root.name
        render.render(render_dir)
        tree = stage.write_tree(render_dir)
        base_tree = base.restore_tree or stage.tree_of(base.commit)
        return [change.path for change in stage.changes(base_tree, tree)]


def _how_to_update(root: Path) -> str:
    if git.toplevel(root) is None:
        return (
            "The project is not a git repository, which `scaffold update` needs: "
            "`git init && git add --all && git commit -m 'My project'`, then "
            "`scaffold update --adopt` to record its render, then `scaffold update`."
        )
    if history.last_render(git.open_project_repo(root)) is None:
        return (
            "Its history has no render commit yet (made with --no-git?): run "
            "`scaffold update --adopt` to record one, then `scaffold update`."
        )
    return "Run `scaffold update` to take it."
