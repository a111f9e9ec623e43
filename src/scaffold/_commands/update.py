"""`scaffold update`: take a newer template into a project without losing a line of the project.

The project's history holds every pristine render (see `scaffold.history`). Update renders the
template again with the recorded answers, commits that render on top of the last one and
`git merge`s it into HEAD: the base of the 3-way merge is the render the project last took, and
conflicts are git's own, resolved and committed (or aborted) the usual way.

Exit codes: 0 updated, already up to date, or dry run; 1 merged with conflicts for the user to
resolve; 2 refused or failed, with nothing changed.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from scaffold import git, history
from scaffold.answers import Answers, read_answers
from scaffold.errors import ScaffoldError
from scaffold.rendering import BuiltinTemplate, CustomTemplate, RenderJob, TemplateSource
from scaffold.templates import load_template_set
from scaffold.ui import is_interactive, read_data
from scaffold.versions import parse_version

if TYPE_CHECKING:
    from git import Repo

UPDATED, CONFLICTS = 0, 1
_SHOWN_AT_MOST = 20  # dirty paths listed in a refusal


@dataclass
class UpdateJob:
    project: Path | None = None
    data: list[str] = field(default_factory=list)
    data_file: Path | None = None
    defaults: bool = False
    vcs_ref: str | None = None
    dry_run: bool = False
    trust: bool = False
    templates_dir: Path | None = None


@dataclass(frozen=True)
class Versions:
    """What the merge message and the report say: which template, from which to which version."""

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


def run(job: UpdateJob) -> int:
    from git import GitCommandError

    try:
        return _update(job)
    except ScaffoldError as error:
        if error.exit_code == 1:  # 1 means "conflicts to resolve" here: every refusal is 2
            error.exit_code = 2
        raise
    except GitCommandError as error:  # before the merge: nothing was changed
        detail = str(error.stderr or error).strip()
        raise ScaffoldError(f"git failed: {detail}", exit_code=2) from error


def _update(job: UpdateJob) -> int:
    overrides = read_data(job.data, job.data_file)
    repo = git.open_project_repo((job.project or Path.cwd()).expanduser().absolute())
    project = Path(str(repo.working_tree_dir))
    _refuse_unless_quiet(repo, project)
    answers = read_answers(project)
    base = history.last_render(repo)
    if base is None:
        raise _no_render_history(repo, project)
    render = RenderJob(
        source=_template_source(answers, job),
        data=overrides,
        previous=answers.values,
        user_defaults=git.identity_defaults(),
        # Without a terminal, questions new to the template take their defaults.
        defaults=job.defaults or not is_interactive(),
        trust=job.trust,
    )
    render.check_data_keys()
    old = history.answers_at(repo, base.sha) or answers  # what the last render was made with

    with (
        tempfile.TemporaryDirectory(prefix="scaffold-update-") as scratch,
        history.RenderStage(repo) as stage,
    ):
        render_dir = Path(scratch) / project.name  # the project's name: Copier's _folder_name
        new = render.render(render_dir)
        versions = Versions.of(old, new)
        author = git.Identity.of_author(new.values)
        message = git.render_message(render.source.label, new.template_label)
        commit = stage.commit_render(render_dir, base.sha, message, author)
        if stage.tree_of(commit) == stage.tree_of(base.sha):
            typer.echo(f"Already up to date: {project} has the {versions.what} {versions.after}.")
            return UPDATED
        in_the_way = _ignored_files_in_the_way(stage, commit, project)
        if job.dry_run:
            _print_preview(stage.preview_merge(commit), versions, in_the_way)
            return UPDATED
        if in_the_way:
            raise ScaffoldError(
                "The new render adds files where ignored files of yours are: "
                + ", ".join(in_the_way),
                hint="Move them aside (the merge would replace them), then run update again.",
            )
        stage.keep()  # only now does anything reach the project's .git

    message = _merge_message(versions, commit, old, new)
    # The user's own git identity signs the merge; without one (a fresh machine), the author's.
    merger = None if git.has_configured_identity(repo) else author
    outcome = history.merge_render(repo, commit, message, merger)
    return _report(outcome, repo, project, versions, commit)


def _refuse_unless_quiet(repo: Repo, project: Path) -> None:
    """Refuse while git is busy or the project has uncommitted work: the merge must not mix."""
    operation = git.operation_in_progress(repo)
    if operation:
        what, abort = operation
        raise ScaffoldError(
            f"{what.capitalize()} is in progress in {project}.",
            hint=f"Finish it and commit, or abandon it (`{abort}`); then run update again.",
        )
    dirty = [path for _, path in git.status_entries(repo)]
    if dirty:
        shown = "\n".join(f"  {path}" for path in dirty[:_SHOWN_AT_MOST])
        more = (
            f"\n  ... and {len(dirty) - _SHOWN_AT_MOST} more" if len(dirty) > _SHOWN_AT_MOST else ""
        )
        raise ScaffoldError(
            f"{project} has uncommitted changes:\n{shown}{more}",
            hint="Commit them, or stash them (`git stash --include-untracked`), then run update "
            "again: the update is a merge commit of its own, easy to review and undo.",
        )


def _no_render_history(repo: Repo, project: Path) -> ScaffoldError:
    if git.is_shallow(repo):
        hint = (
            "This clone is shallow: fetch the whole history (`git fetch --unshallow`), then retry."
        )
    else:
        hint = (
            f"A project made by `scaffold new` starts with a commit ending in a "
            f"`{git.RENDER_TRAILER}:` line: the template's render, the base of every update. "
            "This history has none (made with --no-git, or its history squashed or rewritten?)."
        )
    return ScaffoldError(f"{project} has no render history for the update to start from.", hint)


def _template_source(answers: Answers, job: UpdateJob) -> TemplateSource:
    if not answers.is_builtin:
        return CustomTemplate(str(answers.src_path), job.vcs_ref)
    if job.vcs_ref:
        raise ScaffoldError("--vcs-ref applies to git templates, not built-in ones.")
    template_set = load_template_set(job.templates_dir)
    spec = template_set.get(str(answers.template))
    recorded, available = parse_version(answers.version), parse_version(template_set.version)
    if recorded and available and recorded > available:
        raise ScaffoldError(
            f"The project has the {spec.name} template {answers.version}, newer than this "
            f"template set's {template_set.version} ({template_set.root}).",
            hint="Upgrade ml-scaffold, or point --templates-dir at a newer template set.",
        )
    return BuiltinTemplate(spec, template_set)


def _ignored_files_in_the_way(stage: history.RenderStage, commit: str, project: Path) -> list[str]:
    """Paths the render would add where files exist untracked: ignored ones (the tree is clean)."""
    added = [change.path for change in stage.changes("HEAD", commit, only="A")]
    return [path for path in added if os.path.lexists(project / path)]


def _merge_message(versions: Versions, commit: str, old: Answers, new: Answers) -> str:
    lines = [
        versions.title,
        "",
        f"Merges the {versions.what} {versions.after} as rendered with this project's answers",
        f"(render commit {commit[:12]}, made by `scaffold update`).",
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


_VERBS = {"A": "add", "M": "change", "T": "change", "D": "remove"}
_PAST = {"A": "added", "M": "changed", "T": "changed", "D": "removed"}


def _print_preview(
    preview: history.MergePreview, versions: Versions, in_the_way: list[str]
) -> None:
    typer.echo(f"Dry run: {versions.title} would")
    for change in preview.changes:
        typer.echo(f"  {_VERBS.get(change.status, change.status):<9} {change.path}")
    for path in preview.conflicts:
        typer.echo(f"  {'conflict':<9} {path}")
    if not preview.changes and not preview.conflicts:
        typer.echo("  change no file (only record the new render as merged)")
    for path in in_the_way:
        typer.echo(f"  {'refuse':<9} {path} (an ignored file of yours is where it adds one)")
    typer.echo("Nothing was changed.")


def _report(
    outcome: history.MergeOutcome, repo: Repo, project: Path, versions: Versions, commit: str
) -> int:
    if outcome.clean:
        _print_updated(repo, project, versions)
        return UPDATED
    if outcome.uncommitted is not None:
        typer.echo(f"{versions.title}: merged into {project}, but git could not commit it:")
        for line in outcome.uncommitted.splitlines():
            typer.echo(f"  {line}")
        typer.echo("Fix that, then `git commit`; or undo it all with `git merge --abort`.")
        return CONFLICTS
    _print_conflicts(outcome.conflicts, project, versions, commit)
    return CONFLICTS


def _print_updated(repo: Repo, project: Path, versions: Versions) -> None:
    typer.echo(f"{versions.title}: merged into {project}, your changes kept.")
    for change in history.changes(repo, "HEAD~1", "HEAD"):
        typer.echo(f"  {_PAST.get(change.status, change.status):<8} {change.path}")
    typer.echo("Review it with `git show --stat HEAD`; undo it with `git reset --hard HEAD~1`.")


def _print_conflicts(
    conflicts: list[history.Conflict], project: Path, versions: Versions, commit: str
) -> None:
    count = len(conflicts)
    files = "1 file conflicts" if count == 1 else f"{count} files conflict"
    typer.echo(f"{versions.title}: merged into {project}, but {files} with your changes:")
    for conflict in conflicts:
        typer.echo(f"  {conflict.path}  ({conflict.description})")
    typer.echo(
        "To finish: edit each file, keeping what you want between the conflict markers "
        f"(<<<<<<< HEAD is yours, >>>>>>> {commit[:12]}... the template's) and removing them; "
        "for a file one side deleted, `git add` it to keep it or `git rm` it to drop it. "
        "Then `git add` the files and `git commit`."
    )
    typer.echo("To give up: `git merge --abort` puts the project back as it was.")
